"""The console's state, changed in one place only: `ConsoleState.apply(event)`.

The service applies each event right after the journal committed it; after a crash the same events,
read back from the journal, go through the same `apply`. So the state a resumed console rebuilds
is the state it had — a test drives random sequences and compares the two (`dump()`).

What the state holds: each SKU as the shop last showed it (read-backs), the price plan (floors,
costs, rows preflight blocked), running offers, live coupons (indexed by scope, so judging one SKU
never scans every coupon), actions in flight or uncertain (intent journaled, outcome not yet known),
locks, the price history for one-key revert, and the supervisor's wrong-PIN count and lockout.
Times are UTC epoch seconds as journaled; the service maps them onto its monotonic clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controlroom.commerce import events as ev
from controlroom.commerce.commands import Command, command_from_json
from controlroom.commerce.plan import PlanRow
from controlroom.platform import CouponSpec

UNCERTAIN, MISMATCH = "uncertain", "mismatch"
SHOP = "shop"          # the lane (and lock key) of actions on the whole shop (a shop-wide coupon)
FLOOR_RULES = frozenset({"below_floor", "net_price_nonpositive"})


@dataclass
class SkuState:
    sku: str
    title: str = ""
    list_price: int = 0
    price: int = 0                    # the product's own price at the shop (a console-run offer sets it)
    stock: int = 0
    listed: bool = False
    pinned: bool = False
    displayed_stock: int | None = None
    gift_value: int | None = None     # set live; None: the plan's
    bundle_items_sum: int | None = None


@dataclass
class OfferRun:
    sku: str
    price: int
    prev_price: int | None
    duration_s: float
    ends_utc: float
    qty: int | None = None
    per_buyer_limit: int | None = None
    offer_id: str | None = None
    native: bool = False
    units_at_start: int = 0
    paused_remaining: float | None = None   # frozen during a failover


@dataclass
class LuckyBagRun:
    bag_id: str
    prize: str
    passphrase: str
    follow_required: bool
    winners: int
    countdown_s: float
    ends_utc: float


@dataclass
class SubstituteCue:
    """The cue screen's sold-out line: `sku` is gone, the host talks `substitute` up with `talk_track`."""
    sku: str
    substitute: str
    talk_track: str


@dataclass
class Pending:
    """An action whose intent is journaled and whose outcome is not known yet."""
    key: str
    ticket: str
    lane: str
    command: Command
    verdict: str = "allow"
    rules: tuple = ()
    uncertain: bool = False          # it may have applied; no read-back could tell yet
    mismatch: bool = False           # the shop showed something else entirely
    why: str = ""


@dataclass
class Lock:
    kind: str                        # uncertain | mismatch
    reason: str


