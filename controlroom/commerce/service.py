"""The console service: every action a control operator takes on the shop, behind the interlocks.

An action is a typed command (commands.py). It runs:
  request   judge it now and open a ticket (a non-allow verdict is journaled)
  submit    judge it again: a verdict worse than the one the ticket showed is shown again
            (VerdictChanged); a confirm needs confirmed=True, a block a supervisor override
  the lane  (one per SKU; different SKUs never wait on each other) judge it once more on the
            effective state at the moment it goes live, journal the intent — nothing is sent if
            the journal refuses — call the shop within one deadline, read back, and journal the
            outcome: applied, refused, failed or uncertain (may have applied; the SKU is locked
            until a read-back or the operator settles it).
Every change of the console's state is an event (events.py) applied by ConsoleState.apply
(state.py), live right after the journal commit and again on replay after a crash.

Timed work — offer ends, breaker pauses, settling read-backs — goes first in its lane. The adapter
is the one retry owner; the console only reads back.

Where the rest lives: the lane's work and settling (execution.py), the clock's work and the stream
guard's failovers (watch.py), replay and reconcile after a crash (recovery.py), tickets and outcomes
(tickets.py), judging (judge.py), the breaker (breaker.py), what screens read (views.py).
"""
from __future__ import annotations

import itertools
import logging
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from controlroom.commerce import commands as cmds
from controlroom.commerce import events as ev
from controlroom.commerce.breaker import Breaker
from controlroom.commerce.commands import readback_json
from controlroom.commerce.config import ConsoleSettings
from controlroom.commerce.execution import LaneWork
from controlroom.commerce.giveaways import LuckyBags
from controlroom.commerce.interlocks import ALLOW, BLOCK, CONFIRM, InterlockEngine, InterlockSettings, Verdict
from controlroom.commerce.judge import Judge, worse
from controlroom.commerce.lanes import LaneClosed, Lanes
from controlroom.commerce.money import format_yuan
from controlroom.commerce.plan import PlanError, PlanRow, check_plan, read_plan
from controlroom.commerce.recovery import Recovery
from controlroom.commerce.state import SHOP, ConsoleState
from controlroom.commerce.stock import StockLevels, Substitutes
from controlroom.commerce.supervisor import SupervisorSettings, verify_pin
from controlroom.commerce.tickets import (APPLIED_, FAILED, IGNORED, REFUSED, UNCERTAIN, AutoAction,  # noqa: F401
                                          ConfirmationRequired, ConsoleError, Outcome, Override, OverrideRefused,
                                          Ticket, VerdictChanged, _STATE_FOR)
from controlroom.commerce.views import ConsoleSnapshot, OfferView, ProductView, build_view
from controlroom.commerce.watch import Watch
from controlroom.journal import JournalWriteError
from controlroom.platform import CouponSpec, ProductState, capabilities_of, deadline

log = logging.getLogger(__name__)



