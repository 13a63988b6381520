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
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from controlroom.commerce import commands as cmds
from controlroom.commerce import events as ev
from controlroom.commerce.breaker import Breaker, Trip
from controlroom.commerce.commands import APPLIED, MISMATCH, NOT_APPLIED, Ctx, readback_json
from controlroom.commerce.config import ConsoleSettings
from controlroom.commerce.interlocks import ALLOW, BLOCK, CONFIRM, InterlockEngine, InterlockSettings, Verdict
from controlroom.commerce.judge import Judge, worse
from controlroom.commerce.lanes import LaneClosed, Lanes
from controlroom.commerce.money import format_yuan
from controlroom.commerce.plan import PlanError, PlanRow, check_plan, read_plan
from controlroom.commerce.state import MISMATCH as LOCK_MISMATCH
from controlroom.commerce.state import SHOP, ConsoleState
from controlroom.commerce.supervisor import SupervisorSettings, verify_pin
from controlroom.commerce.views import ConsoleSnapshot, OfferView, ProductView, build_view
from controlroom.journal import JournalWriteError
from controlroom.platform import (CouponSpec, PlatformError, PlatformRateLimited, ProductState, capabilities_of,
                                  deadline)

log = logging.getLogger(__name__)

APPLIED_, REFUSED, FAILED, UNCERTAIN, IGNORED = "applied", "refused", "failed", "uncertain", "ignored"


class ConsoleError(RuntimeError):
    pass


class ConfirmationRequired(ConsoleError):
    pass


class OverrideRefused(ConsoleError):
    pass


class VerdictChanged(ConsoleError):
    """The state moved since the ticket was shown: its verdict got worse. Show the ticket again."""

    def __init__(self, ticket: "Ticket"):
        super().__init__(f"{ticket.command.describe()}: the verdict changed to {ticket.verdict.verdict} — "
                         f"{ticket.verdict.words}")
        self.ticket = ticket


@dataclass(frozen=True)
class Override:
    supervisor: str
    pin: str = field(repr=False)
    reason: str = ""


@dataclass
class Outcome:
    status: str                        # applied | refused | failed | uncertain
    key: str
    error: str = ""
    readback: dict | None = None
    result: Any = None                 # coupon id, offer id
    latency_ms: float = 0.0
    attempts: int = 1                  # the console sends once; the adapter owns retries
    mismatch: bool = False

    @property
    def ok(self) -> bool:
        return self.status == APPLIED_


@dataclass
class Ticket:
    id: str
    command: cmds.Command
    actor: str
    verdict: Verdict
    overridable: bool
    key: str
    state: str = "pending"   # pending | awaiting_confirm | blocked | submitted | done | failed | cancelled | reverify
    accepted: Verdict | None = None
    auto: bool = False       # the console's own (timed) work: accepts a confirm or an overridable block
    urgent: bool = False
    override: dict | None = None
    future: Future | None = None
    outcome: Outcome | None = None
    on_done: list = field(default_factory=list)
    opened_mono: float = 0.0
    done_mono: float | None = None

    @property
    def action(self) -> cmds.Command:   # the name the UI used before commands were types
        return self.command

    @property
    def needs(self) -> str:
        """What the action still needs: "" (nothing), "confirm", "override", or "resolve" (cannot go)."""
        if self.verdict.verdict == BLOCK:
            return "override" if self.overridable else "resolve"
        return "confirm" if self.verdict.verdict == CONFIRM else ""

    def result(self, timeout: float | None = 30) -> Outcome:
        if self.future is None:
            raise ConsoleError(f"ticket {self.id} was not submitted ({self.state}: {self.verdict.words})")
        out = self.future.result(timeout)
        return out if out is not None else Outcome(REFUSED, self.key, "the console stopped")


@dataclass(frozen=True)
class AutoAction:
    """Something the console did by itself (bus topic "console.auto")."""
    what: str                # revert | offer_end | breaker | reconcile | lock | rundown_offer
    sku: str | None
    outcome: str
    reason: str
    mono: float
    verdict: Verdict | None = None