class ConsoleState:
    def __init__(self) -> None:
        self.skus: dict[str, SkuState] = {}
        self.plan: dict[str, PlanRow] = {}
        self.plan_blocked: dict[str, tuple[str, ...]] = {}
        self.plan_error: str = ""
        self.offers: dict[str, OfferRun] = {}
        self.coupons: dict[str, CouponSpec] = {}
        self.coupons_by_scope: dict[str | None, dict[str, CouponSpec]] = {}
        self.pending: dict[str, Pending] = {}
        self.locks: dict[str, Lock] = {}
        self.price_history: list[tuple[str, int, int]] = []
        self.floor_override: set[str] = set()
        self.pinned: str | None = None    # the SKU pinned / being explained (one at a time)
        self.on_backup = False
        self.override_failures = 0
        self.overrides_locked_until: float | None = None
        self.lucky_bag: LuckyBagRun | None = None   # the one running
        self.lucky_bags: list[dict] = []             # the ones that ended: {bag_id, prize, drawn, winners, ...}
        self.substitute: SubstituteCue | None = None

    # ---- the one way in -------------------------------------------------------------------------
    def apply(self, e: ev.Event) -> set[str]:
        """Change the state by one event. Returns the lanes (SKUs, or "shop") whose view changed;
        "*" when every SKU's may have (plan, shop-wide coupon, sync)."""
        handler = _HANDLERS.get(type(e))
        if handler is None:
            for base in type(e).__mro__[1:]:
                handler = _HANDLERS.get(base)
                if handler is not None:
                    break
        before = self.pinned
        lanes = handler(self, e) if handler else set()
        if self.pinned != before:
            # one product is explained at a time: the one that stopped being explained changed too (its view
            # would otherwise keep saying 讲解中 on the operator's row)
            lanes |= {x for x in (before, self.pinned) if x}
        return lanes

    # ---- helpers used by the handlers ------------------------------------------------------------
    def adopt(self, rb: dict | None) -> str | None:
        """Take a product read-back as what the shop now shows."""
        if not isinstance(rb, dict) or "listed" not in rb or not rb.get("sku"):
            return None
        sku = rb["sku"]
        s = self.skus.get(sku)
        if s is None:
            s = self.skus[sku] = SkuState(sku)
        s.title = rb.get("title", s.title) or s.title
        s.list_price = int(rb.get("list_price", s.list_price))
        s.price = int(rb.get("price", s.price))
        s.stock = int(rb.get("stock", s.stock))
        s.listed = bool(rb.get("listed"))
        s.displayed_stock = rb.get("displayed_stock")
        self._pin(sku, bool(rb.get("pinned")))
        return sku

    def _pin(self, sku: str | None, pinned: bool = True) -> None:
        """One product is pinned at a time (no scan of the catalogue: the pinned one is remembered)."""
        if pinned:
            if self.pinned is not None and self.pinned != sku and self.pinned in self.skus:
                self.skus[self.pinned].pinned = False
            self.pinned = sku
            if sku in self.skus:
                self.skus[sku].pinned = True
        elif sku is not None and sku in self.skus:
            self.skus[sku].pinned = False
            if self.pinned == sku:
                self.pinned = None

    def _add_coupon(self, cid: str, spec: CouponSpec) -> None:
        self.coupons[cid] = spec
        self.coupons_by_scope.setdefault(spec.sku, {})[cid] = spec

    def _drop_coupon(self, cid: str) -> CouponSpec | None:
        spec = self.coupons.pop(cid, None)
        if spec is not None:
            scope = self.coupons_by_scope.get(spec.sku)
            if scope is not None:
                scope.pop(cid, None)
                if not scope:
                    del self.coupons_by_scope[spec.sku]
        return spec

    def _end_pending(self, key: str | None) -> Pending | None:
        if not key:
            return None
        p = self.pending.pop(key, None)
        if p is not None and p.uncertain and not p.mismatch:
            self._unlock_if_settled(p.lane)
        return p

    def _unlock_if_settled(self, lane: str) -> None:
        lock = self.locks.get(lane)
        if lock is None or lock.kind != UNCERTAIN:
            return
        if not any(p.uncertain and p.lane == lane for p in self.pending.values()):
            del self.locks[lane]

    def uncertain(self, lane: str) -> list[Pending]:
        return [p for p in self.pending.values() if p.uncertain and p.lane == lane]

    def dump(self) -> dict[str, Any]:
        """Everything, comparable with ==: live against replayed."""
        return {"skus": {k: vars(v).copy() for k, v in sorted(self.skus.items())},
                "plan": dict(sorted(self.plan.items())), "plan_blocked": dict(sorted(self.plan_blocked.items())),
                "plan_error": self.plan_error,
                "offers": {k: vars(v).copy() for k, v in sorted(self.offers.items())},
                "coupons": dict(sorted(self.coupons.items())),
                "pending": {k: vars(v).copy() for k, v in sorted(self.pending.items())},
                "locks": {k: vars(v).copy() for k, v in sorted(self.locks.items())},
                "price_history": list(self.price_history), "floor_override": sorted(self.floor_override),
                "pinned": self.pinned, "on_backup": self.on_backup, "override_failures": self.override_failures,
                "overrides_locked_until": self.overrides_locked_until,
                "lucky_bag": vars(self.lucky_bag).copy() if self.lucky_bag else None,
                "lucky_bags": list(self.lucky_bags),
                "substitute": vars(self.substitute).copy() if self.substitute else None}


# ---- handlers: one per event type --------------------------------------------------------------------
def _plan_imported(s: ConsoleState, e: ev.PlanImported) -> set[str]:
    plan: dict[str, PlanRow] = {}
    for d in e.rows:
        r = PlanRow.from_json(d)
        if r.sku:
            plan.setdefault(r.sku, r)
    s.plan = plan
    s.plan_blocked = {k: tuple(v) for k, v in (e.blocked or {}).items()}
    s.plan_error = ""
    return {"*"}