class ConsoleService(LaneWork, Watch, Recovery, LuckyBags, Substitutes):
    def __init__(self, rt, *, engine: InterlockEngine | None = None):
        self.rt = rt
        self.clock = rt.clock
        self.bus = rt.bus
        self.journal = rt.journal
        self.platform = rt.platform
        self.settings: InterlockSettings = rt.settings.section("interlocks", InterlockSettings)
        self.config: ConsoleSettings = rt.settings.section("console", ConsoleSettings)
        rt.settings.section("supervisor", SupervisorSettings)   # refuse a bad [supervisor] now, not at an override
        self.engine = engine or InterlockEngine(self.settings)
        self.caps = capabilities_of(self.platform)
        self.state = ConsoleState()
        self.judge = Judge(self.engine, self.state, lambda: self.caps)
        self.breaker = Breaker(self.settings)
        self.stock = StockLevels()
        self._bag_ending: str | None = None        # the lucky bag whose draw is queued
        self._lock = threading.RLock()
        self.lanes = Lanes(self.config.lane_workers)
        self.tickets: dict[str, Ticket] = {}
        self._ids = itertools.count(1)
        self._run_id = uuid.uuid4().hex[:8]
        self._run_no = 0                           # which run of the session this is: 0, then +1 per resume
        self.session_id: int | None = None
        self.journal_ok = True
        self.killed = False
        self._inflight: set[str] = set()           # keys this process is running now
        self._stopping: dict[str, float] = {}      # sku -> mono an offer end was sent
        self._settle_at: dict[str, float] = {}     # lane -> mono of the next settling read-back
        self._recon_at: dict[str, float] = {}      # sku -> mono of the next try to reconcile it after a restart
        self._scheduled: list[tuple[float, CouponSpec, str]] = []
        self._poll_pending = False
        self._last_poll = -1e18
        self._last_probe = -1e18
        self._views: dict[str, ProductView] = {}
        self._products: tuple[ProductView, ...] | None = None
        self._plist: list[ProductView] = []       # the products in catalogue order, views updated in place
        self._pos: dict[str, int] = {}
        self._countdown_at = -1e18
        self._dirty: set[str] = {"*"}
        self._version = 0
        self._mono0 = self.clock.monotonic()
        self._utc0 = self.clock.utcnow().timestamp()
        self._unsub = [self.bus.subscribe(self._on_stream, "journal.stream."),
                       self.bus.subscribe(self._on_journal_health, "journal.error"),
                       self.bus.subscribe(self._on_journal_health, "journal.recovered")]

    # ======================================================================= time
    def utc_now(self) -> float:
        """Wall time as seconds, moved by the monotonic clock (a wall-clock step never moves an offer end)."""
        return self._utc0 + (self.clock.monotonic() - self._mono0)

    def mono_of(self, utc: float) -> float:
        return self._mono0 + (utc - self._utc0)

    @property
    def supervisor(self) -> SupervisorSettings:
        """Read at every use: a PIN set or changed works at once and the old one stops at once."""
        return self.rt.settings.section("supervisor", SupervisorSettings)

    # ======================================================================= life cycle
    def on_session(self, session_id: int, resumed: bool) -> None:
        with self._lock:
            self.session_id = session_id
            # the runtime journaled this resume's session.resumed already: run n of the session is the n-th
            self._run_no = len(self.journal.events(session_id, kinds=["session.resumed"])) if resumed else 0
            self.state.__init__()
            self.tickets.clear()
            self._stopping.clear()
            self._settle_at.clear()
            self._recon_at.clear()
            self.stock = StockLevels()
            self.breaker = Breaker(self.settings)   # a new show is watched from its start (a resume: _replay)
            self._bag_ending = None
            self._dirty.add("*")
        if resumed:
            self._replay(session_id)
        else:
            plan_path = Path(self.rt.show_dir) / "products.csv"
            if plan_path.is_file():
                try:
                    self.import_plan(plan_path, actor="system")
                except PlanError:
                    pass  # journaled and raised as an alert by import_plan
            self._sync("session start")
        self._publish(None, "session")

    def close(self) -> None:
        for u in self._unsub:
            u()
        self._unsub = []
        self.lanes.close(wait=True)

    def kill(self) -> None:
        """Stop as a killed process would: nothing more is journaled or sent (rehearsal restarts)."""
        with self._lock:
            self.killed = True
        for u in self._unsub:
            u()
        self._unsub = []
        self.lanes.close(wait=False)

    def _sid(self) -> int:
        if self.session_id is None:
            sid = self.rt.session_id
            if sid is None:
                raise ConsoleError("no show session is open")
            self.session_id = sid
        return self.session_id

    # ======================================================================= the journal and the state
    def _commit(self, e: ev.Event, actor: str = "system") -> None:
        """Journal an event, then apply it. Caller holds self._lock. Raises JournalWriteError (nothing applied)."""
        if self.killed:
            raise ConsoleError("the console was stopped")
        try:
            self.journal.append(self._sid(), e.kind, actor, e.to_payload())
        except JournalWriteError as err:
            self._journal_down(str(err))
            raise
        self._changed(self.state.apply(e))

    def _note(self, kind: str, actor: str, payload: dict) -> bool:
        """Journal something that is news but no state (verdicts, confirmations, trips)."""
        if self.killed:
            return False
        try:
            self.journal.append(self._sid(), kind, actor, payload)
            return True
        except JournalWriteError as err:
            self._journal_down(str(err))
            return False

    def _journal_down(self, why: str) -> None:
        if self.journal_ok:
            self.journal_ok = False
            log.error("console: the journal cannot be written (%s); no action is sent until it can", why)
            self.bus.publish("console.journal", {"ok": False, "reason": why})
            self._dirty.add("*")

    def _on_journal_health(self, topic: str, payload: Any) -> None:
        if topic == "journal.recovered" and not self.journal_ok:
            with self._lock:
                self._journal_up()

    def _journal_up(self) -> None:
        self.journal_ok = True
        self.bus.publish("console.journal", {"ok": True, "reason": ""})
        self._dirty.add("*")
        # actions whose outcome could not be journaled are settled by a read-back now
        for p in self.state.pending.values():
            if p.key not in self._inflight:
                self._settle_at.setdefault(p.lane, self.clock.monotonic())

    def _changed(self, lanes: set[str]) -> None:
        self._dirty |= lanes
        self._version += 1

    def _publish(self, sku: str | None, why: str) -> None:
        self.bus.publish("console.state", {"sku": sku, "why": why})
        self.bus.publish("console.snapshot", self.snapshot())

    def _auto(self, what: str, sku: str | None, outcome: str, reason: str, verdict: Verdict | None = None) -> None:
        self.bus.publish("console.auto", AutoAction(what, sku, outcome, reason, self.clock.monotonic(), verdict))

    # ======================================================================= plan
    def import_plan(self, path: str | Path, actor: str = "operator") -> list:
        """Import a price plan row by row. A blocked row keeps its SKU from being listed (reasons shown);
        every other row keeps its floors and costs. A plan that cannot be read is journaled and alerted."""
        try:
            plan = read_plan(path)
        except PlanError as e:
            with self._lock:
                try:
                    self._commit(ev.PlanFailed(str(path), str(e)), actor)
                except JournalWriteError:
                    pass
            self._alert("plan_unreadable", "critical", "Price plan not imported: no floors or costs",
                        str(e), None, {"path": str(path)})
            self._publish(None, "plan")
            raise
        results = check_plan(plan, self.engine)
        blocked: dict[str, list[str]] = {}
        for r in results:
            if r.verdict.verdict == BLOCK and r.sku:
                blocked.setdefault(r.sku, []).append(f"row {r.row}: {r.verdict.words}")
        with self._lock:
            self._commit(ev.PlanImported(str(path), [r.to_json() for r in plan.rows],
                                         [r.to_json() for r in results], blocked), actor)
        if blocked:
            self._alert("plan_rows_blocked", "warning", f"Price plan: {len(blocked)} product(s) cannot be listed",
                        "; ".join(f"{k}: {'; '.join(v)}" for k, v in list(blocked.items())[:5]), None,
                        {"skus": sorted(blocked)})
        self._publish(None, "plan")
        return results

    def plan_row(self, sku: str) -> PlanRow | None:
        return self.state.plan.get(sku)

    def apply_plan(self, actor: str = "operator") -> list[Ticket]:
        """Set every SKU whose live price differs from the plan back to the planned price."""
        out = []
        with self._lock:
            todo = [(sku, row.live_price) for sku, row in self.state.plan.items()
                    if sku in self.state.skus and row.live_price is not None
                    and self.state.skus[sku].price != row.live_price and sku not in self.state.offers]
        for sku, price in todo:
            out.append(self.change_price(sku, price, actor=actor))
        return out

    # ======================================================================= queries
    def snapshot(self) -> ConsoleSnapshot:
        """One immutable picture of the console for every screen (also published as "console.snapshot")."""
        with self._lock:
            now = self.clock.monotonic()
            st = self.state
            rebuild = "*" in self._dirty or self._products is None or len(self._plist) != len(st.skus)
            if rebuild:
                self._views = {sku: build_view(self, sku, now) for sku in st.skus}
                self._pos = {sku: i for i, sku in enumerate(st.skus)}
                self._plist = list(self._views.values())
            else:
                for sku in self._dirty:
                    if sku in self._pos:
                        self._views[sku] = self._plist[self._pos[sku]] = build_view(self, sku, now)
            # a countdown moves: only its remaining time is new, refreshed at most every 0.1 s (screens redraw at
            # 4 Hz; an action's own snapshot does not pay for every running offer)
            tick = st.offers and (rebuild or now - self._countdown_at >= 0.1)
            if tick:
                self._countdown_at = now
                for sku, o in st.offers.items():
                    i = self._pos.get(sku)
                    if i is not None and (rebuild or sku not in self._dirty):
                        self._views[sku] = self._plist[i] = replace(self._plist[i],
                                                                    offer_remaining_s=self._remaining(o, now))
            if rebuild or self._dirty or tick:
                self._products = tuple(self._plist)
            self._dirty.clear()
            locked_until = st.overrides_locked_until
            return ConsoleSnapshot(
                version=self._version, mono=now, products=self._products,
                journal_ok=self.journal_ok, journal_fault=self.journal.fault or "",
                overrides_locked_s=max(0.0, locked_until - self.utc_now()) if locked_until else 0.0,
                plan_error=st.plan_error, shop_locked=st.locks[SHOP].reason if SHOP in st.locks else "",
                lucky_bag=self._bag_view(now), substitute=self._substitute_view())

    def products(self) -> list[ProductView]:
        return list(self.snapshot().products)

    def product(self, sku: str) -> ProductView | None:
        with self._lock:
            if sku not in self.state.skus:
                return None
            return build_view(self, sku, self.clock.monotonic())

    def pinned(self) -> ProductView | None:
        with self._lock:
            sku = self.state.pinned
            if sku is not None and sku in self.state.skus:
                return build_view(self, sku, self.clock.monotonic())
        return None

    def pinned_sku(self) -> str | None:
        p = self.pinned()
        return p.sku if p else None

    def offers(self) -> list[OfferView]:
        now = self.clock.monotonic()
        with self._lock:
            return [OfferView(o.sku, o.price, o.prev_price, self._remaining(o, now), o.duration_s,
                              o.paused_remaining is not None, o.qty, o.per_buyer_limit,
                              max(0, self.breaker.units(o.sku) - o.units_at_start) if not o.native else None,
                              o.native)
                    for o in self.state.offers.values()]

    def coupons(self) -> dict[str, CouponSpec]:
        with self._lock:
            return dict(self.state.coupons)

    def locked(self) -> dict[str, str]:
        with self._lock:
            return {k: v.reason for k, v in self.state.locks.items()}

    def _remaining(self, o, now: float) -> float:
        if o.paused_remaining is not None:
            return o.paused_remaining
        return max(0.0, self.mono_of(o.ends_utc) - now)

    def last_price_change(self) -> tuple[str, int, int] | None:
        with self._lock:
            h = self.state.price_history
            return h[-1] if h else None

    # ======================================================================= tickets
    def _key(self, cmd: cmds.Command, n: int) -> str:
        # fresh for every action of every run: a reconcile after a second restart is never a replay. The run of
        # the session makes it so by construction (the shop's idempotency cache outlives the app: a repeated
        # key is answered from it, nothing applied); the random part keeps two apps' keys apart all the same
        return f"cr-{self._sid()}-r{self._run_no}-{self._run_id}-{n}-{cmd.kind}-{cmd.lane}"

    def request(self, cmd: cmds.Command, *, actor: str = "operator") -> Ticket:
        """Judge an action now and open its ticket. Nothing is sent yet."""
        with self._lock:
            verdict, overridable = self.judge.verdict(cmd, journal_ok=self.journal_ok)
            n = next(self._ids)
            t = Ticket(f"T{n}", cmd, actor, verdict, overridable, self._key(cmd, n),
                       opened_mono=self.clock.monotonic())
            t.state = _STATE_FOR[verdict.verdict]
            self.tickets[t.id] = t
            if len(self.tickets) > 5000:
                for k in list(self.tickets)[:1000]:
                    if self.tickets[k].future is None or self.tickets[k].future.done():
                        del self.tickets[k]
            if verdict.verdict != ALLOW:
                self._note_verdict(t, "request")
        return t

    def _note_verdict(self, t: Ticket, stage: str) -> None:
        v = t.verdict
        self._note("interlock.verdict", t.actor, {
            "ticket": t.id, "key": t.key, "action": t.command.kind, "what": t.command.describe(),
            "sku": t.command.target, "price": _price_of(t.command), "verdict": v.verdict, "rules": v.rules, "words": v.words,
            "net_price": v.net_price, "list_price": v.list_price, "overridable": t.overridable, "stage": stage})

    def submit(self, ticket: Ticket, *, confirmed: bool = False, override: Override | None = None,
               on_done: Callable[[Ticket], Any] | None = None) -> Ticket:
        """Send a judged action to its lane. It is judged again first: a verdict worse than the one the
        ticket showed raises VerdictChanged (show the ticket again). A confirm verdict needs
        confirmed=True; a block needs a valid supervisor override (PIN + reason)."""
        if ticket.future is not None:
            return ticket
        if on_done is not None:
            ticket.on_done.append(on_done)
        with self._lock:
            v, overridable = self.judge.verdict(ticket.command, journal_ok=self.journal_ok)
            if worse(v, ticket.verdict) and not ticket.auto:
                ticket.verdict, ticket.overridable = v, overridable
                ticket.state = "reverify"
                self._note_verdict(ticket, "submit")
                raise VerdictChanged(ticket)
            ticket.verdict, ticket.overridable = v, overridable
        if v.verdict == BLOCK and not (ticket.auto and overridable):
            if not overridable:
                raise OverrideRefused(f"{ticket.command.describe()}: {v.words}")
            self._check_override(ticket, override)
        elif v.verdict == CONFIRM and not ticket.auto:
            if not (confirmed or override):
                raise ConfirmationRequired(f"{ticket.command.describe()}: confirm first — {v.words}")
            self._note("interlock.confirmed", ticket.actor, {
                "ticket": ticket.id, "key": ticket.key, "rules": v.rules, "net_price": v.net_price,
                "words": v.words})
        ticket.accepted = v
        ticket.state = "submitted"
        try:
            ticket.future = self.lanes.submit(ticket.command.lane, lambda: self._run(ticket), urgent=ticket.urgent)
        except LaneClosed:
            ticket.state = "cancelled"
            raise ConsoleError("the console is closed") from None
        return ticket

    def cancel(self, ticket: Ticket) -> None:
        if ticket.future is None and ticket.state != "cancelled":
            ticket.state = "cancelled"
            self._note("interlock.cancelled", ticket.actor, {   # what was dropped, so a log line can name it
                "ticket": ticket.id, "key": ticket.key, "action": ticket.command.kind,
                "what": ticket.command.describe(), "sku": ticket.command.target,
                "price": _price_of(ticket.command), "verdict": ticket.verdict.verdict,
                "rules": ticket.verdict.rules})

    def _check_override(self, ticket: Ticket, ov: Override | None) -> None:
        v = ticket.verdict
        base = dict(ticket=ticket.id, key=ticket.key, rules=v.rules, net_price=v.net_price,
                    what=ticket.command.describe())
        if ov is None:
            raise OverrideRefused(f"blocked: {v.words}. A supervisor override (PIN and reason) is required.")
        reason = (ov.reason or "").strip()
        sup = self.supervisor
        cfg = self.config
        with self._lock:
            locked_until = self.state.overrides_locked_until
            if locked_until is not None and self.utc_now() < locked_until:
                left = locked_until - self.utc_now()
                problem = (f"overrides are locked for {left:.0f} s more after {cfg.override_max_attempts} wrong "
                           f"PINs")
                self._override_refused(ov, base, problem, reason, wrong=False)
                raise OverrideRefused(problem)
        problem, wrong = "", False
        if not sup.pin_hash:
            problem = "no supervisor PIN is set (Settings → Set supervisor PIN…)"
        elif len(reason) < sup.min_reason_chars:
            problem = f"a reason of at least {sup.min_reason_chars} characters is required"
        elif not (ov.supervisor or "").strip():
            problem = "the supervisor's name is required"
        elif not verify_pin(sup.pin_hash, ov.pin):
            problem, wrong = "wrong PIN", True
        if problem:
            with self._lock:
                self._override_refused(ov, base, problem, reason, wrong)
                if wrong and self.state.override_failures >= cfg.override_max_attempts:
                    until = self.utc_now() + cfg.override_lockout_s
                    try:
                        self._commit(ev.OverridesLocked(until, cfg.override_max_attempts), "system")
                    except JournalWriteError:
                        pass
                    self._alert("overrides_locked", "critical", "Supervisor overrides locked",
                                f"{cfg.override_max_attempts} wrong PINs: overrides are locked for "
                                f"{cfg.override_lockout_s:g} s", None, {})
                    problem += f"; overrides are now locked for {cfg.override_lockout_s:g} s"
            self._publish(None, "override")
            raise OverrideRefused(problem)
        with self._lock:
            try:
                self._commit(ev.OverrideAccepted(reason_text=reason, operator=ticket.actor, words=v.words, **base),
                             ov.supervisor)
            except JournalWriteError:
                raise OverrideRefused("the journal cannot be written; nothing is sent until it can") from None
        ticket.override = {"supervisor": ov.supervisor, "reason_text": reason}

    def _override_refused(self, ov: Override, base: dict, problem: str, reason: str, wrong: bool) -> None:
        try:
            self._commit(ev.OverrideRefused(why=problem, reason_text=reason, wrong_pin=wrong, **base),
                         ov.supervisor or "?")
        except JournalWriteError:
            pass

    def _go(self, cmd: cmds.Command, actor: str, confirmed: bool, override: Override | None, wait: bool,
            on_done: Callable | None = None) -> Ticket:
        t = self.request(cmd, actor=actor)
        v = t.verdict.verdict
        if v == ALLOW or (v == CONFIRM and (confirmed or override)) or \
                (v == BLOCK and override is not None and t.overridable):
            try:
                self.submit(t, confirmed=confirmed, override=override, on_done=on_done)
            except VerdictChanged:
                return t
            if wait:
                t.result()
        return t

    def _auto_ticket(self, cmd: cmds.Command, actor: str, reason: str, what: str,
                     on_done: Callable[[Ticket], Any] | None = None) -> Ticket | None:
        """The console's own timed work: first in its lane, never waits for a click."""
        t = self.request(cmd, actor=actor)
        t.auto = t.urgent = True

        def report(tk: Ticket, what=what, reason=reason) -> None:
            status = tk.outcome.status if tk.outcome else REFUSED
            if status == IGNORED:
                if on_done:
                    on_done(tk)
                return
            self._auto(what, cmd.target, status, reason if status == APPLIED_ else
                       f"{reason}: {tk.outcome.error if tk.outcome else tk.verdict.words}", tk.verdict)
            if on_done:
                on_done(tk)
        try:
            self.submit(t, on_done=report)
        except (ConsoleError, OverrideRefused, ConfirmationRequired) as e:
            self._auto(what, cmd.target, REFUSED, f"{reason}: {e}", t.verdict)
            if on_done:
                on_done(t)
            return None
        return t

    # ======================================================================= actions
    def list_product(self, sku: str, *, actor: str = "operator", confirmed=False, override=None, wait=False):
        return self._go(cmds.ListProduct(sku), actor, confirmed, override, wait)

    def unlist_product(self, sku: str, *, actor: str = "operator", reason: str = "", wait=False):
        return self._go(cmds.UnlistProduct(sku, reason), actor, False, None, wait)

    def toggle_listing(self, sku: str, **kw):
        s = self.state.skus.get(sku)
        if s and s.listed:
            return self.unlist_product(sku, **{k: v for k, v in kw.items() if k in ("actor", "wait")})
        return self.list_product(sku, **kw)

    def change_price(self, sku: str, price_fen: int, *, actor: str = "operator", confirmed=False, override=None,
                     wait=False):
        return self._go(cmds.SetPrice(sku, price_fen), actor, confirmed, override, wait)

    def start_offer(self, sku: str, price_fen: int, duration_s: float, qty: int | None = None, *,
                    per_buyer_limit: int | None = None, actor: str = "operator", confirmed=False, override=None,
                    wait=False, on_done: Callable | None = None):
        """A flash price for duration_s seconds (at most qty units, per_buyer_limit each); it ends by itself."""
        return self._go(cmds.StartOffer(sku, price_fen, duration_s, qty, per_buyer_limit), actor, confirmed,
                        override, wait, on_done)

    def stop_offer(self, sku: str, *, actor: str = "operator", reason: str = "operator", wait=False):
        return self._go(cmds.StopOffer(sku, reason), actor, False, None, wait)

    def issue_coupon(self, spec: CouponSpec, *, actor: str = "operator", confirmed=False, override=None, wait=False):
        return self._go(cmds.IssueCoupon(spec), actor, confirmed, override, wait)

    def schedule_coupon(self, spec: CouponSpec, delay_s: float, *, actor: str = "rundown") -> None:
        """Release a coupon later (held while the stream is on backup, if configured)."""
        with self._lock:
            self._scheduled.append((self.clock.monotonic() + delay_s, spec, actor))

    def stop_coupon(self, coupon_id: str, *, actor: str = "operator", wait=False):
        spec = self.state.coupons.get(coupon_id)
        return self._go(cmds.StopCoupon(coupon_id, spec.sku if spec else None), actor, False, None, wait)

    def pin_product(self, sku: str | None, *, text: str = "", actor: str = "operator", confirmed=False,
                    override=None, wait=False):
        """Pin/explain 讲解 the product (None unpins); the cue text is checked for banned terms."""
        return self._go(cmds.PinProduct(sku, text), actor, confirmed, override, wait)

    explain_product = pin_product

    def set_displayed_stock(self, sku: str, shown: int | None, *, actor: str = "operator", wait=False):
        return self._go(cmds.SetDisplayedStock(sku, shown), actor, False, None, wait)

    def set_gift(self, sku: str, gift_value: int | None, *, actor: str = "operator", confirmed=False,
                 override=None, wait=False):
        return self._go(cmds.SetGift(sku, gift_value), actor, confirmed, override, wait)

    def set_bundle(self, sku: str, items_sum: int | None, *, actor: str = "operator", confirmed=False,
                   override=None, wait=False):
        return self._go(cmds.SetBundle(sku, items_sum), actor, confirmed, override, wait)

    def revert_command(self) -> cmds.SetPrice | None:
        last = self.last_price_change()
        return None if last is None else cmds.SetPrice(last[0], last[1], revert=True)

    def revert_last_price(self, *, actor: str = "operator", confirmed=False, override=None, wait=False):
        """One key: put the last changed price back."""
        cmd = self.revert_command()
        if cmd is None:
            raise ConsoleError("no price change to revert")
        return self._go(cmd, actor, confirmed, override, wait)

    def resolve_lock(self, sku: str, *, actor: str = "operator", note: str = "") -> ProductState | None:
        """Someone looked at a locked SKU (or "shop"): take what the platform now says and unlock it."""
        def read():
            with deadline(self.config.action_deadline_s, self.clock):
                return self.platform.read_product(sku) if sku != SHOP else None
        state = self.lanes.submit(sku, read, urgent=True).result(timeout=max(30.0, self.config.action_deadline_s * 2))
        with self._lock:
            lock = self.state.locks.get(sku)
            self._commit(ev.SkuUnlocked(sku, lock.reason if lock else "", note, readback_json(state)), actor)
        self._publish(sku, "unlocked")
        return state

    # ======================================================================= rundown offers
    def preflight_offers(self, offers: list[tuple[str, int, float]], *, source: str = "rundown") -> list[dict]:
        """Judge the rundown's countdown offers when it loads, against the plan as it stands now."""
        out = []
        with self._lock:
            for sku, price, duration in offers:
                qty, limit = self._offer_caps(sku)
                v, _ = self.judge.verdict(cmds.StartOffer(sku, price, duration, qty, limit),
                                          journal_ok=True)
                out.append({"sku": sku, "price": price, "duration_s": duration, "verdict": v.verdict,
                            "rules": v.rules, "words": v.words, "net_price": v.net_price})
            self._note("console.rundown_preflight", "system", {"source": source, "offers": out})
        bad = [o for o in out if o["verdict"] == BLOCK]
        if bad:
            self._alert("rundown_offer_blocked", "warning", f"Run-of-show: {len(bad)} countdown offer(s) would be "
                        f"blocked", "; ".join(f"{o['sku']} at {format_yuan(o['price'])}: {o['words']}"
                                               for o in bad[:5]), None, {"offers": bad})
        return out

    def _offer_caps(self, sku: str) -> tuple[int | None, int | None]:
        """A rundown offer's quantity and per-buyer limit come from the plan row (offer_qty, per_buyer_limit)."""
        row = self.state.plan.get(sku)
        return (row.offer_qty if row else None), (row.per_buyer_limit if row else None)

    def fire_offer(self, sku: str, price: int, duration_s: float, *, actor: str = "rundown",
                   on_done: Callable[[Ticket], Any] | None = None) -> Ticket:
        """A rundown offer goes live: judged again now and on its lane (a block is refused, never waits)."""
        qty, limit = self._offer_caps(sku)
        cmd = cmds.StartOffer(sku, price, duration_s, qty, limit)
        t = self.request(cmd, actor=actor)

        def report(tk: Ticket) -> None:
            status = tk.outcome.status if tk.outcome else REFUSED
            self._auto("rundown_offer", sku, status, f"run-of-show {cmd.describe()}"
                       + ("" if status == APPLIED_ else f": {tk.outcome.error if tk.outcome else tk.verdict.words}"),
                       tk.verdict)
            if on_done:
                on_done(tk)
        if t.verdict.verdict != ALLOW:
            t.state = "refused"
            t.outcome = Outcome(REFUSED, t.key, f"{t.verdict.verdict}: {t.verdict.words}")
            report(t)
            return t
        try:
            self.submit(t, on_done=report)
        except (ConsoleError, VerdictChanged) as e:
            t.outcome = Outcome(REFUSED, t.key, str(e))
            report(t)
        return t

    # ======================================================================= alerts
    def _alert(self, rule: str, severity: str, title: str, detail: str, sku: str | None, values: dict, *,
               suggestion: str = "", to_cue: bool | None = None) -> None:
        router = self.rt.alerts
        if router is None or self.killed:
            return
        from controlroom.alerts import Alert
        try:
            router.raise_alert(Alert(rule=rule, severity=severity, title=title, detail=detail, source="console",
                                     sku=sku, values=values, suggestion=suggestion,
                                     to_cue=severity == "critical" if to_cue is None else to_cue))
        except Exception:
            log.exception("alert failed")


def _price_of(cmd: cmds.Command) -> int | None:
    """The price a command asks for, for a log line — None when it has none or it is not a sane number of 分 (an
    absurd input such as NaN is what the verdict refuses, and the journal holds finite numbers only)."""
    price = getattr(cmd, "price", None)
    return price if isinstance(price, int) and not isinstance(price, bool) and abs(price) <= 10 ** 12 else None
