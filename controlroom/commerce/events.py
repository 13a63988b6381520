"""The console's events: one small dataclass per thing that happened, each with its journal kind.

An event is what the journal holds and what `ConsoleState.apply` takes, live and on replay, so the
two cannot disagree. Fields are JSON values (the payload is the dataclass's fields), so an event
read back from the journal equals the one that was written: `decode(kind, ev.to_payload())`.

Outcome events of an action carry its idempotency `key`: applying one ends the action's intent
(`Intent`, journaled before the shop is called). An intent with no outcome after a restart is an
action that may have applied: the SKU is uncertain until a read-back settles it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from controlroom.journal.typed import TypedEvent


@dataclass
class Event(TypedEvent):
    registry: ClassVar[dict[str, type[TypedEvent]]] = {}


def decode(kind: str, payload: dict[str, Any]) -> Event | None:
    """The typed event for a journal entry, or None for kinds the console's state does not follow."""
    return Event.decode(kind, payload)


def kinds() -> frozenset[str]:
    return frozenset(Event.registry)


# ---- the plan and the shop's own state ------------------------------------------------------------
@dataclass
class PlanImported(Event):
    kind: ClassVar[str] = "console.plan_imported"
    path: str = ""
    rows: list = field(default_factory=list)        # PlanRow.to_json() each
    verdicts: list = field(default_factory=list)    # RowResult.to_json() each
    blocked: dict = field(default_factory=dict)     # sku -> [reason words], rows preflight blocks


@dataclass
class PlanFailed(Event):
    kind: ClassVar[str] = "console.plan_failed"
    path: str = ""
    error: str = ""


@dataclass
class Synced(Event):
    """What the shop said about its products (a read of all of them)."""
    kind: ClassVar[str] = "console.synced"
    products: list = field(default_factory=list)    # read-back dicts
    reason: str = ""


# ---- an action's life: intent, then one outcome ----------------------------------------------------
@dataclass
class Intent(Event):
    kind: ClassVar[str] = "console.intent"
    key: str = ""
    ticket: str = ""
    sku: str | None = None
    command: dict = field(default_factory=dict)     # Command.to_json()
    verdict: str = "allow"
    rules: list = field(default_factory=list)
    net_price: int | None = None
    what: str = ""
    override: dict | None = None


@dataclass
class Done(Event):
    """Fields every applied outcome carries."""
    key: str | None = None
    ticket: str = ""
    sku: str | None = None
    verdict: str = "allow"
    rules: list = field(default_factory=list)
    net_price: int | None = None
    what: str = ""
    override: dict | None = None
    readback: dict | None = None
    latency_ms: float = 0.0
    settled: bool = False           # applied, found out by a later read-back


@dataclass
class Listed(Done):
    kind: ClassVar[str] = "console.listed"
    reason: str = ""


@dataclass
class Unlisted(Done):
    kind: ClassVar[str] = "console.unlisted"
    reason: str = ""


@dataclass
class PriceChanged(Done):
    kind: ClassVar[str] = "console.price_changed"
    price: int = 0
    prev_price: int | None = None
    revert: bool = False
    ended_offer: bool = False
    reason: str = ""


@dataclass
class OfferStarted(Done):
    kind: ClassVar[str] = "console.offer_started"
    price: int = 0
    prev_price: int | None = None
    duration_s: float = 0.0
    qty: int | None = None
    per_buyer_limit: int | None = None
    offer_id: str | None = None
    native: bool = False
    ends_utc: float = 0.0
    units_at_start: int = 0          # the SKU's units counter when it started (the console's own cap)


@dataclass
class OfferStopped(Done):
    kind: ClassVar[str] = "console.offer_stopped"
    price: int | None = None         # the price it went back to
    offer_price: int | None = None
    reason: str = ""                 # operator | expired | sold_out | breaker:<rule> | ...
    sold: int | None = None


@dataclass
class OfferPaused(Event):
    kind: ClassVar[str] = "console.offer_paused"
    sku: str = ""
    remaining_s: float = 0.0
    reason: str = ""


@dataclass
class OfferResumed(Event):
    kind: ClassVar[str] = "console.offer_resumed"
    sku: str = ""
    duration_s: float = 0.0
    ends_utc: float = 0.0
    reason: str = ""


@dataclass
class CouponIssued(Done):
    kind: ClassVar[str] = "console.coupon_issued"
    coupon_id: str = ""
    spec: dict = field(default_factory=dict)


@dataclass
class CouponStopped(Done):
    kind: ClassVar[str] = "console.coupon_stopped"
    coupon_id: str = ""
    spec: dict | None = None


@dataclass
class Pinned(Done):
    kind: ClassVar[str] = "console.pinned"
    pinned_sku: str | None = None
    text: str = ""


@dataclass
class DisplayedStockSet(Done):
    kind: ClassVar[str] = "console.displayed_stock_set"
    shown: int | None = None


@dataclass
class GiftSet(Done):
    kind: ClassVar[str] = "console.gift_set"
    gift_value: int | None = None