def _plan_failed(s: ConsoleState, e: ev.PlanFailed) -> set[str]:
    s.plan_error = e.error or "the price plan could not be read"
    return {"*"}


def _synced(s: ConsoleState, e: ev.Synced) -> set[str]:
    for rb in e.products:
        s.adopt(rb)
    return {"*"}


def _intent(s: ConsoleState, e: ev.Intent) -> set[str]:
    cmd = command_from_json(e.command)
    s.pending[e.key] = Pending(e.key, e.ticket, cmd.lane, cmd, e.verdict, tuple(e.rules))
    return {cmd.lane}


def _floor(s: ConsoleState, sku: str | None, e: ev.Done) -> None:
    if not sku:
        return
    s.floor_override.discard(sku)
    if e.override and FLOOR_RULES & set(e.rules or ()):
        s.floor_override.add(sku)


def _done(s: ConsoleState, e: ev.Done) -> set[str]:
    p = s._end_pending(e.key)
    s.adopt(e.readback)
    sku = e.sku
    lanes = {sku or SHOP}
    if p is not None:
        lanes.add(p.lane)
    if isinstance(e, ev.Listed):
        if sku in s.skus:
            s.skus[sku].listed = True
    elif isinstance(e, ev.Unlisted):
        if sku in s.skus:
            s.skus[sku].listed = False
            s._pin(sku, False)
    elif isinstance(e, ev.PriceChanged):
        if sku in s.skus:
            s.skus[sku].price = e.price
        if e.ended_offer:
            s.offers.pop(sku, None)
        if e.revert and s.price_history and s.price_history[-1][0] == sku:
            s.price_history.pop()
        elif e.prev_price is not None and e.prev_price != e.price:
            s.price_history.append((sku, e.prev_price, e.price))
        _floor(s, sku, e)
    elif isinstance(e, ev.OfferStarted):
        s.offers[sku] = OfferRun(sku, e.price, e.prev_price, e.duration_s, e.ends_utc, e.qty, e.per_buyer_limit,
                                 e.offer_id, e.native, e.units_at_start)
        if not e.native and sku in s.skus:
            s.skus[sku].price = e.price
        _floor(s, sku, e)
    elif isinstance(e, ev.OfferStopped):
        o = s.offers.pop(sku, None)
        if o is not None and not o.native and e.price is not None and sku in s.skus:
            s.skus[sku].price = e.price
        if sku:
            s.floor_override.discard(sku)
    elif isinstance(e, ev.CouponIssued):
        if e.coupon_id:
            s._add_coupon(e.coupon_id, CouponSpec(**e.spec))
        if not (e.spec or {}).get("sku"):
            lanes.add("*")
    elif isinstance(e, ev.CouponStopped):
        spec = s._drop_coupon(e.coupon_id)
        if spec is None or spec.sku is None:
            lanes.add("*")
    elif isinstance(e, ev.Pinned):
        if e.pinned_sku is None:
            s._pin(s.pinned, False)
        else:
            s._pin(e.pinned_sku)
        if s.substitute is not None and e.pinned_sku != s.substitute.substitute:
            s.substitute = None   # the host moved on to something else: the sold-out line has done its work
        lanes |= {x for x in (e.pinned_sku, p.command.target if p else None) if x}
    elif isinstance(e, ev.DisplayedStockSet):
        if sku in s.skus:
            s.skus[sku].displayed_stock = e.shown
    elif isinstance(e, ev.GiftSet):
        if sku in s.skus:
            s.skus[sku].gift_value = e.gift_value
    elif isinstance(e, ev.BundleSet):
        if sku in s.skus:
            s.skus[sku].bundle_items_sum = e.items_sum
    elif isinstance(e, ev.LuckyBagStarted):
        s.lucky_bag = LuckyBagRun(e.bag_id, e.prize, e.passphrase, e.follow_required, e.winners, e.countdown_s,
                                  e.ends_utc)
    elif isinstance(e, ev.LuckyBagEnded):
        if s.lucky_bag is not None and s.lucky_bag.bag_id == e.bag_id:
            b = s.lucky_bag
            s.lucky_bag = None
            s.lucky_bags.append({"bag_id": e.bag_id, "prize": b.prize, "drawn": e.drawn, "reason": e.reason,
                                 "entries": e.entries, "eligible": e.eligible, "winners": list(e.winners)})
    elif isinstance(e, ev.SubstituteShown):
        s.substitute = SubstituteCue(sku, e.substitute, e.talk_track) if e.substitute else None
    return lanes