_STATE_FOR = {ALLOW: "pending", CONFIRM: "awaiting_confirm", BLOCK: "blocked"}


class ConsoleService:
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
        self._lock = threading.RLock()
        self.lanes = Lanes(self.config.lane_workers)
        self.tickets: dict[str, Ticket] = {}
        self._ids = itertools.count(1)
        self._run_id = uuid.uuid4().hex[:8]
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
            self.state.__init__()
            self.tickets.clear()
            self._stopping.clear()
            self._settle_at.clear()
            self._recon_at.clear()
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
            for sku, o in st.offers.items():   # a countdown moves: only its remaining time is new
                i = self._pos.get(sku)
                if i is not None and (rebuild or sku not in self._dirty):
                    self._views[sku] = self._plist[i] = replace(self._plist[i],
                                                                offer_remaining_s=self._remaining(o, now))
            if rebuild or self._dirty or st.offers:
                self._products = tuple(self._plist)
            self._dirty.clear()
            locked_until = st.overrides_locked_until
            return ConsoleSnapshot(
                version=self._version, mono=now, products=self._products,
                journal_ok=self.journal_ok, journal_fault=self.journal.fault or "",
                overrides_locked_s=max(0.0, locked_until - self.utc_now()) if locked_until else 0.0,
                plan_error=st.plan_error, shop_locked=st.locks[SHOP].reason if SHOP in st.locks else "")

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
        # fresh for every action of every run: a reconcile after a second restart is never a replay
        return f"cr-{self._sid()}-{self._run_id}-{n}-{cmd.kind}-{cmd.lane}"

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
            "sku": t.command.target, "verdict": v.verdict, "rules": v.rules, "words": v.words,
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
            if worse(v, ticket.verdict):
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
            self._note("interlock.cancelled", ticket.actor, {
                "ticket": ticket.id, "key": ticket.key, "verdict": ticket.verdict.verdict,
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

    # ======================================================================= the lane: one action
    def _ctx(self, cmd: cmds.Command) -> Ctx:
        st = self.state
        sku = cmd.target
        s = st.skus.get(sku) if sku else None
        coupon = st.coupons.get(cmd.coupon_id) if isinstance(cmd, cmds.StopCoupon) else None
        pinned = st.pinned
        return Ctx(self.caps, price=s.price if s else None, listed=s.listed if s else None,
                   offer=st.offers.get(sku) if sku else None, coupon=coupon, pinned_sku=pinned,
                   units=self.breaker.units(sku) if sku else 0, utc_now=self.utc_now())

    def _finish(self, t: Ticket, out: Outcome) -> Outcome:
        t.outcome = out
        t.done_mono = self.clock.monotonic()
        t.state = {APPLIED_: "done", REFUSED: "refused" if t.state != "reverify" else "reverify",
                   FAILED: "failed", UNCERTAIN: "uncertain", IGNORED: "done"}[out.status]
        self._publish(t.command.target, t.command.kind)
        for fn in t.on_done:
            try:
                fn(t)
            except Exception:
                log.exception("console: on_done callback failed")
        return out

    def _run(self, t: Ticket) -> Outcome | None:
        cmd, key = t.command, t.key
        with self._lock:
            if self.killed:
                return None
            v, overridable = self.judge.verdict(cmd, journal_ok=self.journal_ok)
            hard = v.verdict == BLOCK and not overridable
            if hard or (not t.auto and worse(v, t.accepted or t.verdict)):
                # the state moved after the ticket was accepted: judged where it goes live, it is not what
                # the person agreed to. Nothing is sent; the ticket is shown again.
                t.verdict, t.overridable = v, overridable
                t.state = "reverify"
                self._note_verdict(t, "live")
                return self._finish(t, Outcome(REFUSED, key, f"judged again as it went live: {v.words}"))
            t.verdict = v
            ctx = self._ctx(cmd)
            if isinstance(cmd, cmds.StopOffer) and ctx.offer is None:
                # it ended meanwhile (sold out, or the shop's own timer): nothing to send, nothing to journal
                self._stopping.pop(cmd.sku, None)
                return self._finish(t, Outcome(IGNORED, key, "nothing to do: no offer is running"))
            intent = ev.Intent(key, t.id, cmd.target, cmd.to_json(), v.verdict, v.rules, v.net_price,
                               cmd.describe(), t.override)
            try:
                self._commit(intent, t.actor)
            except ConsoleError:
                return None
            except JournalWriteError:
                t.verdict, _ = self.judge.verdict(cmd, journal_ok=False)
                return self._finish(t, Outcome(REFUSED, key, "the journal cannot be written: nothing was sent"))
            self._inflight.add(key)
        try:
            return self._execute(t, ctx)
        finally:
            with self._lock:
                self._inflight.discard(key)

    def _execute(self, t: Ticket, ctx: Ctx) -> Outcome | None:
        cmd, key = t.command, t.key
        t0 = time.perf_counter()
        if not cmd.shop_call:
            return self._record(t, ctx, APPLIED_, None, None, t0)
        cfg = self.config
        start = self.clock.monotonic()
        result, err = None, None
        with deadline(cfg.action_deadline_s - cfg.readback_reserve_s, self.clock):
            try:
                result = cmd.send(self.platform, key, ctx)
            except cmds.NothingToSend as e:   # the console had nothing to send (no offer id ...)
                err = e
            except PlatformError as e:
                err = e
            except Exception as e:            # an adapter bug: it may have sent it
                log.exception("console: %s raised", cmd.describe())
                err = e
        if self.killed:
            return None
        if isinstance(err, cmds.NothingToSend):
            return self._record(t, ctx, FAILED, None, None, t0, error=str(err))
        if err is not None and not _may_have_applied(err):
            definite = isinstance(err, PlatformError) and not err.retryable and not isinstance(err, PlatformRateLimited)
            return self._record(t, ctx, REFUSED if definite else FAILED, None, None, t0,
                                error=f"{type(err).__name__}: {err}")
        rb, rb_err = None, None
        left = max(cfg.readback_reserve_s, cfg.action_deadline_s - (self.clock.monotonic() - start))
        with deadline(left, self.clock):
            try:
                rb = cmd.read(self.platform, ctx, result)
            except PlatformError as e:
                rb_err = e
            except Exception as e:
                log.exception("console: read-back of %s raised", cmd.describe())
                rb_err = e
        if self.killed:
            return None
        proof = cmd.proof(rb, ctx, result) if rb is not None else None
        error = f"{type(err).__name__}: {err}" if err is not None else ""
        if proof == APPLIED:
            return self._record(t, ctx, APPLIED_, result, rb, t0, error="")
        if proof == MISMATCH or (proof == NOT_APPLIED and err is None):
            return self._record(t, ctx, UNCERTAIN, result, rb, t0, error=error or "read-back mismatch",
                                mismatch=True)
        if proof == NOT_APPLIED and err is not None and not _no_answer(err):
            return self._record(t, ctx, FAILED, None, rb, t0, error=error)
        why = error or "no read-back"
        if rb_err is not None:
            why += f"; read-back failed: {type(rb_err).__name__}: {rb_err}"
        elif proof == NOT_APPLIED:
            why += "; the shop does not show it yet, but the call was never answered"
        return self._record(t, ctx, UNCERTAIN, result, rb, t0, error=why)

    def _record(self, t: Ticket, ctx: Ctx, status: str, result: Any, rb: Any, t0: float, *, error: str = "",
                mismatch: bool = False, settled: bool = False) -> Outcome | None:
        """Journal the outcome and apply it. A journal that refuses leaves the intent open: the action is
        then settled by a read-back once the journal is back (live and replay stay the same)."""
        cmd, key = t.command, t.key
        latency = (time.perf_counter() - t0) * 1000
        rbj = readback_json(rb)
        out = Outcome(status, key, error, rbj, result, latency, 1, mismatch)
        v = t.verdict
        with self._lock:
            if self.killed:
                return None
            try:
                if status == APPLIED_:
                    done = cmd.applied(ctx, result, rb)
                    done.key, done.ticket, done.sku = key, t.id, cmd.target
                    done.verdict, done.rules, done.net_price = v.verdict, v.rules, v.net_price
                    done.what, done.override, done.readback = cmd.describe(), t.override, rbj
                    done.latency_ms, done.settled = round(latency, 3), settled
                    self._commit(done, t.actor)
                    self._after_applied(cmd, done)
                elif status in (FAILED, REFUSED):
                    self._commit(ev.ActionFailed(key, t.id, cmd.target, cmd.kind, cmd.describe(), error, status,
                                                 v.verdict, v.rules, rbj if isinstance(rb, ProductState) else None,
                                                 settled), t.actor)
                elif mismatch:
                    commanded = cmd.commanded(ctx)
                    why = f"read-back mismatch: commanded {_brief(commanded)}, the shop shows {_brief(rbj, commanded)}"
                    out.error = why if not error or error == "read-back mismatch" else f"{error}; {why}"
                    self._commit(ev.ReadbackMismatch(key, t.id, cmd.target, cmd.kind, cmd.describe(), commanded,
                                                     rbj, v.verdict, v.rules, why), "system")
                else:
                    self._commit(ev.ActionUncertain(key, t.id, cmd.target, cmd.kind, cmd.describe(), error, rbj),
                                 "system")
                    self._settle_at[cmd.lane] = self.clock.monotonic() + self.config.settle_interval_s
            except JournalWriteError:
                out = Outcome(UNCERTAIN, key, f"{error + '; ' if error else ''}the outcome could not be journaled",
                              rbj, result, latency, 1, mismatch)
                status = UNCERTAIN
            except ConsoleError:
                return None
        if status == UNCERTAIN:
            self._auto("lock", cmd.target, UNCERTAIN, f"{cmd.describe()}: {out.error}")
            self._alert("readback_mismatch" if mismatch else "action_uncertain", "critical",
                        f"{'Read-back mismatch' if mismatch else 'Outcome unknown'} on {cmd.lane}: locked",
                        f"{cmd.describe()}: {out.error}", cmd.target, {"key": key, "readback": rbj})
        elif status == FAILED:
            self._alert("action_failed", "warning", f"Console: {cmd.describe()} failed", error, cmd.target,
                        {"key": key})
        return self._finish(t, out)

    def _after_applied(self, cmd: cmds.Command, done: ev.Done) -> None:
        sku = cmd.target
        now = self.clock.monotonic()
        if isinstance(cmd, cmds.RestorePrice) and sku:
            self.breaker.changed(sku)
        elif isinstance(cmd, cmds.SetPrice) and sku:
            self.breaker.arm(sku, now)
        elif isinstance(cmd, cmds.StartOffer) and sku:
            self.breaker.arm(sku, now)
            self._stopping.pop(sku, None)
        elif isinstance(cmd, cmds.StopOffer) and sku:
            self._stopping.pop(sku, None)
            self.breaker.disarm(sku)

    # ======================================================================= settling uncertain actions
    def _settle(self, lane: str) -> None:
        """Read back each uncertain action of a lane: what the shop shows decides applied or not."""
        with self._lock:
            todo = [p for p in self.state.pending.values()
                    if p.lane == lane and p.key not in self._inflight and not p.mismatch]
        for p in todo:
            with self._lock:
                if self.killed or p.key not in self.state.pending:
                    continue
                ctx = self._ctx(p.command)
            rb = None
            with deadline(self.config.action_deadline_s, self.clock):
                try:
                    rb = p.command.read(self.platform, ctx, None)
                except Exception as e:   # still no answer: try again later
                    log.info("console: settling %s: read-back failed: %s", p.key, e)
            if self.killed:
                return
            if rb is None:
                if p.command.shop_call and isinstance(p.command, cmds.IssueCoupon):
                    continue  # no id to read: the operator settles it
                with self._lock:
                    self._settle_at[lane] = self.clock.monotonic() + self.config.settle_interval_s
                continue
            proof = p.command.proof(rb, ctx, None)
            t = Ticket(p.ticket, p.command, "system", Verdict(p.verdict, (), None), True, p.key)
            t.verdict = Verdict(p.verdict, (), None, sku=p.command.target or "")
            status = {APPLIED: APPLIED_, NOT_APPLIED: FAILED, MISMATCH: UNCERTAIN}[proof]
            with self._lock:
                if p.key not in self.state.pending:
                    continue
            out = self._record(t, ctx, status, None, rb, time.perf_counter(), settled=True,
                               error="" if status == APPLIED_ else "settled by a read-back: not applied",
                               mismatch=proof == MISMATCH)
            if out is not None and status != UNCERTAIN:
                self._auto("reconcile", p.command.target, status,
                           f"{p.command.describe()}: settled by a read-back ({'applied' if status == APPLIED_ else 'not applied'})")

    # ======================================================================= tick: timers, polls
    def next_due(self) -> float | None:
        """The monotonic time of the console's next timer (for a driver that jumps a simulated clock)."""
        with self._lock:
            dues = [self.mono_of(o.ends_utc) for s, o in self.state.offers.items()
                    if o.paused_remaining is None and s not in self._stopping]
            dues += [d for d, _s, _a in self._scheduled]
            dues += list(self._settle_at.values()) + list(self._recon_at.values())
            dues.append(self._last_poll + self.settings.metrics_poll_s)
        return min(dues) if dues else None

    def tick(self) -> None:
        if self.session_id is None or self.killed:
            return
        now = self.clock.monotonic()
        due_offers, due_coupons, settle = [], [], []
        with self._lock:
            if not self.journal_ok and now - self._last_probe >= 1.0:
                self._last_probe = now
                try:
                    self.journal.append(self._sid(), "console.journal_restored", "system", {})
                    self._journal_up()
                except JournalWriteError:
                    pass
            if not self.journal_ok:
                return   # nothing is sent until the journal can be written
            for sku, o in self.state.offers.items():
                if o.paused_remaining is not None:
                    continue
                sent = self._stopping.get(sku)
                if now >= self.mono_of(o.ends_utc) and (sent is None or now - sent > self.config.settle_interval_s
                                                        + self.config.action_deadline_s):
                    self._stopping[sku] = now
                    due_offers.append(o)
            if not (self.state.on_backup and self.settings.hold_coupons_on_failover):
                due_coupons = [x for x in self._scheduled if x[0] <= now]
                self._scheduled = [x for x in self._scheduled if x[0] > now]
            for lane, at in list(self._settle_at.items()):
                if at <= now:
                    del self._settle_at[lane]
                    settle.append(lane)
            recon = [sku for sku, at in self._recon_at.items() if at <= now]
            for sku in recon:
                del self._recon_at[sku]
            poll = (not self._poll_pending) and now - self._last_poll >= self.settings.metrics_poll_s
            if poll:
                self._poll_pending, self._last_poll = True, now
        for o in due_offers:
            what = "offer_end" if o.native else "revert"
            self._auto_ticket(cmds.StopOffer(o.sku, "expired"), "system",
                              f"the offer on {o.sku} at {format_yuan(o.price)} reached its end", what)
        for _due, spec, actor in due_coupons:
            self.issue_coupon(spec, actor=actor)
        for lane in settle:
            try:
                self.lanes.submit(lane, lambda lane=lane: self._settle(lane), urgent=True)
            except LaneClosed:
                return
        for sku in recon:
            try:
                self.lanes.submit(sku, lambda sku=sku: self._reconcile(sku), urgent=True)
            except LaneClosed:
                return
        if poll:
            try:
                self.lanes.submit("metrics", self._poll)
            except LaneClosed:
                self._poll_pending = False

    def _poll(self) -> None:
        try:
            with deadline(self.config.action_deadline_s, self.clock):
                m = self.platform.metrics()
                ended = []
                with self._lock:
                    native = [(o.sku, o.offer_id, o.qty) for o in self.state.offers.values()
                              if o.native and o.offer_id and o.sku not in self._stopping]
                for sku, oid, qty in native:
                    try:
                        st = self.platform.read_offer(oid)
                    except PlatformError:
                        continue
                    if not st.active:
                        ended.append((sku, oid, st, qty))
        except PlatformError as e:
            log.info("metrics poll failed: %s", e)
            return
        finally:
            self._poll_pending = False
        if self.killed:
            return
        now = self.clock.monotonic()
        with self._lock:
            for sku, oid, st, qty in ended:
                o = self.state.offers.get(sku)
                if o is None or o.offer_id != oid:
                    continue
                reason = "sold_out" if qty is not None and st.sold >= qty else "ended at the shop"
                try:
                    self._commit(ev.OfferStopped(sku=sku, what=f"offer {sku} ended", price=o.prev_price,
                                                 offer_price=o.price, reason=reason, sold=st.sold,
                                                 readback=None), "system")
                except (JournalWriteError, ConsoleError):
                    return
                self.breaker.changed(sku)
                self._auto("offer_end", sku, APPLIED_, f"the offer on {sku} {reason.replace('_', ' ')} "
                                                       f"({st.sold} sold)")
            trips, sold_out = self.breaker.observe(now, m, self.state, self.judge)
            sold_out = [s for s in sold_out if s not in self._stopping]
            for s in sold_out:
                self._stopping[s] = now
        for sku in sold_out:
            self._auto_ticket(cmds.StopOffer(sku, "sold_out"), "system", f"the offer on {sku} sold its quantity",
                              "revert")
        for trip in trips:
            self._trip(trip)
        if ended:
            self._publish(None, "offers")

    def _trip(self, trip: Trip) -> None:
        action = self.settings.pause_action
        sku = trip.sku
        with self._lock:
            o = self.state.offers.get(sku)
            last = next((h for h in reversed(self.state.price_history) if h[0] == sku), None)
            if action == "unlist":
                cmd: cmds.Command = cmds.UnlistProduct(sku, f"breaker:{trip.rule}")
            elif o is not None:
                cmd = cmds.StopOffer(sku, f"breaker:{trip.rule}")
                self._stopping[sku] = self.clock.monotonic()
            elif last is not None:
                cmd = cmds.SetPrice(sku, last[1], revert=True, reason=f"breaker:{trip.rule}")
            else:   # nothing to pause: money leaks at the plan's own price — take it off sale
                cmd = cmds.UnlistProduct(sku, f"breaker:{trip.rule}")
            what = {"unlist": "unlisted", "offer_stop": "offer paused", "price": "price put back"}[cmd.kind]
            self._note("interlock.breaker_tripped", "system", {
                "sku": sku, "rule": trip.rule, "values": trip.values, "words": trip.words, "pause_action": action,
                "does": what})
        self._alert(f"breaker_{trip.rule}", "critical", f"Circuit breaker on {sku}: {what}", trip.words, sku,
                    trip.values)
        self._auto_ticket(cmd, "breaker", f"{trip.rule}: {trip.words} — {what}", "breaker")
        self._publish(sku, "breaker")

    # ======================================================================= the stream guard
    def _on_stream(self, topic: str, payload: Any) -> None:
        if self.session_id is None or self.killed:
            return
        if topic not in ("journal.stream.failover", "journal.stream.returned"):
            return
        with self._lock:
            if topic == "journal.stream.failover":
                self._changed(self.state.apply(ev.StreamFailover()))
                if self.settings.pause_offers_on_failover:
                    now = self.clock.monotonic()
                    for o in list(self.state.offers.values()):
                        if o.paused_remaining is None and not o.native:
                            rem = round(max(0.0, self.mono_of(o.ends_utc) - now), 3)
                            try:
                                self._commit(ev.OfferPaused(o.sku, rem, "failover"))
                            except (JournalWriteError, ConsoleError):
                                return
            else:
                self._changed(self.state.apply(ev.StreamReturned()))
                for o in list(self.state.offers.values()):
                    if o.paused_remaining is not None:
                        rem = o.paused_remaining
                        try:   # duration_s lets a listener (the simulated audience) restart its countdown
                            self._commit(ev.OfferResumed(o.sku, rem, round(self.utc_now() + rem, 6), "returned"))
                        except (JournalWriteError, ConsoleError):
                            return
        self._publish(None, "failover" if topic.endswith("failover") else "returned")

    # ======================================================================= sync, replay, reconcile
    def _sync(self, reason: str) -> None:
        def read():
            with deadline(self.config.action_deadline_s, self.clock):
                return self.platform.read_products()
        try:
            states = self.lanes.submit("shop", read, urgent=True).result(
                timeout=max(30.0, 2 * self.config.action_deadline_s))
        except PlatformError as e:
            log.error("console: reading the shop failed: %s", e)
            return
        with self._lock:
            try:
                self._commit(ev.Synced([readback_json(s) for s in states], reason))
            except JournalWriteError:
                pass

    def _replay(self, sid: int) -> None:
        known = ev.kinds()
        events = [e for e in self.journal.events(sid) if e.kind in known]
        with self._lock:
            for e in events:
                typed = ev.decode(e.kind, e.payload)
                if typed is not None:
                    self.state.apply(typed)
            self._dirty.add("*")
            orphans = [p for p in self.state.pending.values() if not p.uncertain]
            try:
                for p in orphans:
                    self._commit(ev.ActionUncertain(p.key, p.ticket, p.command.target, p.command.kind,
                                                    p.command.describe(),
                                                    "the console stopped before the outcome was known"))
                    self._auto("lock", p.command.target, UNCERTAIN,
                               f"{p.command.describe()}: the console stopped before the outcome was known")
                now = self.clock.monotonic()
                st = self.state
                if st.on_backup and self.settings.pause_offers_on_failover:
                    for o in st.offers.values():   # paused by a failover that never returned: stays paused
                        if o.paused_remaining is None and not o.native:
                            self._commit(ev.OfferPaused(o.sku, round(max(0.0, self.mono_of(o.ends_utc) - now), 3),
                                                        "failover"))
                self._commit(ev.Restored(len(st.skus), {s: round(self._remaining(o, now), 3)
                                                        for s, o in st.offers.items()},
                                         {k: v.reason for k, v in st.locks.items()}, list(st.coupons),
                                         [p.key for p in st.pending.values()]))
            except JournalWriteError:
                pass
            lanes = {p.lane for p in self.state.pending.values() if not p.mismatch}
            skus = list(self.state.skus)
        for lane in lanes:
            self.lanes.submit(lane, lambda lane=lane: self._settle(lane), urgent=True)
        for sku in skus:
            self.lanes.submit(sku, lambda sku=sku: self._reconcile(sku), urgent=True)

    def _reconcile(self, sku: str) -> None:
        """After a restart: make the shop show what the journal says was commanded. Each fix is an action of
        its own with a fresh idempotency key, proved by its read-back."""
        if self.killed:
            return
        try:
            with deadline(self.config.action_deadline_s, self.clock):
                shop = self.platform.read_product(sku)
        except PlatformError as e:
            log.warning("console: reconcile %s: read failed (%s); trying again", sku, e)
            with self._lock:
                self._recon_at[sku] = self.clock.monotonic() + self.config.settle_interval_s
            return
        fixes: list[cmds.Command] = []
        ended_offer = None
        with self._lock:
            s = self.state.skus.get(sku)
            if s is None or sku in self.state.locks or any(p.lane == sku for p in self.state.pending.values()):
                return
            o = self.state.offers.get(sku)
            if o is not None and o.native and not (shop.offer is not None and shop.offer.active
                                                    and shop.offer.offer_id == o.offer_id):
                ended_offer = o
            want_price = o.price if (o is not None and not o.native) else s.price
            if shop.price != want_price:     # the price first: a product is listed at the price it should have
                fixes.append(cmds.RestorePrice(sku, want_price))
            if shop.listed != s.listed:
                fixes.append(cmds.ListProduct(sku) if s.listed else cmds.UnlistProduct(sku, "reconcile"))
        if ended_offer is not None:
            # the shop lost an offer the journal says is running (a shop restarted with the app): run it again
            # for what is left of it, with a fresh key; a second that is left is not worth it
            left = self.mono_of(ended_offer.ends_utc) - self.clock.monotonic()
            if ended_offer.paused_remaining is None and left >= 1.0:
                fixes.append(cmds.StartOffer(sku, ended_offer.price, round(left, 3), ended_offer.qty,
                                             ended_offer.per_buyer_limit))
            else:
                with self._lock:
                    try:
                        self._commit(ev.OfferStopped(sku=sku, what=f"offer {sku} ended", price=ended_offer.prev_price,
                                                     offer_price=ended_offer.price,
                                                     reason="ended while the console was stopped",
                                                     readback=readback_json(shop)))
                    except (JournalWriteError, ConsoleError):
                        return
                self._auto("offer_end", sku, APPLIED_, f"the offer on {sku} ended while the console was stopped")
        for cmd in fixes:
            fixed = {"price": [shop.price, cmd.price]} if isinstance(cmd, cmds.SetPrice) else \
                {"offer": [None, cmd.price]} if isinstance(cmd, cmds.StartOffer) else \
                {"listed": [shop.listed, not shop.listed]}

            def note(tk: Ticket, fixed=fixed) -> None:
                if tk.outcome is not None and tk.outcome.ok:
                    with self._lock:
                        try:
                            self._commit(ev.Reconciled(sku, fixed, tk.key, tk.outcome.readback))
                        except (JournalWriteError, ConsoleError):
                            pass
            self._auto_ticket(cmd, "system", f"reconcile {sku} after a restart: {fixed}", "reconcile", note)

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
    def _alert(self, rule: str, severity: str, title: str, detail: str, sku: str | None, values: dict) -> None:
        router = self.rt.alerts
        if router is None or self.killed:
            return
        from controlroom.alerts import Alert
        try:
            router.raise_alert(Alert(rule=rule, severity=severity, title=title, detail=detail, source="console",
                                     sku=sku, values=values, to_cue=severity == "critical"))
        except Exception:
            log.exception("alert failed")


def _brief(d: dict | None, like: dict | None = None) -> str:
    """A read-back in words: only the fields that were commanded (money in 元)."""
    if not isinstance(d, dict):
        return "nothing readable"
    keys = [k for k in (like or d) if k in d] or sorted(d)
    parts = []
    for k in keys:
        v = d.get(k)
        if k in ("price", "offer_price", "list_price") and isinstance(v, int):
            v = format_yuan(v)
        parts.append(f"{k} {v}")
    return ", ".join(parts)


def _may_have_applied(err: BaseException) -> bool:
    if isinstance(err, PlatformError):
        return bool(err.may_have_applied)
    return not isinstance(err, (cmds.NothingToSend, ValueError, TypeError))


def _no_answer(err: BaseException) -> bool:
    """A timeout (or a hang cut by the deadline): the request may still land after a read-back."""
    from controlroom.platform import PlatformTimeout
    return isinstance(err, PlatformTimeout)
