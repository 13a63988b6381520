"""The simulated shop: the embedded default `Platform`, a seeded aggregate model of a live room.

The room is integrated in fixed 1-second steps of show time, lazily, up to the injected clock's
monotonic time on every call; with a ManualClock it runs as fast as the test advances the clock.
It is an aggregate model (counts and binomial/Poisson draws), never one object per viewer, so a
3-hour show with 10^5 concurrent viewers costs a fraction of a CPU second.

Determinism: the audience draws of step k come from a counter-based generator (Philox) keyed by
(seed, k), so they depend on nothing but the seed and the step, never on how often anyone polls or
on how many draws earlier steps made; writes take effect from the next step. So the same seed and the
same calls at the same clock times give identical figures. Faults draw from a separate RNG, so
injecting them never changes the audience.

Resume: bound to a session (`open_session`, called by the runtime), the room journals its inputs and
is rebuilt from them after a crash; see replay.py.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from controlroom.clock import Clock, SystemClock
from controlroom.journal import JournalWriteError
from controlroom.platform import (Capabilities, CommentPage, CouponSpec, CouponState, MetricsSnapshot, OfferSpec,
                                  OfferState, PlatformError, PlatformRateLimited, PlatformTimeout,
                                  PlatformUnavailable, ProductState, SkuMetrics, current_deadline, time_left)

from .audience import OFF_AIR, SEGMENTS, AudienceParams, SegmentEffect, lucky_bag_effect, time_of_day_factor
from .catalog import CatalogItem, ShowInfo, load_catalog, load_show_info, local_seconds
from .comments import COMPLAINTS, ComplaintWave, RoomTalk, TalkContext, TalkParams
from .faults import FaultInjector, Faults, FaultWindow
from .offers import SimOffer
from . import replay

log = logging.getLogger(__name__)

DT = 1.0  # seconds of show time per integration step
NOISE_BLOCK = 4096  # traffic-wave draws are made this many steps at a time (block b keyed by (seed, b))

# Product impressions split by outcome: no click, click only, click+cart, click+order, click+cart+order.
# Rows sum them into the funnel counters: impressions, clicks, add-to-cart, orders.
_FUNNEL = np.array([[1, 1, 1, 1, 1],
                    [0, 1, 1, 1, 1],
                    [0, 0, 1, 0, 1],
                    [0, 0, 0, 1, 1]], dtype=np.int64)


# The inputs a journal may ask the room to replay (never any other attribute of the shop).
REPLAYABLE = frozenset({
    "list_product", "unlist_product", "set_price", "set_stock", "set_displayed_stock", "pin_product",
    "issue_coupon", "stop_coupon", "start_offer", "stop_offer",                      # the Platform port's writes
    "set_segment", "set_off_air", "start_countdown", "stop_countdown", "start_lucky_bag", "stop_lucky_bag",
    "complaint_wave", "place_order", "set_audience"})                                # the show and the world


class JournalRefused(PlatformUnavailable):
    """The shop could not journal a request, so it did not apply it: nothing happened, and a retry within a
    deadline would meet the same disk."""
    retryable = False
    may_have_applied = False


@dataclass
class _Coupon:
    coupon_id: str
    spec: CouponSpec
    issued: int = 0
    active: bool = True

    def remaining(self) -> int | None:
        return None if self.spec.total_qty is None else max(0, self.spec.total_qty - self.issued)


@dataclass(frozen=True)
class OrderResult:
    """One injected buyer's purchase: units sold by unit price (before coupons), what they paid."""
    filled: dict[int, int]
    paid: int
    rejected: str = ""          # why nothing was sold ("" when something was)