@dataclass
class BundleSet(Done):
    kind: ClassVar[str] = "console.bundle_set"
    items_sum: int | None = None


@dataclass
class ActionFailed(Event):
    """Sent, and known not to have applied (or the shop refused it)."""
    kind: ClassVar[str] = "console.action_failed"
    key: str | None = None
    ticket: str = ""
    sku: str | None = None
    action: str = ""
    what: str = ""
    error: str = ""
    outcome: str = "failed"          # failed | refused (the shop said no)
    verdict: str = "allow"
    rules: list = field(default_factory=list)
    readback: dict | None = None
    settled: bool = False


@dataclass
class ActionUncertain(Event):
    """It may have applied and no read-back could tell: the SKU is locked until one does."""
    kind: ClassVar[str] = "console.action_uncertain"
    key: str = ""
    ticket: str = ""
    sku: str | None = None
    action: str = ""
    what: str = ""
    why: str = ""
    readback: dict | None = None


@dataclass
class ReadbackMismatch(Event):
    """The shop shows neither what was commanded nor what was there: locked until the operator settles it."""
    kind: ClassVar[str] = "console.readback_mismatch"
    key: str = ""
    ticket: str = ""
    sku: str | None = None
    action: str = ""
    what: str = ""
    commanded: dict = field(default_factory=dict)
    readback: dict | None = None
    verdict: str = "allow"
    rules: list = field(default_factory=list)
    why: str = ""                    # the lock's reason, in words (written once, so replay shows the same)


@dataclass
class SkuLocked(Event):
    kind: ClassVar[str] = "console.sku_locked"
    sku: str = ""
    reason: str = ""
    key: str | None = None


@dataclass
class SkuUnlocked(Event):
    """The operator (or a settling read-back) took the shop's word: adopt it, forget the uncertain intents."""
    kind: ClassVar[str] = "console.sku_unlocked"
    sku: str = ""
    was: str = ""
    note: str = ""
    readback: dict | None = None


@dataclass
class Reconciled(Event):
    kind: ClassVar[str] = "console.reconciled"
    sku: str = ""
    fixed: dict = field(default_factory=dict)
    key: str = ""
    readback: dict | None = None


@dataclass
class Restored(Event):
    kind: ClassVar[str] = "console.restored"
    products: int = 0
    offers: dict = field(default_factory=dict)
    locked: dict = field(default_factory=dict)
    coupons: list = field(default_factory=list)
    uncertain: list = field(default_factory=list)


# ---- interlocks and the supervisor ---------------------------------------------------------------
@dataclass
class OverrideAccepted(Event):
    kind: ClassVar[str] = "interlock.override"
    ticket: str = ""
    key: str = ""
    rules: list = field(default_factory=list)
    net_price: int | None = None
    what: str = ""
    reason_text: str = ""
    operator: str = ""
    words: str = ""


@dataclass
class OverrideRefused(Event):
    kind: ClassVar[str] = "interlock.override_refused"
    ticket: str = ""
    key: str = ""
    rules: list = field(default_factory=list)
    net_price: int | None = None
    what: str = ""
    why: str = ""
    reason_text: str = ""
    wrong_pin: bool = False


@dataclass
class OverridesLocked(Event):
    kind: ClassVar[str] = "interlock.overrides_locked"
    until_utc: float = 0.0
    attempts: int = 0


@dataclass
class BreakerTripped(Event):
    kind: ClassVar[str] = "interlock.breaker_tripped"
    sku: str = ""
    rule: str = ""
    values: dict = field(default_factory=dict)
    words: str = ""
    pause_action: str = ""


# ---- the stream guard's news the console follows ---------------------------------------------------
@dataclass
class StreamFailover(Event):
    kind: ClassVar[str] = "stream.failover"


@dataclass
class StreamReturned(Event):
    kind: ClassVar[str] = "stream.returned"


# ---- lucky bags, substitutes, stock -----------------------------------------------------------------
@dataclass
class LuckyBagStarted(Done):
    kind: ClassVar[str] = "console.lucky_bag_started"
    bag_id: str = ""
    prize: str = ""
    countdown_s: float = 0.0          # also read by the simulated audience (it joins and stays)
    passphrase: str = ""
    follow_required: bool = True
    winners: int = 1
    ends_utc: float = 0.0


@dataclass
class LuckyBagEnded(Done):
    kind: ClassVar[str] = "console.lucky_bag_ended"
    bag_id: str = ""
    reason: str = ""
    entries: int = 0
    eligible: int = 0
    winners: list = field(default_factory=list)
    drawn: bool = True
    follow_checked: bool = False
    note: str = ""


@dataclass
class SubstituteShown(Done):
    kind: ClassVar[str] = "console.substitute_shown"
    substitute: str | None = None
    talk_track: str = ""


@dataclass
class StockRead(Event):
    """A product read back because its stock looked low (the units sold since the last read say so)."""
    kind: ClassVar[str] = "console.stock_read"
    sku: str = ""
    readback: dict | None = None
    estimate: int | None = None
