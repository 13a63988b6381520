"""The console service: every action a control operator takes on the shop, behind the interlocks.

An action runs: interlock check (journaled verdict) -> the operator's confirmation or a supervisor
override where the verdict asks for one -> the platform call on a worker thread (never the GUI's)
with an idempotency key reused on every retry -> a read-back from the platform compared with what
was commanded -> the outcome journaled. A read-back that differs locks the SKU until someone
resolves it. Live circuit breakers watch the platform's per-SKU order counters.

State lives here (not in widgets): products(), pinned(), offers() answer the UI and the cue screen;
"console.state" on the bus says something changed. After a crash, on_session(sid, resumed=True)
rebuilds everything from the journal.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from controlroom.commerce.interlocks import (ALLOW, BLOCK, CONFIRM, Coupon, Finding, InterlockEngine,
                                             InterlockSettings, Step, Terms, Verdict, worst)
from controlroom.commerce.money import format_money, format_yuan
from controlroom.commerce.plan import Plan, PlanError, PlanRow, check_plan, read_plan
from controlroom.commerce.supervisor import SupervisorSettings, verify_pin
from controlroom.platform import CouponSpec, PlatformError, ProductState

log = logging.getLogger(__name__)

ACTIONS = ("list", "unlist", "price", "offer_start", "offer_stop", "coupon_issue", "coupon_stop", "pin",
           "displayed_stock", "revert")
DONE_KIND = {"list": "console.listed", "unlist": "console.unlisted", "price": "console.price_changed",
             "revert": "console.price_changed", "offer_start": "console.offer_started",
             "offer_stop": "console.offer_stopped", "coupon_issue": "console.coupon_issued",
             "coupon_stop": "console.coupon_stopped", "pin": "console.pinned",
             "displayed_stock": "console.displayed_stock_set"}


class ConsoleError(RuntimeError):
    pass


class ConfirmationRequired(ConsoleError):
    pass


class OverrideRefused(ConsoleError):
    pass


@dataclass(frozen=True)
class Action:
    kind: str
    sku: str | None = None
    price: int | None = None          # 分: new price / offer price
    duration_s: float | None = None   # offer length
    qty: int | None = None            # offer quantity
    coupon: CouponSpec | None = None
    coupon_id: str | None = None
    shown: int | None = None          # displayed stock
    text: str = ""                    # cue text for pin/explain
    actor: str = "operator"
    reason: str = ""                  # why the system acted (expired, breaker, failover, ...)

    def describe(self) -> str:
        p = format_yuan(self.price) if self.price is not None else ""
        return {"list": f"list {self.sku}", "unlist": f"unlist {self.sku}", "price": f"price {self.sku} → {p}",
                "revert": f"revert {self.sku} → {p}",
                "offer_start": f"offer {self.sku} at {p} for {self.duration_s:g} s" if self.duration_s else "offer",
                "offer_stop": f"stop offer {self.sku}",
                "coupon_issue": (f"coupon {format_yuan(self.coupon.amount)} off over "
                                 f"{format_yuan(self.coupon.threshold)}" if self.coupon else "coupon"),
                "coupon_stop": f"stop coupon {self.coupon_id}", "pin": f"pin {self.sku or '(none)'}",
                "displayed_stock": f"show stock {self.sku} = {self.shown}"}.get(self.kind, self.kind)


@dataclass(frozen=True)
class Override:
    supervisor: str
    pin: str = field(repr=False)
    reason: str = ""


@dataclass
class Outcome:
    ok: bool
    key: str
    attempts: int = 0
    latency_ms: float = 0.0
    readback: dict[str, Any] | None = None
    mismatch: bool = False
    error: str = ""
    result: Any = None


@dataclass
class Ticket:
    id: str
    action: Action
    verdict: Verdict
    key: str                      # the idempotency key: one per action, reused on every retry
    overridable: bool = True
    state: str = "pending"        # pending | awaiting_confirm | blocked | submitted | done | failed | cancelled
    future: Future | None = None
    outcome: Outcome | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def needs(self) -> str:
        """What the action still needs: "" (nothing), "confirm", "override", or "resolve" (locked SKU)."""
        if self.verdict.verdict == BLOCK:
            return "override" if self.overridable else "resolve"
        return "confirm" if self.verdict.verdict == CONFIRM else ""

    def result(self, timeout: float | None = 30) -> Outcome:
        if self.future is None:
            raise ConsoleError(f"ticket {self.id} was not submitted ({self.state}: {self.verdict.words})")
        return self.future.result(timeout)


@dataclass
class _Offer:
    sku: str
    price: int
    prev_price: int
    duration_s: float
    ends_at: float               # clock.monotonic()
    qty: int | None = None
    paused_remaining: float | None = None
    stopping: bool = False


@dataclass
class _Sku:
    sku: str
    title: str = ""
    list_price: int = 0
    price: int = 0
    stock: int = 0
    listed: bool = False
    pinned: bool = False
    displayed_stock: int | None = None
    locked: str = ""             # why, when locked


@dataclass(frozen=True)
class ProductView:
    sku: str
    title: str
    list_price: int
    price: int                   # the live price viewers pay before coupons (the offer price during an offer)
    net_price: int | None        # after every stacked discount
    stock: int
    displayed_stock: int | None
    listed: bool
    pinned: bool
    locked: bool
    lock_reason: str
    floor: int | None
    plan_price: int | None
    offer_price: int | None
    offer_remaining_s: float | None
    offer_paused: bool


@dataclass(frozen=True)
class OfferView:
    sku: str
    price: int
    prev_price: int
    remaining_s: float
    duration_s: float
    paused: bool
    qty: int | None


def _state_dict(p: ProductState) -> dict[str, Any]:
    return asdict(p)


class ConsoleService:
    def __init__(self, rt, *, engine: InterlockEngine | None = None):
        self.rt = rt
        self.clock = rt.clock
        self.bus = rt.bus
        self.journal = rt.journal
        self.platform = rt.platform
        self.settings: InterlockSettings = rt.settings.section("interlocks", InterlockSettings)
        self.supervisor: SupervisorSettings = rt.settings.section("supervisor", SupervisorSettings)
        self.engine = engine or InterlockEngine(self.settings)
        self._lock = threading.RLock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-platform")
        self._poller = ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-metrics")
        self._poll_pending = False
        self._last_poll = -1e18
        self._ids = itertools.count(1)
        self._run_id = uuid.uuid4().hex[:8]
        self.session_id: int | None = None
        self._skus: dict[str, _Sku] = {}
        self._plan: dict[str, PlanRow] = {}
        self._offers: dict[str, _Offer] = {}
        self._coupons: dict[str, CouponSpec] = {}       # active coupons issued through the console
        self._scheduled: list[tuple[float, CouponSpec, str]] = []   # (due mono, spec, actor)
        self._price_history: list[tuple[str, int, int]] = []        # (sku, before, after) for revert
        self._overridden_floor: set[str] = set()
        self._armed: dict[str, tuple[float, float]] = {}            # sku -> (since mono, baseline per min)
        self._history: dict[str, deque] = {}                         # sku -> (mono, orders, units, gmv)
        self.on_backup = False
        self.tickets: dict[str, Ticket] = {}
        self._unsub = [self.bus.subscribe(self._on_stream, "journal.stream.")]
        self._sleep: Callable[[float], None] = getattr(self.clock, "sleep", time.sleep)

    # ======================================================================= life cycle
    def on_session(self, session_id: int, resumed: bool) -> None:
        with self._lock:
            self.session_id = session_id
            self._reset()
        if resumed:
            self._replay(session_id)
            self._pool.submit(self._reconcile).add_done_callback(_log_failure)
        else:
            plan_path = Path(self.rt.show_dir) / "products.csv"
            if plan_path.is_file():
                try:
                    self.import_plan(plan_path, actor="system")
                except PlanError as e:
                    log.warning("sample plan not imported: %s", e)
            self._pool.submit(self._refresh).result(timeout=30)
        self._publish(None, "session")

    def close(self) -> None:
        for u in self._unsub:
            u()
        self._pool.shutdown(wait=True, cancel_futures=False)
        self._poller.shutdown(wait=True, cancel_futures=True)

    def _reset(self) -> None:
        self._skus.clear(); self._plan.clear(); self._offers.clear(); self._coupons.clear()
        self._scheduled.clear(); self._price_history.clear(); self._overridden_floor.clear()
        self._armed.clear(); self._history.clear(); self.on_backup = False

    def _sid(self) -> int:
        if self.session_id is None:
            sid = self.rt.session_id
            if sid is None:
                raise ConsoleError("no show session is open")
            self.session_id = sid
        return self.session_id

    def _journal(self, kind: str, actor: str, payload: dict[str, Any]):
        return self.journal.append(self._sid(), kind, actor, payload)

    def _publish(self, sku: str | None, why: str) -> None:
        self.bus.publish("console.state", {"sku": sku, "why": why})

    # ======================================================================= plan
    def import_plan(self, path: str | Path, actor: str = "operator") -> list:
        """Import a price plan (the preflight CSV). Refused, with the blocked rows, if preflight blocks."""
        plan = read_plan(path)
        results = check_plan(plan, self.engine)
        blocked = [r for r in results if r.verdict.verdict == BLOCK]
        if blocked:
            raise PlanError(f"{path}: {len(blocked)} row(s) blocked by preflight: " + "; ".join(
                f"row {r.row} {r.sku}: {r.verdict.words}" for r in blocked[:5]))
        with self._lock:
            self._plan = plan.by_sku()
        self._journal("console.plan_imported", actor, {
            "path": str(path), "rows": [r.to_json() for r in plan.rows],
            "verdicts": [r.to_json() for r in results]})
        self._publish(None, "plan")
        return results

    def plan_row(self, sku: str) -> PlanRow | None:
        return self._plan.get(sku)

    def apply_plan(self, actor: str = "operator") -> list[Ticket]:
        """Set every SKU whose live price differs from the plan back to the planned price."""
        out = []
        for sku, row in list(self._plan.items()):
            s = self._skus.get(sku)
            if s and row.live_price is not None and s.price != row.live_price and sku not in self._offers:
                out.append(self.change_price(sku, row.live_price, actor=actor))
        return out

    # ======================================================================= queries
    def products(self) -> list[ProductView]:
        with self._lock:
            return [self._view(s) for s in self._skus.values()]

    def product(self, sku: str) -> ProductView | None:
        with self._lock:
            s = self._skus.get(sku)
            return self._view(s) if s else None

    def pinned(self) -> ProductView | None:
        with self._lock:
            for s in self._skus.values():
                if s.pinned:
                    return self._view(s)
        return None

    def offers(self) -> list[OfferView]:
        now = self.clock.monotonic()
        with self._lock:
            return [OfferView(o.sku, o.price, o.prev_price, self._remaining(o, now), o.duration_s,
                              o.paused_remaining is not None, o.qty) for o in self._offers.values()]

    def coupons(self) -> dict[str, CouponSpec]:
        with self._lock:
            return dict(self._coupons)

    def locked(self) -> dict[str, str]:
        with self._lock:
            return {s.sku: s.locked for s in self._skus.values() if s.locked}

    @staticmethod
    def _remaining(o: _Offer, now: float) -> float:
        return o.paused_remaining if o.paused_remaining is not None else max(0.0, o.ends_at - now)

    def _view(self, s: _Sku) -> ProductView:
        o = self._offers.get(s.sku)
        row = self._plan.get(s.sku)
        terms = self._terms(s.sku)
        return ProductView(s.sku, s.title, s.list_price, s.price, self.engine.net_price(terms), s.stock,
                           s.displayed_stock, s.listed, s.pinned, bool(s.locked), s.locked, terms.floor,
                           row.live_price if row else None, o.price if o else None,
                           self._remaining(o, self.clock.monotonic()) if o else None,
                           bool(o and o.paused_remaining is not None))

    # ======================================================================= interlocks
    def _terms(self, sku: str, **changes: Any) -> Terms:
        s = self._skus.get(sku) or _Sku(sku)
        row = self._plan.get(sku)
        o = self._offers.get(sku)
        base = s.price if not o else o.prev_price
        coupons = tuple(Coupon(c.threshold, c.amount, c.total_qty, c.per_buyer_limit, c.sku, cid)
                        for cid, c in self._coupons.items() if c.sku in (None, sku))
        t = Terms(sku=sku, title=s.title or (row.title if row else ""), list_price=s.list_price or
                  (row.list_price if row else None), live_price=base,
                  cost=row.cost if row else None, floor_price=row.floor_price if row else None, stock=s.stock,
                  per_buyer_limit=row.per_buyer_limit if row else None,
                  approved_deep_discount=bool(row and row.approved_deep_discount), coupons=coupons,
                  tiers=row.tiers if row else (), offer_price=o.price if o else None, offer_qty=o.qty if o else None,
                  bundle_items_sum=row.bundle_items_sum if row else None,
                  gift_value=row.gift_value if row else None)
        return replace(t, **changes) if changes else t

    def _known_good(self, sku: str, price: int) -> bool:
        row = self._plan.get(sku)
        return bool(row and price in (row.live_price, row.offer_price))

    def evaluate(self, action: Action) -> tuple[Verdict, bool]:
        """The verdict for an action and whether a supervisor may override it."""
        with self._lock:
            return self._evaluate(action)

    def _evaluate(self, a: Action) -> tuple[Verdict, bool]:
        k, sku = a.kind, a.sku
        if k not in ACTIONS:
            raise ConsoleError(f"unknown console action {k!r}")
        s = self._skus.get(sku) if sku else None
        if sku and k not in ("coupon_issue", "coupon_stop") and s is None:
            f = Finding("invalid_input", BLOCK, f"sku: {sku!r} is not a product of this show", {"field": "sku"})
            return Verdict(BLOCK, (f,), None, sku=sku or ""), False
        if s and s.locked and k not in ("unlist", "offer_stop"):
            f = Finding("sku_locked", BLOCK, f"{sku} is locked: {s.locked} — resolve it first", {})
            return Verdict(BLOCK, (f,), None, s.list_price, sku=sku), False
        e = self.engine
        if k in ("unlist", "offer_stop", "coupon_stop"):
            return Verdict(ALLOW, (), self.engine.net_price(self._terms(sku)) if s else None,
                           s.list_price if s else None, sku=sku or ""), True
        if k == "list":
            return e.evaluate(self._terms(sku), listing=True), True
        if k in ("price", "revert"):
            if a.price is None:
                return _invalid(sku, "price", "no price given"), True
            o = self._offers.get(sku)
            t = self._terms(sku, live_price=a.price, offer_price=None, offer_qty=None)
            old = o.prev_price if o else s.price
            good = k == "revert" or self._known_good(sku, a.price)
            return e.evaluate(t, step=Step(old, a.price, good), texts=False), True
        if k == "offer_start":
            if a.price is None or not a.duration_s or a.duration_s <= 0:
                return _invalid(sku, "offer", "an offer needs a price and a duration above zero"), True
            if a.qty is not None and a.qty <= 0:
                return _invalid(sku, "offer_qty", f"{a.qty} must be above zero"), True
            cur = self._offers.get(sku)
            base = cur.prev_price if cur else s.price
            t = self._terms(sku, live_price=base, offer_price=a.price, offer_qty=a.qty)
            return e.evaluate(t, step=Step(s.price, a.price, self._known_good(sku, a.price)), texts=False), True
        if k == "coupon_issue":
            c = a.coupon
            if c is None:
                return _invalid(sku, "coupon", "no coupon given"), True
            new = Coupon(c.threshold, c.amount, c.total_qty, c.per_buyer_limit, c.sku)
            targets = [c.sku] if c.sku else [x.sku for x in self._skus.values() if x.listed] or list(self._skus)
            if c.sku and c.sku not in self._skus:
                return _invalid(c.sku, "sku", f"{c.sku!r} is not a product of this show"), True
            verdicts = []
            for i, sk in enumerate(targets):
                t = self._terms(sk)
                t = replace(t, coupons=t.coupons + (new,))
                verdicts.append(e.evaluate(t, new_coupons=(new,) if i == 0 else (), texts=False))
            if not verdicts:
                return e.evaluate(Terms("*", None, None), new_coupons=(new,), texts=False), True
            worst_v = max(verdicts, key=lambda v: ({ALLOW: 0, CONFIRM: 1, BLOCK: 2}[v.verdict],
                                                   -(v.net_price or 0)))
            findings = []
            for v in verdicts:
                for f in v.findings:
                    msg = f.message if c.sku or f.rule.startswith("coupon") else f"{v.sku}: {f.message}"
                    if all(x.message != msg for x in findings):
                        findings.append(replace(f, message=msg))
            return Verdict(worst(*(v.verdict for v in verdicts)), tuple(findings), worst_v.net_price,
                           worst_v.list_price, worst_v.floor, c.sku or worst_v.sku), True
        if k == "pin":
            if sku is None:
                return Verdict(ALLOW, (), None), True
            t = self._terms(sku, texts=(a.text,) if a.text else ())
            return e.evaluate(t, pricing=False, texts=True), True
        if k == "displayed_stock":
            if a.shown is not None and a.shown < 0:
                return _invalid(sku, "displayed_stock", f"{a.shown} is negative"), True
            return Verdict(ALLOW, (), e.net_price(self._terms(sku)), s.list_price, sku=sku), True
        raise ConsoleError(k)

    # ======================================================================= tickets
    def request(self, action: Action) -> Ticket:
        """Judge an action and journal the verdict. Nothing is sent to the platform yet."""
        verdict, overridable = self.evaluate(action)
        n = next(self._ids)
        tid = f"T{n}"
        key = f"cr-{self._sid()}-{self._run_id}-{n}-{action.kind}-{action.sku or action.coupon_id or 'shop'}"
        t = Ticket(tid, action, verdict, key, overridable)
        t.state = {ALLOW: "pending", CONFIRM: "awaiting_confirm", BLOCK: "blocked"}[verdict.verdict]
        self.tickets[tid] = t
        if verdict.verdict == ALLOW:
            # an allowed action's verdict travels in its outcome event (console.*): one durable commit, not two
            return t
        self._journal("interlock.verdict", action.actor, {
            "ticket": tid, "key": key, "action": action.kind, "what": action.describe(), "sku": action.sku,
            "verdict": verdict.verdict, "rules": verdict.rules, "words": verdict.words,
            "net_price": verdict.net_price, "list_price": verdict.list_price, "overridable": overridable})
        return t

    def submit(self, ticket: Ticket, *, confirmed: bool = False, override: Override | None = None) -> Ticket:
        """Send a judged action to the platform (on the worker). A confirm verdict needs confirmed=True;
        a block needs a valid supervisor override (PIN + reason)."""
        if ticket.future is not None:
            return ticket
        v = ticket.verdict
        if v.verdict == BLOCK:
            if not ticket.overridable:
                raise OverrideRefused(f"{ticket.action.describe()}: {v.words}")
            self._check_override(ticket, override)
        elif v.verdict == CONFIRM:
            if not (confirmed or override):
                raise ConfirmationRequired(f"{ticket.action.describe()}: confirm first — {v.words}")
            self._journal("interlock.confirmed", ticket.action.actor, {
                "ticket": ticket.id, "key": ticket.key, "rules": v.rules, "net_price": v.net_price,
                "words": v.words})
        ticket.state = "submitted"
        ticket.future = self._pool.submit(self._run, ticket)
        return ticket

    def cancel(self, ticket: Ticket) -> None:
        if ticket.future is None and ticket.state not in ("cancelled",):
            ticket.state = "cancelled"
            self._journal("interlock.cancelled", ticket.action.actor, {
                "ticket": ticket.id, "key": ticket.key, "verdict": ticket.verdict.verdict,
                "rules": ticket.verdict.rules})

    def _check_override(self, ticket: Ticket, ov: Override | None) -> None:
        base = {"ticket": ticket.id, "key": ticket.key, "rules": ticket.verdict.rules,
                "net_price": ticket.verdict.net_price, "what": ticket.action.describe()}
        if ov is None:
            raise OverrideRefused(f"blocked: {ticket.verdict.words}. A supervisor override (PIN and reason) "
                                  f"is required.")
        reason = (ov.reason or "").strip()
        problem = ""
        if not self.supervisor.pin_hash:
            problem = "no supervisor PIN is set (settings [supervisor] pin_hash)"
        elif len(reason) < self.supervisor.min_reason_chars:
            problem = f"a reason of at least {self.supervisor.min_reason_chars} characters is required"
        elif not (ov.supervisor or "").strip():
            problem = "the supervisor's name is required"
        elif not verify_pin(self.supervisor.pin_hash, ov.pin):
            problem = "wrong PIN"
        if problem:
            self._journal("interlock.override_refused", ov.supervisor or "?", {**base, "why": problem,
                                                                                "reason_text": reason})
            raise OverrideRefused(problem)
        self._journal("interlock.override", ov.supervisor, {**base, "reason_text": reason,
                                                            "operator": ticket.action.actor,
                                                            "words": ticket.verdict.words})
        ticket.extra["override"] = {"supervisor": ov.supervisor, "reason_text": reason}

    def _go(self, action: Action, confirmed: bool, override: Override | None, wait: bool) -> Ticket:
        t = self.request(action)
        if t.verdict.verdict == ALLOW or (t.verdict.verdict == CONFIRM and (confirmed or override)) or \
                (t.verdict.verdict == BLOCK and override is not None and t.overridable):
            self.submit(t, confirmed=confirmed, override=override)
            if wait:
                t.result()
        return t

    # ======================================================================= actions
    def list_product(self, sku: str, *, actor: str = "operator", confirmed=False, override=None, wait=False):
        return self._go(Action("list", sku, actor=actor), confirmed, override, wait)

    def unlist_product(self, sku: str, *, actor: str = "operator", reason: str = "", wait=False):
        return self._go(Action("unlist", sku, actor=actor, reason=reason), False, None, wait)

    def toggle_listing(self, sku: str, **kw):
        s = self._skus.get(sku)
        return self.unlist_product(sku, **{k: v for k, v in kw.items() if k in ("actor", "wait")}) \
            if s and s.listed else self.list_product(sku, **kw)

    def change_price(self, sku: str, price_fen: int, *, actor: str = "operator", confirmed=False, override=None,
                     wait=False):
        return self._go(Action("price", sku, price=price_fen, actor=actor), confirmed, override, wait)

    def start_offer(self, sku: str, price_fen: int, duration_s: float, qty: int | None = None, *,
                    actor: str = "operator", confirmed=False, override=None, wait=False):
        """A flash price for duration_s seconds; back to the price before by itself at zero."""
        return self._go(Action("offer_start", sku, price=price_fen, duration_s=float(duration_s), qty=qty,
                               actor=actor), confirmed, override, wait)

    def stop_offer(self, sku: str, *, actor: str = "operator", reason: str = "operator", wait=False):
        return self._go(Action("offer_stop", sku, actor=actor, reason=reason), False, None, wait)

    def issue_coupon(self, spec: CouponSpec, *, actor: str = "operator", confirmed=False, override=None, wait=False):
        return self._go(Action("coupon_issue", spec.sku, coupon=spec, actor=actor), confirmed, override, wait)

    def schedule_coupon(self, spec: CouponSpec, delay_s: float, *, actor: str = "rundown") -> None:
        """Release a coupon later (held while the stream is on backup, if configured)."""
        with self._lock:
            self._scheduled.append((self.clock.monotonic() + delay_s, spec, actor))

    def stop_coupon(self, coupon_id: str, *, actor: str = "operator", wait=False):
        return self._go(Action("coupon_stop", self._coupons.get(coupon_id, CouponSpec(None, 0, 0, None)).sku,
                               coupon_id=coupon_id, actor=actor), False, None, wait)

    def pin_product(self, sku: str | None, *, text: str = "", actor: str = "operator", confirmed=False,
                    override=None, wait=False):
        """Pin/explain 讲解 the product (None unpins); the cue text is checked for banned terms."""
        return self._go(Action("pin", sku, text=text, actor=actor), confirmed, override, wait)

    explain_product = pin_product

    def set_displayed_stock(self, sku: str, shown: int | None, *, actor: str = "operator", wait=False):
        return self._go(Action("displayed_stock", sku, shown=shown, actor=actor), False, None, wait)

    def last_price_change(self) -> tuple[str, int, int] | None:
        with self._lock:
            return self._price_history[-1] if self._price_history else None

    def revert_last_price(self, *, actor: str = "operator", confirmed=False, override=None, wait=False):
        """One key: put the last changed price back."""
        last = self.last_price_change()
        if last is None:
            raise ConsoleError("no price change to revert")
        sku, before, _after = last
        return self._go(Action("revert", sku, price=before, actor=actor), confirmed, override, wait)

    def resolve_lock(self, sku: str, *, actor: str = "operator", note: str = "") -> ProductState:
        """Someone looked at a locked SKU: adopt what the platform now says and unlock it (journaled)."""
        state = self._pool.submit(self._read_product, sku).result(timeout=30)
        with self._lock:
            s = self._skus[sku]
            was = s.locked
            self._adopt(state)
            s.locked = ""
        self._journal("console.sku_unlocked", actor, {"sku": sku, "was": was, "note": note,
                                                       "readback": _state_dict(state)})
        self._publish(sku, "unlocked")
        return state

    # ======================================================================= the worker
    def _call(self, fn: Callable[[], Any]) -> tuple[Any, int]:
        """Call the platform; retry timeouts and rate limits with the same idempotency key."""
        attempts, delay = 0, self.settings.retry_backoff_s
        while True:
            attempts += 1
            try:
                return fn(), attempts
            except PlatformError as e:
                if not getattr(e, "retryable", False) or attempts > self.settings.retries:
                    e.attempts = attempts  # type: ignore[attr-defined]
                    raise
                wait = max(delay, float(getattr(e, "retry_after", 0.0) or 0.0))
                log.info("platform call failed (%s); retry %d in %.2fs", e, attempts, wait)
                self._sleep(wait)
                delay *= 2

    def _read_product(self, sku: str) -> ProductState:
        return self._call(lambda: self.platform.read_product(sku))[0]

    def _run(self, t: Ticket) -> Outcome:
        a, key, p = t.action, t.key, self.platform
        t0 = time.perf_counter()
        out = Outcome(False, key)
        with self._lock:
            cur = self._skus.get(a.sku) if a.sku else None
            t.extra["before"] = cur.price if cur else None
        commanded: dict[str, Any] = {}
        try:
            if a.kind == "list":
                commanded = {"listed": True}
                if t.extra.get("before") is not None:  # listed at the price the operator sees, or it is not right
                    commanded["price"] = t.extra["before"]
                _, out.attempts = self._call(lambda: p.list_product(a.sku, idempotency_key=key))
            elif a.kind == "unlist":
                commanded = {"listed": False}
                _, out.attempts = self._call(lambda: p.unlist_product(a.sku, idempotency_key=key))
            elif a.kind in ("price", "revert", "offer_start"):
                commanded = {"price": a.price}
                _, out.attempts = self._call(lambda: p.set_price(a.sku, a.price, idempotency_key=key))
            elif a.kind == "offer_stop":
                o = self._offers.get(a.sku)
                if o is None:
                    raise ConsoleError(f"no offer running on {a.sku}")
                commanded = {"price": o.prev_price}
                _, out.attempts = self._call(lambda: p.set_price(a.sku, o.prev_price, idempotency_key=key))
            elif a.kind == "displayed_stock":
                commanded = {"displayed_stock": a.shown}
                _, out.attempts = self._call(lambda: p.set_displayed_stock(a.sku, a.shown, idempotency_key=key))
            elif a.kind == "pin":
                commanded = {"pinned": a.sku}
                _, out.attempts = self._call(lambda: p.pin_product(a.sku, idempotency_key=key))
            elif a.kind == "coupon_issue":
                out.result, out.attempts = self._call(lambda: p.issue_coupon(a.coupon, idempotency_key=key))
            elif a.kind == "coupon_stop":
                _, out.attempts = self._call(lambda: p.stop_coupon(a.coupon_id, idempotency_key=key))
        except (PlatformError, ConsoleError) as e:
            out.attempts = getattr(e, "attempts", out.attempts or 1)
            out.error = f"{type(e).__name__}: {e}"
        # the read-back: only what the platform says proves the action (price APIs return nothing)
        try:
            if a.kind in ("coupon_issue", "coupon_stop"):
                cid = out.result if a.kind == "coupon_issue" else a.coupon_id
                if cid:
                    cs = self._call(lambda: p.read_coupon(cid))[0]
                    out.readback = {"coupon_id": cid, "active": cs.active, "threshold": cs.spec.threshold,
                                    "amount": cs.spec.amount, "total_qty": cs.spec.total_qty, "sku": cs.spec.sku}
                    if not out.error:
                        want = a.coupon
                        if a.kind == "coupon_issue":
                            out.mismatch = not (cs.active and cs.spec.threshold == want.threshold and
                                                cs.spec.amount == want.amount and cs.spec.total_qty == want.total_qty)
                        else:
                            out.mismatch = cs.active
            elif a.sku is not None or a.kind == "pin":
                sku = a.sku or self.pinned_sku()
                if sku:
                    state = self._read_product(sku)
                    out.readback = _state_dict(state)
                    if not out.error:
                        if "pinned" in commanded:
                            out.mismatch = state.pinned != (a.sku is not None)
                        else:
                            out.mismatch = any(out.readback.get(k) != v for k, v in commanded.items())
                    with self._lock:
                        self._adopt(state)
        except PlatformError as e:
            out.error = out.error or f"read-back failed: {type(e).__name__}: {e}"
        out.latency_ms = (time.perf_counter() - t0) * 1000
        out.ok = not out.error and not out.mismatch
        t.outcome = out
        t.state = "done" if out.ok else "failed"
        self._record(t, commanded)
        return out

    def pinned_sku(self) -> str | None:
        p = self.pinned()
        return p.sku if p else None

    def _adopt(self, st: ProductState) -> None:
        s = self._skus.setdefault(st.sku, _Sku(st.sku))
        s.title, s.list_price, s.price, s.stock = st.title, st.list_price, st.price, st.stock
        s.listed, s.displayed_stock = st.listed, st.displayed_stock
        if st.pinned:
            for other in self._skus.values():
                other.pinned = False
        s.pinned = st.pinned

    def _record(self, t: Ticket, commanded: dict[str, Any]) -> None:
        a, out, v = t.action, t.outcome, t.verdict
        now = self.clock.monotonic()
        base = {"ticket": t.id, "key": t.key, "sku": a.sku, "verdict": v.verdict, "rules": v.rules,
                "net_price": v.net_price, "latency_ms": round(out.latency_ms, 3), "attempts": out.attempts,
                "commanded": commanded, "readback": out.readback, "what": a.describe(),
                "override": t.extra.get("override")}
        if out.error:
            self._journal("console.action_failed", a.actor, {**base, "action": a.kind, "error": out.error})
            self._alert("action_failed", "warning", f"Console: {a.describe()} failed", out.error, a.sku, base)
        elif out.mismatch:
            reason = f"read-back {out.readback} differs from commanded {commanded}"
            with self._lock:
                if a.sku and a.sku in self._skus:
                    self._skus[a.sku].locked = reason
            self._journal("console.readback_mismatch", "system", {**base, "action": a.kind})
            if a.sku:
                self._journal("console.sku_locked", "system", {"sku": a.sku, "reason": reason, "key": t.key})
            self._alert("readback_mismatch", "critical", f"Read-back mismatch on {a.sku}: SKU locked", reason,
                        a.sku, {"commanded": commanded, "readback": out.readback})
        else:
            extra: dict[str, Any] = {}
            with self._lock:
                if a.kind in ("price", "revert"):
                    o = self._offers.pop(a.sku, None)  # a new price ends a running offer
                    before = o.prev_price if o else t.extra.get("before")
                    extra = {"price": a.price, "prev_price": before, "revert": a.kind == "revert",
                             "ended_offer": bool(o)}
                    if a.kind == "revert" and self._price_history and self._price_history[-1][0] == a.sku:
                        self._price_history.pop()
                    elif before != a.price:
                        self._price_history.append((a.sku, before, a.price))
                    self._arm(a.sku, now)
                    self._overridden_floor.discard(a.sku)
                    if "override" in t.extra and ({"below_floor", "net_price_nonpositive"} & set(v.rules)):
                        self._overridden_floor.add(a.sku)
                elif a.kind == "offer_start":
                    prev = self._offers[a.sku].prev_price if a.sku in self._offers else \
                        t.extra.get("before")
                    o = _Offer(a.sku, a.price, prev, a.duration_s, now + a.duration_s, a.qty)
                    self._offers[a.sku] = o
                    extra = {"price": a.price, "prev_price": prev, "duration_s": a.duration_s, "qty": a.qty,
                             "ends_utc": (self.clock.utcnow().timestamp() + a.duration_s)}
                    self._arm(a.sku, now)
                    if "override" in t.extra and ({"below_floor", "net_price_nonpositive"} & set(v.rules)):
                        self._overridden_floor.add(a.sku)
                elif a.kind == "offer_stop":
                    o = self._offers.pop(a.sku, None)
                    extra = {"price": o.prev_price if o else None, "offer_price": o.price if o else None,
                             "reason": a.reason}
                elif a.kind == "coupon_issue":
                    self._coupons[out.result] = a.coupon
                    extra = {"coupon_id": out.result, "spec": asdict(a.coupon)}
                elif a.kind == "coupon_stop":
                    spec = self._coupons.pop(a.coupon_id, None)
                    extra = {"coupon_id": a.coupon_id, "spec": asdict(spec) if spec else None}
                elif a.kind == "pin":
                    extra = {"pinned_sku": a.sku, "text": a.text}
                elif a.kind == "displayed_stock":
                    extra = {"shown": a.shown}
                elif a.kind in ("list", "unlist"):
                    extra = {"reason": a.reason}
            self._journal(DONE_KIND[a.kind], a.actor, {**base, **extra})
        self._publish(a.sku, a.kind)

    def _alert(self, rule: str, severity: str, title: str, detail: str, sku: str | None, values: dict) -> None:
        router = self.rt.alerts
        if router is None:
            return
        from controlroom.alerts import Alert
        try:
            router.raise_alert(Alert(rule=rule, severity=severity, title=title, detail=detail, source="console",
                                     sku=sku, values=values, to_cue=severity == "critical"))
        except Exception:
            log.exception("alert failed")

    def _refresh(self) -> None:
        states = self._call(self.platform.read_products)[0]
        with self._lock:
            for st in states:
                self._adopt(st)

    # ======================================================================= tick: offers, schedule, breakers
    def tick(self) -> None:
        if self.session_id is None:
            return
        now = self.clock.monotonic()
        due_offers, due_coupons = [], []
        with self._lock:
            for o in self._offers.values():
                if o.paused_remaining is None and not o.stopping and now >= o.ends_at:
                    o.stopping = True
                    due_offers.append(o.sku)
            if not (self.on_backup and self.settings.hold_coupons_on_failover):
                due_coupons = [x for x in self._scheduled if x[0] <= now]
                self._scheduled = [x for x in self._scheduled if x[0] > now]
            poll = (not self._poll_pending) and now - self._last_poll >= self.settings.metrics_poll_s
            if poll:
                self._poll_pending, self._last_poll = True, now
        for sku in due_offers:
            self._expire(sku)
        for _due, spec, actor in due_coupons:
            self.issue_coupon(spec, actor=actor)
        if poll:
            self._poller.submit(self._poll_metrics).add_done_callback(_log_failure)

    def _expire(self, sku: str) -> None:
        """At zero the offer reverts by itself. Going back to the price before is the safe direction, so
        the verdict is journaled but never waits for a click."""
        t = self.request(Action("offer_stop", sku, actor="system", reason="expired"))
        t.verdict = replace(t.verdict, verdict=ALLOW) if t.verdict.verdict != ALLOW else t.verdict
        t.overridable = True
        self.submit(t)

    def _arm(self, sku: str, now: float) -> None:
        hist = self._history.get(sku)
        baseline = 0.0
        w = self.settings.breaker_window_s
        if hist and len(hist) >= 2:
            old = next((h for h in hist if h[0] >= now - w), hist[0])
            span = max(now - old[0], 1e-9)
            baseline = (hist[-1][1] - old[1]) * 60.0 / span if span >= w / 2 else 0.0
        self._armed[sku] = (now, baseline)

    def _poll_metrics(self) -> None:
        try:
            m = self.platform.metrics()
        except PlatformError as e:
            log.info("metrics poll failed: %s", e)
            return
        finally:
            self._poll_pending = False
        now = self.clock.monotonic()
        trips = []
        s = self.settings
        with self._lock:
            for sku, sm in m.skus.items():
                hist = self._history.setdefault(sku, deque(maxlen=600))
                prev = hist[-1] if hist else None
                hist.append((now, sm.orders, sm.units, sm.gmv))
                while len(hist) > 2 and hist[1][0] < now - max(120.0, 2 * s.breaker_window_s):
                    hist.popleft()
                if prev is None or sku not in self._skus:
                    continue
                terms = self._terms(sku)
                du, dg = sm.units - prev[2], sm.gmv - prev[3]
                if (du > 0 and terms.floor is not None and dg < terms.floor * du and not terms.approved_exception
                        and sku not in self._overridden_floor):
                    trips.append((sku, "sale_below_floor", {"units": du, "gmv": dg, "avg_price": dg // du,
                                                            "floor": terms.floor}))
                    continue
                armed = self._armed.get(sku)
                if armed is None:
                    continue
                since, baseline = armed
                row = self._plan.get(sku)
                planned = (row.planned_orders_per_min if row and row.planned_orders_per_min else
                           s.planned_orders_per_min or baseline)
                start = max(since, now - s.breaker_window_s)
                ref = next((h for h in hist if h[0] >= start), None)
                if ref is None:
                    continue
                # orders counted from the first sample at/after the change, over at most one window
                count = sm.orders - ref[1]
                allowance = max(s.breaker_rate_multiple * planned * s.breaker_window_s / 60.0, s.breaker_min_orders)
                if count > allowance:
                    trips.append((sku, "order_rate", {"orders": count, "window_s": s.breaker_window_s,
                                                      "planned_per_min": round(planned, 2),
                                                      "allowed": round(allowance, 1)}))
            for sku, _rule, _v in trips:
                self._armed.pop(sku, None)
        for sku, rule, values in trips:
            self._trip(sku, rule, values)

    def _trip(self, sku: str, rule: str, values: dict[str, Any]) -> None:
        action = self.settings.pause_action
        words = (f"orders on {sku} at the new price: {values.get('orders')} in {values.get('window_s'):g} s, "
                 f"more than {values.get('allowed')} allowed ({self.settings.breaker_rate_multiple:g}× plan)"
                 if rule == "order_rate" else
                 f"a sale on {sku} at {format_yuan(values['avg_price'])} below the floor {format_yuan(values['floor'])}")
        self._journal("interlock.breaker_tripped", "system", {"sku": sku, "rule": rule, "values": values,
                                                              "words": words, "pause_action": action})
        self._alert(f"breaker_{rule}", "critical", f"Circuit breaker on {sku}: offer paused ({action})", words,
                    sku, values)
        if action == "unlist":
            self.unlist_product(sku, actor="breaker", reason=rule)
        else:
            if sku in self._offers:
                self.stop_offer(sku, actor="breaker", reason=rule)
            else:
                row = self._plan.get(sku)
                target = row.live_price if row and row.live_price is not None else None
                last = next((h for h in reversed(self._price_history) if h[0] == sku), None)
                target = last[1] if last else target
                if target is not None:
                    t = self.request(Action("revert", sku, price=target, actor="breaker", reason=rule))
                    if t.verdict.verdict != ALLOW:  # the breaker is the safe direction
                        t.verdict = replace(t.verdict, verdict=ALLOW)
                    self.submit(t)
        self._publish(sku, "breaker")

    # ======================================================================= failover coupling
    def _on_stream(self, topic: str, ev: Any) -> None:
        if self.session_id is None:
            return
        if topic == "journal.stream.failover":
            with self._lock:
                self.on_backup = True
                now = self.clock.monotonic()
                paused = []
                if self.settings.pause_offers_on_failover:
                    for o in self._offers.values():
                        if o.paused_remaining is None:
                            o.paused_remaining = max(0.0, o.ends_at - now)
                            paused.append((o.sku, o.paused_remaining))
            for sku, rem in paused:
                self._journal("console.offer_paused", "system", {"sku": sku, "remaining_s": round(rem, 3),
                                                                 "reason": "failover"})
            self._publish(None, "failover")
        elif topic == "journal.stream.returned":
            with self._lock:
                self.on_backup = False
                now = self.clock.monotonic()
                resumed = []
                for o in self._offers.values():
                    if o.paused_remaining is not None:
                        o.ends_at = now + o.paused_remaining
                        resumed.append((o.sku, o.paused_remaining))
                        o.paused_remaining = None
            for sku, rem in resumed:
                # duration_s lets a listener (the simulated audience) restart its countdown for what is left
                self._journal("console.offer_resumed", "system", {
                    "sku": sku, "duration_s": round(rem, 3), "reason": "returned",
                    "ends_utc": self.clock.utcnow().timestamp() + rem})
            self._publish(None, "returned")

    # ======================================================================= crash recovery
    def _replay(self, sid: int) -> None:
        events = self.journal.events(sid, prefix="console.")
        events += self.journal.events(sid, prefix="stream.")
        events.sort(key=lambda e: e.seq)
        now, utc_now = self.clock.monotonic(), self.clock.utcnow().timestamp()
        with self._lock:
            for ev in events:
                k, d = ev.kind, ev.payload
                sku = d.get("sku")
                rb = d.get("readback")
                if k == "console.plan_imported":
                    self._plan = {r.sku: r for r in (PlanRow.from_json(x) for x in d.get("rows", []))}
                    continue
                if k == "stream.failover":
                    self.on_backup = True
                elif k == "stream.returned":
                    self.on_backup = False
                if isinstance(rb, dict) and "listed" in rb:
                    self._adopt(ProductState(**{f: rb.get(f) for f in ProductState.__dataclass_fields__}))
                if k == "console.price_changed":
                    if d.get("revert") and self._price_history and self._price_history[-1][0] == sku:
                        self._price_history.pop()
                    elif d.get("prev_price") is not None and d.get("prev_price") != d.get("price"):
                        self._price_history.append((sku, d["prev_price"], d["price"]))
                elif k == "console.offer_started":
                    rem = float(d.get("ends_utc", 0)) - utc_now
                    self._offers[sku] = _Offer(sku, d["price"], d["prev_price"], d["duration_s"], now + rem,
                                               d.get("qty"))
                elif k == "console.offer_paused" and sku in self._offers:
                    self._offers[sku].paused_remaining = float(d["remaining_s"])
                elif k == "console.offer_resumed" and sku in self._offers:
                    self._offers[sku].paused_remaining = None
                    self._offers[sku].ends_at = now + float(d.get("ends_utc", 0)) - utc_now
                elif k == "console.offer_stopped":
                    self._offers.pop(sku, None)
                elif k == "console.coupon_issued":
                    self._coupons[d["coupon_id"]] = CouponSpec(**d["spec"])
                elif k == "console.coupon_stopped":
                    self._coupons.pop(d.get("coupon_id"), None)
                elif k == "console.sku_locked" and sku in self._skus:
                    self._skus[sku].locked = d.get("reason", "read-back mismatch")
                elif k == "console.sku_unlocked" and sku in self._skus:
                    self._skus[sku].locked = ""
            # an offer paused by a failover that never returned stays paused
            for o in self._offers.values():
                if self.on_backup and o.paused_remaining is None and self.settings.pause_offers_on_failover:
                    o.paused_remaining = max(0.0, o.ends_at - now)
            self._rebuild_breakers(sid, now, utc_now)
        self._journal("console.restored", "system", {
            "products": len(self._skus), "offers": {s: round(self._remaining(o, now), 3) for s, o in self._offers.items()},
            "locked": self.locked(), "coupons": list(self._coupons)})

    def _rebuild_breakers(self, sid: int, now: float, utc_now: float) -> None:
        """Breakers armed before a crash stay armed, with the history they had (breaker_history.py). Under the lock."""
        from bisect import bisect_left, bisect_right

        from controlroom.commerce.breaker_history import order_history
        series = order_history(self.journal, sid, lambda u: now - (utc_now - u))
        keep = max(120.0, 2 * self.settings.breaker_window_s)
        times = {sku: [r[0] for r in rows] for sku, rows in series.items()}

        def history_at(sku: str, t: float) -> deque:
            rows, ts = series.get(sku, []), times.get(sku, [])
            end = bisect_right(ts, t + 1e-6)
            start = max(0, bisect_left(ts, t - keep) - 1)   # the poller keeps one sample older than `keep`
            return deque(rows[start:end], maxlen=600)

        floor_rules = {"below_floor", "net_price_nonpositive"}
        for ev in self.journal.events(sid, kinds=["console.price_changed", "console.offer_started",
                                                  "interlock.breaker_tripped"]):
            sku, d = ev.payload.get("sku"), ev.payload
            if not sku:
                continue
            if ev.kind == "interlock.breaker_tripped":
                self._armed.pop(sku, None)
                continue
            at = now - (utc_now - ev.utc.timestamp())
            self._history[sku] = history_at(sku, at)
            self._arm(sku, at)
            if ev.kind == "console.price_changed":
                self._overridden_floor.discard(sku)
            if d.get("override") and floor_rules & set(d.get("rules") or ()):
                self._overridden_floor.add(sku)
        self._history = {sku: history_at(sku, now) for sku in series}

    def _reconcile(self) -> None:
        """After a restart, make the platform show what the journal says was commanded (idempotent keys)."""
        states = {st.sku: st for st in self._call(self.platform.read_products)[0]}
        with self._lock:
            want = {s.sku: (s.listed, s.price) for s in self._skus.values() if not s.locked}
            for o in self._offers.values():
                if o.sku in want:
                    want[o.sku] = (want[o.sku][0], o.price)
        sid = self._sid()
        for sku, (listed, price) in want.items():
            st = states.get(sku)
            if st is None:
                continue
            fixed = {}
            if st.price != price:
                self._call(lambda: self.platform.set_price(sku, price, idempotency_key=f"restore-{sid}-{sku}-p{price}"))
                fixed["price"] = [st.price, price]
            if st.listed != listed:
                fn = self.platform.list_product if listed else self.platform.unlist_product
                self._call(lambda: fn(sku, idempotency_key=f"restore-{sid}-{sku}-l{int(listed)}"))
                fixed["listed"] = [st.listed, listed]
            if fixed:
                self._journal("console.reconciled", "system", {"sku": sku, "fixed": fixed})
        self._refresh()
        self._publish(None, "restored")


def _invalid(sku: str | None, fld: str, why: str) -> Verdict:
    return Verdict(BLOCK, (Finding("invalid_input", BLOCK, f"{fld}: {why}", {"field": fld}),), None, sku=sku or "")


def _log_failure(fut: Future) -> None:
    exc = fut.exception()
    if exc is not None:
        log.error("console worker failed", exc_info=exc)