class SimulatedShop:
    """A live room's shop and audience. Implements `controlroom.platform.Platform`.

    Flash offers are native (quantity cap, per-buyer limit, end when sold out). For a rehearsal the
    audience can be switched off (`audience = False`) so the only buyers are `place_order` calls, and
    faults of the rehearsal's kinds can be laid on one SKU for a while (`inject_fault`). Inside a
    caller's deadline (controlroom.platform.deadline) the shop is its own adapter: it retries what a
    real API would retry, Retry-After included, and never past the deadline."""

    name = "simulator"
    capabilities = Capabilities(native_offers=True, offer_quantity_cap=True, offer_per_buyer_limit=True,
                                comments=True)

    def __init__(self, items: list[CatalogItem], *, clock: Clock | None = None, seed: int = 7,
                 show: ShowInfo | None = None, peak_online: int | None = None,
                 params: AudienceParams | None = None, faults: Faults | None = None,
                 talk: TalkParams | None = None):
        if not items:
            raise ValueError("a shop needs at least one product")
        self.clock: Clock = clock or SystemClock()
        self.show = show or ShowInfo()
        self.currency = self.show.currency
        self.params = params or AudienceParams()
        self.faults = faults or Faults()
        self._lock = threading.RLock()
        self._seed_rngs(seed)
        self._injector = FaultInjector(seed)
        self._unsubscribe: list[Any] = []

        # The catalog: fixed for the life of the shop.
        self._items = list(items)
        self._skus = [it.sku for it in items]
        self._index = {sku: i for i, sku in enumerate(self._skus)}
        i64 = np.int64
        self._list_price = np.array([it.list_price for it in items], dtype=i64)
        self._ref_price = np.array([it.live_price for it in items], dtype=i64)
        self._limit = np.array([it.per_buyer_limit for it in items], dtype=i64)
        self._limit_m1 = self._limit - 1
        self._ref_discount = 1.0 - self._ref_price / self._list_price
        self._start_local = local_seconds(self.show.start_local)
        self._base_rate = self._calibrate(peak_online)

        # Not the room's state but the world around it: kept when a new room opens.
        self._audience = True                                     # False: the only buyers are place_order calls
        self.fault_windows: list[FaultWindow] = []
        # what the room says (comments.py): its own generator keyed by (seed, step); reset with each room
        self._talk = RoomTalk(self._skus, [it.title for it in items], self.seed, talk or TalkParams())

        # Where the room's inputs are journaled (open_session), and the inputs a resume still has to replay.
        self._journal = None
        self._session_id: int | None = None
        self._journal_path = None        # the data dir's journal the live room belongs to (kept by close())
        self._held: list[dict] = []      # inputs that came while no app journaled the room (see close())
        self._replaying = False
        self._replay_t: float | None = None   # while replaying: the show second the input was first applied at
        self._new_room(self.clock.monotonic())

    def _seed_rngs(self, seed: int) -> None:
        """Counter-based generators: step k's audience draws are Philox(key(seed)) at counter (0, k, 0, 0),
        the traffic-wave block b's at (0, b, 0, 0) under a second key."""
        self.seed = int(seed)
        root = np.random.SeedSequence([abs(self.seed), 1 if self.seed < 0 else 0])
        model_seq, noise_seq = root.spawn(2)
        self._bits = np.random.Philox(key=model_seq.generate_state(2, np.uint64))
        self._rng = np.random.Generator(self._bits)
        self._bits_state = self._bits.state          # a template: only its counter changes
        self._noise_bits = np.random.Philox(key=noise_seq.generate_state(2, np.uint64))
        self._noise_rng = np.random.Generator(self._noise_bits)
        self._noise_state = self._noise_bits.state

    @staticmethod
    def _key(bits: np.random.Philox, state: dict, k: int) -> None:
        state["state"]["counter"][:] = (0, k, 0, 0)
        bits.state = state   # also empties the buffered output, so nothing of step k-1 leaks into step k

    def _new_room(self, t0: float) -> None:
        """A live room at step 0 (show start) at monotonic time t0: nothing listed, nobody watching."""
        items = self._items
        n = len(items)
        i64 = np.int64
        # Price, stock and the sales counters are plain lists: the hot path touches one SKU at a time.
        self._price = [it.live_price for it in items]
        self._stock = [it.stock for it in items]
        self._displayed = np.full(n, -1, dtype=i64)     # -1: not set apart from stock
        self._listed = np.zeros(n, dtype=bool)
        self._in_segment = np.zeros(n, dtype=bool)
        self._countdown_end = np.full(n, -1.0)          # show seconds when the offer ends
        self._pinned: int | None = None

        self._funnel = np.zeros((3, n), dtype=i64)   # impressions, clicks, add-to-cart
        self._c: dict[str, Any] = {"impressions": self._funnel[0], "clicks": self._funnel[1],
                                   "add_to_cart": self._funnel[2]}
        self._c.update({k: [0] * n for k in ("orders", "paid_orders", "units", "gmv", "paid_gmv")})
        self._online = 0
        self._engaged = 0          # online viewers who have commented, liked or shared
        self._views = 0
        self._uv = 0
        self._room_impressions = 0
        self._comments = 0
        self._likes = 0
        self._shares = 0
        self._interacting = 0
        self._followers = 0
        self._buyers = 0
        self._late_payments: dict[int, list[tuple[int, int]]] = {}  # due step -> [(sku index, 分 per order)]
        self._noise = 0.0

        self._coupons: dict[str, _Coupon] = {}
        self._offers: dict[str, SimOffer] = {}
        self._offer_at: dict[int, SimOffer] = {}                  # SKU index -> its latest offer
        self._errored_keys: set[str] = set()                      # writes answered 500 after applying
        self._bought: dict[tuple[str, int], int] = {}             # (buyer, SKU index) -> units bought
        self._idempotency: dict[str, tuple[str, tuple, Any]] = {}
        self.write_log: list[tuple[float, str, str, tuple]] = []  # (show seconds, method, key, args) applied

        self._segment_kind: str | None = None
        self._off_air = False
        self._new_talk()
        self._t0 = t0
        self._step = 0
        self._pending_inputs: deque[replay.Input] = deque()

        # Hot-path buffers and the cached per-SKU factors (see _refresh_factors).
        self._lam = np.empty(0)
        self._noise_block: list[float] = []
        self._noise_b = -1
        self._dirty = True
        self._refresh_at = math.inf

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def from_show(cls, show_dir: str | Path, *, clock: Clock | None = None, seed: int = 7,
                  peak_online: int | None = None, params: AudienceParams | None = None,
                  faults: Faults | None = None, talk: TalkParams | None = None) -> "SimulatedShop":
        """A shop selling `<show_dir>/products.csv`, with the show's start time and audience size from show.toml."""
        show_dir = Path(show_dir)
        items = load_catalog(show_dir / "products.csv")
        show = load_show_info(show_dir / "show.toml")
        return cls(items, clock=clock, seed=seed, show=show,
                   peak_online=peak_online if peak_online is not None else show.peak_online,
                   params=params, faults=faults, talk=talk)

    def _calibrate(self, peak_online: int | None) -> float:
        """Entries per second at full traffic, so the show meets its audience size on average."""
        p = self.params
        if peak_online is not None:
            if peak_online <= 0:
                raise ValueError("peak_online must be > 0")
            # Traffic waves lift the audience above its mean; aim the highest waves at the asked peak.
            return peak_online / p.mean_stay_s / 1.35
        slot = self.show.slot_minutes * 60
        ts = range(0, slot, 60)
        mean = sum(time_of_day_factor(self._start_local + t) * min(1.0, 0.25 + 0.75 * t / p.ramp_s)
                   for t in ts) / len(ts)
        return self.show.target_viewers / p.new_viewer_share / (slot * mean)

    # ---- the bus ---------------------------------------------------------------------------
    def bind_bus(self, bus) -> None:
        """Let the audience react to the run-of-show, stream failovers and countdown offers."""
        self._unsubscribe.append(bus.subscribe(self._on_segment, "rundown.segment"))
        self._unsubscribe.append(bus.subscribe(self._on_stream, "journal.stream."))
        self._unsubscribe.append(bus.subscribe(self._on_console, "journal.console."))

    def close(self) -> None:
        """The app that drives this shop is going (closed, or killed in a rehearsal). Its subscriptions go, and
        so does its journal: inputs that come meanwhile (a rehearsal's buyers: the shop is the world and lives
        on) are held and written to the journal of the app that resumes this room (open_session)."""
        for unsub in self._unsubscribe:
            unsub()
        self._unsubscribe.clear()
        with self._lock:
            self._journal = None

    # ---- the journal: a resumable room (see replay.py) ---------------------------------------
    def open_session(self, journal, session_id: int, resumed: bool) -> None:
        """The runtime made `session_id` current, before its rooms rebuild. A new show opens a new live room
        (counters from zero, step 0 now); a resumed one gets back the room its journal describes: the room
        this shop still runs, if it ran that session of that journal (a rehearsal's restart: the shop is the
        world and only the app died), else the room replayed from the journal (a new process after kill -9)."""
        with self._lock:
            path = getattr(journal, "path", None)
            if (resumed and self._session_id == session_id and self._journal_path == path
                    and journal.session(session_id).ended_utc is None):
                self._journal = journal            # the same live room: keep it, journal to the new app
                held, self._held = self._held, []
                for payload in held:
                    self._append(payload, strict=False)
                log.info("session %s: the simulated room carries on (%d inputs came while no app was there)",
                         session_id, len(held))
                return
            self._journal, self._session_id, self._journal_path = None, None, None   # nothing journaled meanwhile
            self._held = []
            note: dict[str, Any] = {}
            if resumed and journal.session(session_id).ended_utc is not None:
                self._new_room(self.clock.monotonic())   # a show reopened for review: its room is over
                return
            if resumed:
                anchor, inputs = replay.find_room(journal.events(session_id, prefix="simulator."))
                if anchor is not None and anchor.payload.get("fingerprint") == replay.fingerprint(self):
                    self._restore(anchor, inputs)
                    self._bind(journal, session_id)
                    return
                why = ("the journal holds no simulated room for this show" if anchor is None else
                       "the catalog, show or audience settings changed since the show started")
                log.warning("session %s: %s; the simulated room starts again from zero", session_id, why)
                note = {"restored": False, "reason": why}
            self._new_room(self.clock.monotonic())
            try:
                ev = journal.append(session_id, replay.OPENED, replay.ACTOR,
                                    {"seed": self.seed, "fingerprint": replay.fingerprint(self),
                                     "audience": self._audience, **note})
            except JournalWriteError as e:
                log.error("the simulated room cannot be journaled (%s): it will not survive a crash", e)
                return
            self._t0 = ev.mono   # step 0 is the anchor's instant, exactly
            self._bind(journal, session_id)

    def _bind(self, journal, session_id: int) -> None:
        self._journal, self._session_id = journal, session_id
        self._journal_path = getattr(journal, "path", None)

    def _restore(self, anchor, inputs: list[replay.Input]) -> None:
        seed = anchor.payload.get("seed", self.seed)
        if seed != self.seed:
            self._seed_rngs(seed)
            self._injector = FaultInjector(seed)
            self._talk = RoomTalk(self._skus, [it.title for it in self._items], self.seed, self._talk.params)
        # a room opened without an audience of its own (a rehearsal) is replayed without one
        self._audience = bool(anchor.payload.get("audience", True))
        # Step 0 on this process's monotonic axis, placed by wall time (monotonic clocks restart with a reboot).
        now_mono, now_utc = self.clock.monotonic(), self.clock.utcnow()
        self._new_room(now_mono - (now_utc - anchor.utc).total_seconds())
        self._pending_inputs = deque(inputs)
        ahead = [i for i in inputs if i.step > math.floor((now_mono - self._t0) / DT + 1e-9)]
        if ahead:
            log.warning("%d simulator inputs lie after the clock's now (step %d > now): the clock went back",
                        len(ahead), ahead[0].step)
        log.info("simulated room restored from the journal: %d inputs, re-integrated up to now on first use",
                 len(inputs))

    def _record(self, op: str, args: tuple, key: str | None = None, *, kwargs: dict | None = None,
                strict: bool = True) -> None:
        """Journal an input before it is applied (a kill in between replays it: the journal is the truth).
        Called under the lock, the room integrated up to now."""
        if self._replaying or self._session_id is None:
            return
        payload = replay.input_payload(self._step, op, args, key, kwargs=kwargs, t=self._t())
        if self._journal is None:          # no app journals the room just now (see close())
            self._held.append(payload)
            return
        self._append(payload, strict=strict)

    def _append(self, payload: dict, *, strict: bool) -> None:
        op = payload["op"]
        try:
            self._journal.append(self._session_id, replay.INPUT, replay.ACTOR, payload)
        except (JournalWriteError, RuntimeError) as e:
            if strict:
                raise JournalRefused(f"{op}: the simulated shop cannot journal the request, so it was not "
                                     f"applied ({e})") from e
            log.error("simulator input %s not journaled (%s): a resume will not see it", op, e)

    def _replay_due(self) -> None:
        """Apply the journaled inputs due at the current step, as they were applied the first time."""
        q = self._pending_inputs
        self._replaying = True
        try:
            while q and q[0].step <= self._step:
                inp = q.popleft()
                fn = getattr(self, inp.op, None) if inp.op in REPLAYABLE else None
                if fn is None:
                    log.warning("unknown simulator input %r in the journal: skipped", inp.op)
                    continue
                self._replay_t = inp.t
                try:
                    kw = dict(inp.kwargs)
                    if inp.key is not None:
                        kw["idempotency_key"] = inp.key
                    fn(*inp.args, **kw)
                except (PlatformError, ValueError):
                    pass   # refused the first time too, the same way
                except Exception:   # a journal from another version of the shop: keep the room running
                    log.exception("simulator input %s%r could not be replayed: skipped", inp.op, inp.args)
                finally:
                    self._replay_t = None
        finally:
            self._replaying = False

    def _input(self, op: str, args: tuple, kwargs: dict | None = None) -> None:
        """A show-side input (segment, off air, countdown, lucky bag, buyers, ...): integrate the room up to
        now, then journal it, so a resumed room replays it at the same step."""
        if not self._replaying:
            self._sync()
            self._record(op, args, kwargs=kwargs, strict=False)

    @staticmethod
    def _payload(payload: Any) -> dict:
        if isinstance(payload, dict):
            return payload
        inner = getattr(payload, "payload", None)  # a journal Event
        return inner if isinstance(inner, dict) else {}

    def _on_segment(self, topic: str, payload: Any) -> None:
        if topic != "rundown.segment":
            return
        data = self._payload(payload)
        self.set_segment(data.get("kind"), data.get("products") or [])

    def _on_stream(self, topic: str, payload: Any) -> None:
        if topic == "journal.stream.failover":
            self.set_off_air(True)
        elif topic == "journal.stream.returned":
            self.set_off_air(False)

    def _on_console(self, topic: str, payload: Any) -> None:
        kind = topic[len("journal."):]
        if kind in ("console.lucky_bag_started", "console.lucky_bag_ended"):
            data = self._payload(payload)
            try:
                if kind.endswith("started"):
                    self.start_lucky_bag(str(data.get("passphrase") or ""), float(data.get("countdown_s") or 0),
                                         bool(data.get("follow_required", True)))
                else:
                    self.stop_lucky_bag()
            except (PlatformError, TypeError, ValueError) as e:
                log.warning("simulated room ignores %s: %s", kind, e)
            return
        if "countdown" not in kind and "offer" not in kind:
            return
        data = self._payload(payload)
        sku = data.get("sku")
        if sku not in self._index:
            return
        if any(w in kind for w in ("stop", "end", "cancel", "revert", "expire", "pause")):
            self.stop_countdown(sku)
            return
        for key in ("seconds", "duration_s", "duration", "countdown_s"):
            value = data.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                self.start_countdown(sku, float(value))
                return

    def _new_talk(self) -> None:
        """A new room says nothing yet (part of starting a room at step 0)."""
        self._talk.reset()
        self._talk_ctx: TalkContext | None = None
        self._price_change: tuple[int, int, bool] | None = None   # (SKU index, step, went up)
        self._bag: tuple[str, bool, int] | None = None            # (passphrase, follow required, end step)
        self._wave: ComplaintWave | None = None

    # ---- show-side controls (not part of the Platform port) ---------------------------------
    def set_segment(self, kind: str | None, products: list[str] | tuple[str, ...] = ()) -> None:
        """The run-of-show moved on: shapes arrivals, interaction and which products get attention."""
        with self._lock:
            self._input("set_segment", (kind, list(products)))
            self._segment_kind = kind if kind in SEGMENTS else None
            self._dirty = True
            self._in_segment[:] = False
            for sku in products:
                i = self._index.get(sku)
                if i is not None:
                    self._in_segment[i] = True

    def set_off_air(self, off_air: bool) -> None:
        """Off air or on the backup feed: viewers leave and the feed sends fewer."""
        with self._lock:
            self._input("set_off_air", (bool(off_air),))
            self._off_air = bool(off_air)
            self._dirty = True

    def start_countdown(self, sku: str, seconds: float) -> None:
        """A countdown offer on `sku` ("back to the original price in 3 minutes") runs for `seconds`."""
        with self._lock:
            i = self._sku_index(sku)
            if not seconds > 0:
                raise PlatformError(f"countdown for {sku}: seconds must be > 0, got {seconds!r}")
            self._input("start_countdown", (sku, float(seconds)))
            self._countdown_end[i] = self._step * DT + float(seconds)
            self._dirty = True

    def stop_countdown(self, sku: str) -> None:
        with self._lock:
            i = self._sku_index(sku)
            self._input("stop_countdown", (sku,))
            self._countdown_end[i] = -1.0
            self._dirty = True

    def start_lucky_bag(self, passphrase: str, seconds: float, follow_required: bool = True) -> None:
        """A lucky bag 福袋 runs for `seconds`: viewers stay for the draw, the feed sends more (the 福袋 badge),
        those who join comment its passphrase 口令 (and follow first, if that is a condition)."""
        with self._lock:
            if not (isinstance(passphrase, str) and passphrase.strip()):
                raise PlatformError("lucky bag: the passphrase 口令 must be some text")
            if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
                raise PlatformError(f"lucky bag: seconds must be > 0, got {seconds!r}")
            self._input("start_lucky_bag", (passphrase, float(seconds), bool(follow_required)))
            self._bag = (passphrase.strip(), bool(follow_required), self._step + int(math.ceil(seconds / DT)))
            self._dirty = True
            self._talk_ctx = None

    def stop_lucky_bag(self) -> None:
        with self._lock:
            self._input("stop_lucky_bag", ())
            self._bag = None
            self._dirty = True
            self._talk_ctx = None

    def complaint_wave(self, topic: str, per_s: float, seconds: float) -> None:
        """Complaints of `topic` (quality, shipping_slow, fake, refund) spread in the room: `per_s` a second on
        top of the usual ones, for `seconds` from now."""
        with self._lock:
            if topic not in COMPLAINTS:
                raise PlatformError(f"complaint wave: topic must be one of {', '.join(COMPLAINTS)}, got {topic!r}")
            if not (isinstance(per_s, (int, float)) and math.isfinite(per_s) and per_s >= 0):
                raise PlatformError(f"complaint wave: per_s must be a number ≥ 0, got {per_s!r}")
            if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
                raise PlatformError(f"complaint wave: seconds must be > 0, got {seconds!r}")
            self._input("complaint_wave", (topic, float(per_s), float(seconds)))
            self._wave = ComplaintWave(topic, float(per_s), self._step, self._step + int(math.ceil(seconds / DT)))
            self._talk_ctx = None

    def advance_to(self, mono: float) -> None:
        """Integrate the room up to monotonic time `mono` (normally done lazily from the clock)."""
        with self._lock:
            target = int(math.floor((mono - self._t0) / DT + 1e-9))
            while self._step < target:
                if self._pending_inputs:
                    self._replay_due()
                self._step_once()
            if self._pending_inputs:
                self._replay_due()

    def run_for(self, seconds: float) -> MetricsSnapshot:
        """Move a ManualClock on by `seconds` (or just the model, on another clock) and return the figures."""
        advance = getattr(self.clock, "advance", None)
        with self._lock:
            if advance is not None:
                advance(seconds)
                self._sync()
            else:
                self.advance_to(self._t0 + self._step * DT + seconds)
            return self._snapshot()

    @property
    def elapsed(self) -> float:
        """Show seconds integrated so far."""
        return self._step * DT

    @property
    def skus(self) -> list[str]:
        return list(self._skus)

    # ---- the Platform port: writes --------------------------------------------------------
    def list_product(self, sku: str, *, idempotency_key: str) -> None:
        def apply() -> None:
            self._listed[self._sku_index(sku)] = True
        return self._write("list_product", idempotency_key, (sku,), apply, sku)

    def unlist_product(self, sku: str, *, idempotency_key: str) -> None:
        def apply() -> None:
            i = self._sku_index(sku)
            self._listed[i] = False
            if self._pinned == i:
                self._pinned = None
        return self._write("unlist_product", idempotency_key, (sku,), apply, sku)

    def set_price(self, sku: str, price: int, *, idempotency_key: str) -> None:
        def apply() -> None:
            i = self._sku_index(sku)
            _check_int(price, "price", f"set_price {sku}")
            if price <= 0:
                raise PlatformError(f"set_price {sku}: price must be at least 1 分, got {price}")
            if price != self._price[i]:
                self._price_change = (i, self._step, price > self._price[i])
            self._price[i] = int(price)
        return self._write("set_price", idempotency_key, (sku, price), apply, sku)

    def set_stock(self, sku: str, stock: int, *, idempotency_key: str) -> None:
        def apply() -> None:
            i = self._sku_index(sku)
            _check_int(stock, "stock", f"set_stock {sku}")
            if stock < 0:
                raise PlatformError(f"set_stock {sku}: stock cannot be negative, got {stock}")
            self._stock[i] = int(stock)
        return self._write("set_stock", idempotency_key, (sku, stock), apply, sku)

    def set_displayed_stock(self, sku: str, shown: int | None, *, idempotency_key: str) -> None:
        def apply() -> None:
            i = self._sku_index(sku)
            if shown is not None:
                _check_int(shown, "displayed stock", f"set_displayed_stock {sku}")
                if shown < 0:
                    raise PlatformError(f"set_displayed_stock {sku}: cannot show a negative stock, got {shown}")
            self._displayed[i] = -1 if shown is None else shown
        return self._write("set_displayed_stock", idempotency_key, (sku, shown), apply, sku)

    def pin_product(self, sku: str | None, *, idempotency_key: str) -> None:
        def apply() -> None:
            if sku is None:
                self._pinned = None
                return
            i = self._sku_index(sku)
            if not self._listed[i]:
                raise PlatformError(f"pin_product {sku}: only a listed product can be pinned; list it first")
            self._pinned = i
        return self._write("pin_product", idempotency_key, (sku,), apply, sku)

    def issue_coupon(self, spec: CouponSpec, *, idempotency_key: str) -> str:
        def apply() -> str:
            if not isinstance(spec, CouponSpec):
                raise PlatformError(f"issue_coupon: expected a CouponSpec, got {type(spec).__name__}")
            if spec.sku is not None:
                self._sku_index(spec.sku)
            for value, what in ((spec.amount, "amount"), (spec.threshold, "threshold")):
                _check_int(value, what, "issue_coupon")
            if spec.amount <= 0:
                raise PlatformError(f"issue_coupon: amount must be at least 1 分, got {spec.amount}")
            if spec.threshold < 0:
                raise PlatformError(f"issue_coupon: threshold cannot be negative, got {spec.threshold}")
            if spec.threshold > 0 and spec.amount >= spec.threshold:
                raise PlatformError(f"issue_coupon: amount ({spec.amount} 分) must be below the threshold "
                                    f"({spec.threshold} 分)")
            if spec.total_qty is not None:
                _check_int(spec.total_qty, "total_qty", "issue_coupon")
                if spec.total_qty <= 0:
                    raise PlatformError(f"issue_coupon: total_qty must be > 0 or None, got {spec.total_qty}")
            _check_int(spec.per_buyer_limit, "per_buyer_limit", "issue_coupon")
            if spec.per_buyer_limit < 1:
                raise PlatformError(f"issue_coupon: per_buyer_limit must be ≥ 1, got {spec.per_buyer_limit}")
            coupon_id = f"CPN-{len(self._coupons) + 1:04d}"
            self._coupons[coupon_id] = _Coupon(coupon_id, spec)
            return coupon_id
        return self._write("issue_coupon", idempotency_key, (spec,), apply,
                           spec.sku if isinstance(spec, CouponSpec) else None)

    def stop_coupon(self, coupon_id: str, *, idempotency_key: str) -> None:
        def apply() -> None:
            self._coupon(coupon_id).active = False
        return self._write("stop_coupon", idempotency_key, (coupon_id,), apply, self._coupon_sku(coupon_id))

    # ---- flash offers (native) ----------------------------------------------------------------
    def start_offer(self, spec: OfferSpec, *, idempotency_key: str) -> str:
        def apply() -> str:
            if not isinstance(spec, OfferSpec):
                raise PlatformError(f"start_offer: expected an OfferSpec, got {type(spec).__name__}")
            i = self._sku_index(spec.sku)
            _check_int(spec.price, "price", f"start_offer {spec.sku}")
            if spec.price <= 0:
                raise PlatformError(f"start_offer {spec.sku}: price must be at least 1 分, got {spec.price}")
            if not (isinstance(spec.duration_s, (int, float)) and math.isfinite(spec.duration_s)
                    and spec.duration_s > 0):
                raise PlatformError(f"start_offer {spec.sku}: duration_s must be > 0, got {spec.duration_s!r}")
            for value, what in ((spec.quantity, "quantity"), (spec.per_buyer_limit, "per_buyer_limit")):
                if value is not None:
                    _check_int(value, what, f"start_offer {spec.sku}")
                    if value < 1:
                        raise PlatformError(f"start_offer {spec.sku}: {what} must be ≥ 1 or None, got {value}")
            t = self._t()
            old = self._offer_at.get(i)
            if old is not None and old.active(t):
                old.stopped = True       # one offer per product: the new one replaces it
            oid = f"OFR-{len(self._offers) + 1:04d}"
            o = SimOffer(oid, i, spec, t, t + float(spec.duration_s))
            self._offers[oid] = o
            self._offer_at[i] = o
            self._countdown_end[i] = self._step * DT + float(spec.duration_s)
            self._price_change = (i, self._step, False)
            return oid
        return self._write("start_offer", idempotency_key, (spec,), apply,
                           spec.sku if isinstance(spec, OfferSpec) else None)

    def stop_offer(self, offer_id: str, *, idempotency_key: str) -> None:
        def apply() -> None:
            o = self._offer(offer_id)
            if not o.stopped:
                o.stopped = True
                if self._offer_at.get(o.index) is o:
                    self._countdown_end[o.index] = -1.0
                    self._price_change = (o.index, self._step, True)   # back to its own price: "怎么涨价了"
        return self._write("stop_offer", idempotency_key, (offer_id,), apply, self._offer_sku(offer_id))

    def read_offer(self, offer_id: str) -> OfferState:
        return self._read("read_offer", lambda: self._offer(offer_id).state(self._t()), self._offer_sku(offer_id))

    # ---- the Platform port: reads ---------------------------------------------------------
    def read_product(self, sku: str) -> ProductState:
        return self._read("read_product", lambda: self._product_state(self._sku_index(sku)), sku)

    def read_products(self) -> list[ProductState]:
        return self._read("read_products", lambda: [self._product_state(i) for i in range(len(self._skus))])

    def read_coupon(self, coupon_id: str) -> CouponState:
        def read() -> CouponState:
            c = self._coupon(coupon_id)
            return CouponState(c.coupon_id, c.spec, c.issued, c.active and c.remaining() != 0)
        return self._read("read_coupon", read, self._coupon_sku(coupon_id))

    def metrics(self) -> MetricsSnapshot:
        return self._read("metrics", self._snapshot)

    def comments(self, since: str | None = None, limit: int = 500) -> CommentPage:
        """The room's comments from cursor `since` (a number: the show-wide index of the next comment)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise PlatformError(f"comments: limit must be a whole number ≥ 1, got {limit!r}")

        def read() -> CommentPage:
            now_mono, now_utc = self.clock.monotonic(), self.clock.utcnow().timestamp()
            t0 = self._t0

            def utc_of(step: float) -> float:   # the instant show step `step` ended, on the wall clock
                return now_utc - (now_mono - (t0 + step * DT))
            try:
                return self._talk.page(since, limit, utc_of)
            except ValueError as e:
                raise PlatformError(f"comments: {e}") from None
        return self._read("comments", read)

    # ---- call plumbing ----------------------------------------------------------------------
    def _write(self, method: str, key: str, args: tuple, apply, sku: str | None = None):
        if not isinstance(key, str) or not key.strip():
            raise PlatformError(f"{method}: an idempotency key (non-empty text) is required")
        if self._replaying:   # a journaled write re-applied on resume: no faults, no clock, no second record
            return self._apply_write(method, key, args, apply)
        return self._retrying(lambda: self._write_once(method, key, args, apply, sku))

    def _write_once(self, method: str, key: str, args: tuple, apply, sku: str | None):
        self._sleep(method)
        self._hang(method, sku)
        with self._lock:
            self._sync()
            now = self.clock.monotonic()
            self._injector.before_call(self.faults, method, now)
            self._window_faults(method, sku, now, write=True)
            if key in self._idempotency:
                first_method, first_args, result = self._idempotency[key]
                if (first_method, first_args) != (method, args):
                    raise PlatformError(f"{method}: idempotency key {key!r} was already used for a different "
                                        f"request ({first_method}{first_args!r})")
                if key in self._errored_keys and self._window("apply_then_error", sku, now):
                    raise PlatformUnavailable(f"{method}: HTTP 500 (injected; the first request was applied)")
                return result   # a retry: the first answer, never applied twice
            timeout = self._injector.timeout(self.faults, method)
            if timeout == "before":
                raise FaultInjector.timeout_error(method, applied=False)
            self._record(method, args, key)
            result = self._apply_write(method, key, args, apply)
            if self._window("apply_then_error", sku, now):
                self._errored_keys.add(key)
                raise PlatformUnavailable(f"{method}: HTTP 500 (injected, after applying it)")
            if timeout == "after":
                raise FaultInjector.timeout_error(method, applied=True)
            return result

    def _apply_write(self, method: str, key: str, args: tuple, apply):
        result = apply()  # raises PlatformError before changing anything if the request is invalid
        self._dirty = True
        self._idempotency[key] = (method, args, result)
        self.write_log.append((self._step * DT, method, key, args))
        return result

    def _read(self, method: str, fn, sku: str | None = None):
        def once():
            self._sleep(method)
            self._hang(method, sku)
            with self._lock:
                self._sync()
                now = self.clock.monotonic()
                self._injector.before_call(self.faults, method, now)
                self._window_faults(method, sku, now, write=False)
                return fn()
        return self._retrying(once)

    def _retrying(self, once):
        """Inside a caller's deadline the shop retries like a real adapter would (a 429's Retry-After, 5xx and
        timeouts with the same key, exponential backoff), never past the deadline. Outside one, it answers once."""
        attempt = 0
        while True:
            try:
                return once()
            except PlatformError as e:
                left = time_left()
                if not e.retryable or left is None or attempt >= 8:
                    raise
                attempt += 1
                wait = float(e.retry_after) if isinstance(e, PlatformRateLimited) else min(2.0, 0.25 * 2 ** (attempt - 1))
                if wait >= left:
                    raise
                self._wait(wait)

    def _wait(self, seconds: float) -> None:
        """Wait on the shop's clock: a simulated clock parks the caller until it is moved on; a ManualClock
        moves on; the system clock sleeps."""
        if seconds <= 0:
            return
        sleep = getattr(self.clock, "sleep", None)
        (sleep or time.sleep)(seconds)

    def _window(self, kind: str, sku: str | None, now: float) -> FaultWindow | None:
        for w in self.fault_windows:
            if w.kind == kind and w.covers(sku, now):
                return w
        return None

    def _window_faults(self, method: str, sku: str | None, now: float, *, write: bool) -> None:
        w = self._window("rate_limit", sku, now)
        if w is not None:
            raise PlatformRateLimited(f"{method}: HTTP 429 (injected)", retry_after=round(max(0.001, w.end - now), 3))
        if write and self._window("error", sku, now):
            raise PlatformUnavailable(f"{method}: HTTP 500 (injected, not applied)")

    def _hang(self, method: str, sku: str | None) -> None:
        """No answer while a hang covers the call: wait out the window, or time out at the caller's deadline."""
        with self._lock:
            w = self._window("hang", sku, self.clock.monotonic())
        if w is None:
            return
        d = current_deadline()
        until = w.end if d is None else min(w.end, d.at)
        self._wait(until - self.clock.monotonic())
        if d is not None and until < w.end:
            raise PlatformTimeout(f"{method}: no answer from the shop (injected hang); retry with the same key")

    def inject_fault(self, kind: str, sku: str | None = None, for_s: float = 30.0) -> FaultWindow:
        """Lay a fault of a rehearsal's kind on `sku` (None: every call) for `for_s` seconds from now."""
        if sku is not None:
            self._sku_index(sku)
        if not (isinstance(for_s, (int, float)) and math.isfinite(for_s) and for_s >= 0):
            raise ValueError(f"for_s must be a finite number of seconds ≥ 0, got {for_s!r}")
        now = self.clock.monotonic()
        w = FaultWindow(kind, sku, now, now + float(for_s))
        with self._lock:
            self.fault_windows = [x for x in self.fault_windows if x.end > now] + [w]
        return w

    def _sleep(self, method: str) -> None:
        # Outside the lock: a slow call must not freeze the metrics poller, as on a real API.
        with self._lock:
            delay = self._injector.latency(self.faults, method)
        if delay > 0:
            time.sleep(delay)

    def _t(self) -> float:
        """Show seconds now, on the shop's clock (while an input is replayed: when it was first applied)."""
        if self._replay_t is not None:
            return self._replay_t
        return self.clock.monotonic() - self._t0

    def _offer(self, offer_id: str) -> SimOffer:
        o = self._offers.get(offer_id) if isinstance(offer_id, str) else None
        if o is None:
            raise PlatformError(f"unknown offer {offer_id!r}")
        return o

    def _offer_sku(self, offer_id: str) -> str | None:
        o = self._offers.get(offer_id) if isinstance(offer_id, str) else None
        return self._skus[o.index] if o is not None else None

    def _coupon_sku(self, coupon_id: str) -> str | None:
        c = self._coupons.get(coupon_id) if isinstance(coupon_id, str) else None
        return c.spec.sku if c is not None else None

    def _live_offer(self, i: int, t: float) -> SimOffer | None:
        o = self._offer_at.get(i)
        return o if o is not None and o.active(t) else None

    # ---- a rehearsal's buyers -----------------------------------------------------------------
    def place_order(self, sku: str, units: int, *, buyer: str) -> OrderResult:
        """One buyer tries to buy `units` of `sku` at the shop's price now: the offer price for what the offer
        still has and the buyer's offer limit allows, the product's own price for the rest (within the product's
        per-buyer limit and the stock). The buyer uses every live coupon that applies (the worst case the
        console's interlocks assume). Counted in metrics like any order, paid at once."""
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a whole number ≥ 1, got {units!r}")
        with self._lock:
            i = self._sku_index(sku)
            self._input("place_order", (sku, units), {"buyer": buyer})   # a buyer is the world's input
            if not self._listed[i]:
                return OrderResult({}, 0, "not listed")
            limit = int(self._limit[i])
            had = self._bought.get((buyer, i), 0)
            want = min(units, max(0, limit - had)) if limit > 0 else units
            want = min(want, self._stock[i])
            if want <= 0:
                return OrderResult({}, 0, "sold out" if self._stock[i] <= 0 else "over the per-buyer limit")
            t = self._t()
            o = self._live_offer(i, t)
            at_offer = o.units_for(buyer, want) if o is not None else 0
            at_own = want - at_offer
            filled: dict[int, int] = {}
            if at_offer:
                filled[o.spec.price] = at_offer
            if at_own:
                filled[self._price[i]] = filled.get(self._price[i], 0) + at_own
            basket = sum(p * n for p, n in filled.items())
            off = 0
            for c in self._coupons.values():
                if not c.active or c.remaining() == 0 or (c.spec.sku is not None and c.spec.sku != sku):
                    continue
                if c.spec.threshold > basket:
                    continue
                off += c.spec.amount
                self._claim(c, 1)
            paid = max(1, basket - off)
            if o is not None and at_offer:
                o.take(buyer, at_offer)
                if not o.active(t):
                    self._countdown_end[i] = -1.0
            self._bought[(buyer, i)] = had + want
            self._stock[i] -= want
            c = self._c
            c["orders"][i] += 1
            c["units"][i] += want
            c["gmv"][i] += paid
            c["paid_orders"][i] += 1
            c["paid_gmv"][i] += paid
            self._buyers += 1
            self._dirty = True
            return OrderResult(filled, paid)

    @property
    def audience(self) -> bool:
        """False: the room has no audience of its own (a rehearsal); the only buyers are place_order calls."""
        return self._audience

    @audience.setter
    def audience(self, on: bool) -> None:
        self.set_audience(on)

    def set_audience(self, on: bool) -> None:
        with self._lock:
            self._input("set_audience", (bool(on),))
            self._audience = bool(on)
            self._dirty = True

    def true_metrics(self) -> MetricsSnapshot:
        """The counters as they are (no injected fault in the way): for a rehearsal's final account."""
        with self._lock:
            self._sync()
            return self._snapshot()

    def true_product(self, sku: str) -> ProductState:
        """What the shop really does now (a lying read-back aside): for a rehearsal's final account."""
        with self._lock:
            self._sync()
            return self._product_state(self._sku_index(sku), truth=True)

    def _sync(self) -> None:
        self.advance_to(self.clock.monotonic())

    def _sku_index(self, sku: str) -> int:
        i = self._index.get(sku) if isinstance(sku, str) else None
        if i is None:
            known = ", ".join(self._skus[:8]) + (f" and {len(self._skus) - 8} more" if len(self._skus) > 8 else "")
            raise PlatformError(f"unknown SKU {sku!r}: this shop sells {known}")
        return i

    def _coupon(self, coupon_id: str) -> _Coupon:
        c = self._coupons.get(coupon_id) if isinstance(coupon_id, str) else None
        if c is None:
            raise PlatformError(f"unknown coupon {coupon_id!r}")
        return c

    def _product_state(self, i: int, truth: bool = False) -> ProductState:
        it = self._items[i]
        shown = int(self._displayed[i])
        price = int(self._price[i])
        if not truth:
            price = self.faults.reported_price(it.sku, price)
            if self._window("lie", it.sku, self.clock.monotonic()):
                price *= 10
        o = self._offer_at.get(i)
        t = self._t()
        return ProductState(sku=it.sku, title=it.title, list_price=int(self._list_price[i]), price=price,
                            stock=int(self._stock[i]), listed=bool(self._listed[i]),
                            pinned=self._pinned == i, displayed_stock=None if shown < 0 else shown,
                            offer=o.state(t) if o is not None and o.active(t) else None)

    def _snapshot(self) -> MetricsSnapshot:
        c = self._c
        skus = {sku: SkuMetrics(sku, *(int(c[k][i]) for k in ("impressions", "clicks", "add_to_cart", "orders",
                                                               "paid_orders", "units", "gmv", "paid_gmv")))
                for i, sku in enumerate(self._skus)}
        return MetricsSnapshot(
            online=self._online, views=self._views, unique_viewers=self._uv,
            room_impressions=self._room_impressions, comments=self._comments, likes=self._likes,
            shares=self._shares, interacting_viewers=self._interacting, new_followers=self._followers,
            product_impressions=int(c["impressions"].sum()), product_clicks=int(c["clicks"].sum()),
            add_to_cart=int(c["add_to_cart"].sum()), orders=sum(c["orders"]), paid_orders=sum(c["paid_orders"]),
            buyers=self._buyers, gmv=sum(c["gmv"]), paid_gmv=sum(c["paid_gmv"]), skus=skus)

    # ---- the model --------------------------------------------------------------------------
    def _effect(self) -> SegmentEffect:
        seg = SEGMENTS[self._segment_kind]
        mods = ([OFF_AIR] if self._off_air else []) + ([lucky_bag_effect(self._bag[1])] if self._bag else [])
        for m in mods:
            seg = SegmentEffect(*(getattr(seg, f) * getattr(m, f)
                                  for f in ("arrive", "leave", "interact", "convert", "follow")))
        return seg

    def _talk_context(self) -> TalkContext:
        if self._talk_ctx is None:
            bag = self._bag
            self._talk_ctx = TalkContext(pinned=self._pinned, listed=tuple(np.flatnonzero(self._listed).tolist()),
                                         price_change=self._price_change,
                                         bag=(bag[0], bag[1]) if bag else None, wave=self._wave)
        return self._talk_ctx

    def _prices_now(self, t: float) -> list[int]:
        """What a viewer pays a unit of each SKU at show second t: a live offer's price, else the product's."""
        prices = list(self._price)
        for i, o in self._offer_at.items():
            if o.active(t):
                prices[i] = o.spec.price
        return prices

    def _coupon_terms(self, prices: list[int] | None = None) -> tuple[np.ndarray, list[_Coupon | None], np.ndarray]:
        """Per SKU: the saving per unit a viewer expects, the coupon they'd use, the units it needs."""
        prices = self._price if prices is None else prices
        n = len(self._skus)
        saving = np.zeros(n)
        best: list[_Coupon | None] = [None] * n
        need = np.ones(n, dtype=np.int64)
        live = [c for c in self._coupons.values() if c.active and c.remaining() != 0]
        if not live:
            return saving, best, need
        for i in range(n):
            price = int(prices[i])
            for c in live:
                if c.spec.sku is not None and self._index[c.spec.sku] != i:
                    continue
                units = max(1, -(-c.spec.threshold // price))   # units needed to reach the threshold
                if units > self._limit[i]:
                    continue
                per_unit = min(c.spec.amount, units * price - 1) / units
                if per_unit > saving[i]:
                    saving[i], best[i], need[i] = per_unit, c, units
        return saving, best, need

    def _refresh_factors(self, t: float) -> None:
        """Per-SKU probabilities; recomputed only when something they depend on changed (it is the hot path)."""
        p = self.params
        n = len(self._skus)
        seg = self._effect()
        self._seg = seg
        stock = np.array(self._stock, dtype=float)
        in_stock = stock > 0
        pinned = np.zeros(n, dtype=bool)
        if self._pinned is not None:
            pinned[self._pinned] = True
        prices = self._prices_now(t)
        saving, self._coupon_of, self._coupon_need = self._coupon_terms(prices)
        self._any_coupon = any(c is not None for c in self._coupon_of)
        price = np.array(prices, dtype=float)
        effective = np.maximum(price - saving, 1.0)
        discount = 1.0 - effective / self._list_price
        mult = np.clip(np.exp(p.price_sensitivity * (discount - self._ref_discount)), 0.01, 10.0)
        mult = np.where(price > self._list_price, mult * 0.3, mult)
        mult = np.where(saving > 0, mult * p.coupon_boost, mult)
        # Low stock on show (仅剩N件) is urgency; the platform's own "almost gone" badge is a milder one.
        urgency = 1.0 + np.where(self._displayed >= 0, 0.6 * np.clip(1.0 - self._displayed / 300.0, 0.0, 1.0),
                                 0.3 * np.clip(1.0 - stock / 100.0, 0.0, 1.0))
        left = self._countdown_end - t
        countdown = np.where(left > 0, np.where(left <= 60.0, p.countdown_final_boost, p.countdown_boost), 1.0)
        bounds = [e for e in self._countdown_end if e > t] + [e - 60.0 for e in self._countdown_end if e - 60.0 > t]
        self._refresh_at = min(bounds) if bounds else math.inf
        imp_rate = np.where(pinned, p.pinned_impressions,
                            np.where(self._in_segment, p.segment_impressions, p.listed_impressions)) * self._listed
        ctr = np.minimum(np.where(pinned, p.pinned_ctr, p.ctr) * np.sqrt(mult), 0.9)
        p_cart = np.minimum(p.add_to_cart * np.sqrt(mult * urgency), 0.9) * in_stock
        p_order = (p.click_to_order * mult * urgency * countdown * seg.convert
                   * np.where(pinned, p.pinned_order_boost, 1.0) * np.where(self._in_segment, 1.2, 1.0))
        p_order = np.minimum(p_order, 0.9) * in_stock
        # Impressions are Poisson, so splitting them by outcome gives independent Poisson counts: one draw
        # per step covers the whole funnel (see _FUNNEL).
        clicked = imp_rate * ctr
        self._funnel_rates = np.concatenate((
            imp_rate * (1.0 - ctr),
            clicked * (1.0 - p_cart) * (1.0 - p_order),
            clicked * p_cart * (1.0 - p_order),
            clicked * (1.0 - p_cart) * p_order,
            clicked * p_cart * p_order)) * DT
        self._p_leave = min(1.0, DT / p.mean_stay_s * seg.leave)
        self._p_interact = min(1.0, p.interact_hazard * seg.interact * DT)
        self._p_follow = min(1.0, p.follow_hazard * seg.follow * DT)
        # Viewers claim coupons for what they can buy: shop-wide ones, or a listed product's.
        self._live_coupons = [c for c in self._coupons.values() if c.active and c.remaining() != 0
                              and (c.spec.sku is None or self._listed[self._index[c.spec.sku]])]
        self._dirty = False

    def _step_once(self) -> None:
        if not self._audience:   # a rehearsal: nobody comes in; the only buyers are place_order calls
            self._step += 1
            return
        p = self.params
        t = self._step * DT
        n = len(self._skus)
        if self._bag is not None and self._step >= self._bag[2]:
            self._bag = None          # the lucky bag's countdown ran out: the draw; the room goes back to normal
            self._dirty = True
        if self._dirty:
            self._talk_ctx = None
        if self._dirty or t >= self._refresh_at:
            self._refresh_factors(t)
        seg = self._seg

        # Traffic waves: a mean-reverting log factor (the platform's feed pushes and pulls).
        b, k = divmod(self._step, NOISE_BLOCK)
        if b != self._noise_b:
            self._key(self._noise_bits, self._noise_state, b)
            self._noise_block = self._noise_rng.standard_normal(NOISE_BLOCK).tolist()
            self._noise_b = b
        z = self._noise_block[k]
        self._noise += -self._noise * DT / p.noise_tau_s + p.noise_sigma * math.sqrt(DT) * z
        ramp = min(1.0, 0.25 + 0.75 * t / p.ramp_s)
        arrive = (self._base_rate * DT * time_of_day_factor(self._start_local + t) * ramp * seg.arrive
                  * math.exp(self._noise))

        # One Poisson draw for the second: feed impressions split by outcome (first visit, return, pass),
        # chat, leaving/interacting/following (rare per viewer, so Poisson ≈ binomial; clamped), the
        # product funnel by outcome, coupon claims.
        online = self._online
        fresh = online - self._engaged
        coupons = self._live_coupons
        interact = online * seg.interact * DT
        lam = self._lam
        if len(lam) != 9 + 5 * n + len(coupons):
            lam = self._lam = np.empty(9 + 5 * n + len(coupons))
        lam[:9] = (arrive * (1.0 / p.room_ctr - 1.0), arrive * p.new_viewer_share,
                   arrive * (1.0 - p.new_viewer_share), interact * p.comment_rate, interact * p.like_rate,
                   interact * p.share_rate, online * self._p_leave, fresh * self._p_interact,
                   online * self._p_follow)
        np.multiply(self._funnel_rates, online, out=lam[9:9 + 5 * n])
        lam[9 + 5 * n:] = online * p.coupon_claim_rate * DT
        self._key(self._bits, self._bits_state, self._step)   # this step's draws: a function of (seed, step)
        d = self._rng.poisson(lam)
        passed, first_visits, returning, comments, likes, shares, leaving, first_interactions, follows = \
            d[:9].tolist()
        leaving = min(leaving, online)
        first_interactions = min(first_interactions, fresh)
        arrivals = first_visits + returning

        # Audience bookkeeping.
        self._engaged += first_interactions
        self._interacting += first_interactions
        engaged_leaving = leaving * self._engaged // online if online else 0
        self._online = online - leaving + arrivals
        returning_engaged = returning * self._interacting // self._uv if self._uv else 0
        self._engaged = min(self._online, self._engaged - engaged_leaving + returning_engaged)
        self._uv += first_visits
        self._views += arrivals
        self._room_impressions += passed + arrivals
        self._interacting = min(self._interacting, self._uv)
        self._followers = min(self._uv, self._followers + follows)
        self._comments += self._talk.step(self._step, comments, self._online, self._uv, self._talk_context())
        self._likes += likes
        self._shares += shares
        if coupons:
            for c, claims in zip(coupons, d[9 + 5 * n:].tolist()):
                self._claim(c, claims)

        step = _FUNNEL @ d[9:9 + 5 * n].reshape(5, n)   # impressions, clicks, carts, orders
        self._funnel += step[:3]
        orders = step[3]
        if orders.any():
            self._sell(orders)
        self._step += 1
        if self._late_payments:
            for i, amount in self._late_payments.pop(self._step, ()):
                self._c["paid_orders"][i] += 1
                self._c["paid_gmv"][i] += amount

    def _claim(self, c: _Coupon, qty: int) -> int:
        remaining = c.remaining()
        if remaining is not None:
            qty = min(qty, remaining)
            if qty == remaining:
                self._dirty = True  # the coupon is used up: demand drops back
        c.issued += qty
        return qty

    def _sell(self, orders_by_sku: np.ndarray) -> None:
        p = self.params
        idx = np.flatnonzero(orders_by_sku).tolist()
        ords = orders_by_sku[idx].tolist()
        m = len(idx)
        total = sum(ords)
        limit_m1 = self._limit_m1
        buyers_p = 0.8 * max(0.0, 1.0 - self._buyers / max(1, self._uv))
        late_p = (1.0 - p.pay_now) * p.pay_later
        d = self._rng.binomial([o * int(limit_m1[i]) for o, i in zip(ords, idx)] + ords + ords + [total],
                               [p.extra_unit_p] * m + [p.pay_now] * m + [late_p] * m + [buyers_p]).tolist()
        stock, price, c = self._stock, self._price, self._c
        sold = 0
        late_orders: list[tuple[int, int]] = []   # (sku index, 分 per order) for each order paid later
        for k, i in enumerate(idx):
            o, units, paid, late = ords[k], ords[k] + d[k], d[m + k], d[2 * m + k]
            left = stock[i]
            if units > left:  # never oversell: the last buyers get what is left, or nothing
                o = max(1, min(o, left * o // units)) if left > 0 else 0
                units = left
            if not o:
                continue
            paid = min(paid, o)
            late = min(late, o - paid)
            gmv = units * price[i]
            offer = self._live_offer(i, self._step * DT)
            if offer is not None:   # the flash price for what the offer still has, within its per-buyer limit
                at_offer = units if offer.spec.per_buyer_limit is None else min(units, o * offer.spec.per_buyer_limit)
                cap = offer.left()
                at_offer = at_offer if cap is None else min(at_offer, cap)
                gmv = at_offer * offer.spec.price + (units - at_offer) * price[i]
                offer.take(None, at_offer)
                if not offer.active(self._step * DT):
                    self._countdown_end[i] = -1.0
                    self._dirty = True
            cp = self._coupon_of[i]
            if cp is not None:
                users = o
                need = int(self._coupon_need[i])
                if need > 1:  # only orders with enough units reach the threshold
                    lim = int(limit_m1[i])
                    q = p.extra_unit_p
                    users = int(o * sum(math.comb(lim, j) * q ** j * (1 - q) ** (lim - j)
                                        for j in range(need - 1, lim + 1)))
                uses = self._claim(cp, users)
                gmv = max(o, gmv - uses * cp.spec.amount)
            stock[i] = left - units
            if stock[i] < 100:
                self._dirty = True  # low stock changes urgency (and sold out stops sales)
            sold += o
            c["orders"][i] += o
            c["units"][i] += units
            c["gmv"][i] += gmv
            c["paid_orders"][i] += paid
            c["paid_gmv"][i] += gmv * paid // o
            if late:
                late_orders.extend([(i, gmv // o)] * late)
        if not sold:
            return
        self._buyers = min(self._uv, self._buyers + max(min(d[3 * m], sold), 1 if self._buyers == 0 else 0))
        if late_orders:
            delays = self._rng.exponential(p.pay_delay_s, size=len(late_orders)).tolist()
            due = self._late_payments
            for order, delay in zip(late_orders, delays):
                due.setdefault(self._step + 1 + int(delay // DT), []).append(order)


def _check_int(value: Any, what: str, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise PlatformError(f"{where}: {what} must be a whole number (分 for money), got {value!r}")