def _stock_read(s: ConsoleState, e: ev.StockRead) -> set[str]:
    # the low-stock watch reads a product for its stock: only the stock is taken from it. A price in it was
    # proved by no command (a shop whose read-back lies would otherwise become the console's price, unlocked)
    rb = e.readback
    if isinstance(rb, dict) and e.sku in s.skus and isinstance(rb.get("stock"), int):
        s.skus[e.sku].stock = int(rb["stock"])
    return {e.sku}


def _failed(s: ConsoleState, e: ev.ActionFailed) -> set[str]:
    p = s._end_pending(e.key)
    s.adopt(e.readback)
    return {e.sku or SHOP} | ({p.lane} if p else set())


def _uncertain(s: ConsoleState, e: ev.ActionUncertain) -> set[str]:
    p = s.pending.get(e.key)
    lane = p.lane if p is not None else (e.sku or SHOP)
    if p is not None:
        p.uncertain, p.why = True, e.why
    lock = s.locks.get(lane)
    if lock is None or lock.kind != MISMATCH:
        s.locks[lane] = Lock(UNCERTAIN, e.why or "the outcome of an action is not known")
    return {lane}


def _mismatch(s: ConsoleState, e: ev.ReadbackMismatch) -> set[str]:
    p = s.pending.get(e.key)
    lane = p.lane if p is not None else (e.sku or SHOP)
    if p is not None:
        p.uncertain, p.mismatch, p.why = True, True, "read-back mismatch"
    s.locks[lane] = Lock(MISMATCH, e.why or "the shop's read-back differs from what was commanded")
    return {lane}


def _locked(s: ConsoleState, e: ev.SkuLocked) -> set[str]:
    if e.sku not in s.locks:
        s.locks[e.sku] = Lock(MISMATCH, e.reason or "locked")
    return {e.sku}


def _unlocked(s: ConsoleState, e: ev.SkuUnlocked) -> set[str]:
    s.locks.pop(e.sku, None)
    for k in [k for k, p in s.pending.items() if p.uncertain and p.lane == e.sku]:
        del s.pending[k]
    s.adopt(e.readback)
    return {e.sku}


def _reconciled(s: ConsoleState, e: ev.Reconciled) -> set[str]:
    s.adopt(e.readback)
    return {e.sku}


def _paused(s: ConsoleState, e: ev.OfferPaused) -> set[str]:
    o = s.offers.get(e.sku)
    if o is not None:
        o.paused_remaining = float(e.remaining_s)
    return {e.sku}


def _resumed(s: ConsoleState, e: ev.OfferResumed) -> set[str]:
    o = s.offers.get(e.sku)
    if o is not None:
        o.paused_remaining = None
        o.ends_utc = float(e.ends_utc)
    return {e.sku}


def _override_ok(s: ConsoleState, e: ev.OverrideAccepted) -> set[str]:
    s.override_failures = 0
    return set()


def _override_refused(s: ConsoleState, e: ev.OverrideRefused) -> set[str]:
    if e.wrong_pin:
        s.override_failures += 1
    return set()


def _overrides_locked(s: ConsoleState, e: ev.OverridesLocked) -> set[str]:
    s.overrides_locked_until = float(e.until_utc)
    s.override_failures = 0
    return {"*"}


def _failover(s: ConsoleState, e: ev.StreamFailover) -> set[str]:
    s.on_backup = True
    return set()


def _returned(s: ConsoleState, e: ev.StreamReturned) -> set[str]:
    s.on_backup = False
    return set()


_HANDLERS = {
    ev.PlanImported: _plan_imported, ev.PlanFailed: _plan_failed, ev.Synced: _synced, ev.Intent: _intent,
    ev.Done: _done, ev.ActionFailed: _failed, ev.ActionUncertain: _uncertain, ev.ReadbackMismatch: _mismatch,
    ev.SkuLocked: _locked, ev.SkuUnlocked: _unlocked, ev.Reconciled: _reconciled, ev.OfferPaused: _paused,
    ev.OfferResumed: _resumed, ev.OverrideAccepted: _override_ok, ev.OverrideRefused: _override_refused,
    ev.OverridesLocked: _overrides_locked, ev.StreamFailover: _failover, ev.StreamReturned: _returned,
    ev.StockRead: _stock_read,
}
