"""What the screens read: one immutable snapshot of the console.

`ConsoleSnapshot` is published on the bus ("console.snapshot") whenever the console's state
changes, and `ConsoleService.snapshot()` returns a fresh one; the cue screen, the product table and
the status strip all read the same picture. Money in 分; times in seconds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from controlroom.commerce.service import ConsoleService


@dataclass(frozen=True)
class ProductView:
    sku: str
    title: str
    list_price: int
    price: int                    # the live price viewers pay before coupons (the offer price during an offer)
    net_price: int | None         # the lowest a buyer can pay a unit now, after every stacked discount
    stock: int                    # real stock at the shop
    displayed_stock: int | None   # the 仅剩N件 figure shown, if set apart from stock
    listed: bool
    pinned: bool                  # pinned / being explained 讲解中
    locked: bool
    lock_reason: str
    floor: int | None
    plan_price: int | None
    offer_price: int | None
    offer_remaining_s: float | None
    offer_paused: bool
    uncertain: bool = False       # an action on it may have applied; a read-back will tell
    offer_quantity: int | None = None
    offer_sold: int | None = None
    offer_per_buyer_limit: int | None = None
    plan_blocked: tuple[str, ...] = ()   # why its price-plan row keeps it from being listed
    own_price: int | None = None  # the product's own price, what it goes back to when the offer ends

    @property
    def live_price(self) -> int:
        """What a viewer pays a unit before coupons right now."""
        return self.price

    @property
    def shown_stock(self) -> int:
        return self.displayed_stock if self.displayed_stock is not None else self.stock


@dataclass(frozen=True)
class OfferView:
    sku: str
    price: int
    prev_price: int | None
    remaining_s: float
    duration_s: float
    paused: bool
    qty: int | None
    per_buyer_limit: int | None = None
    sold: int | None = None
    native: bool = False


@dataclass(frozen=True)
class LuckyBagView:
    bag_id: str
    prize: str
    passphrase: str
    follow_required: bool
    winners: int
    remaining_s: float               # as of the snapshot's `mono`
    countdown_s: float


@dataclass(frozen=True)
class SubstituteView:
    """The cue screen's sold-out line: `sku` sold out, talk up `substitute` with `talk_track`."""
    sku: str
    sku_title: str
    substitute: str
    substitute_title: str
    talk_track: str


@dataclass(frozen=True)
class ConsoleSnapshot:
    version: int
    mono: float                       # the console clock when it was taken (remaining_s are as of then)
    products: tuple[ProductView, ...]
    journal_ok: bool = True           # False: the journal cannot be written and nothing is sent
    journal_fault: str = ""
    overrides_locked_s: float = 0.0   # seconds left of a wrong-PIN lockout
    plan_error: str = ""              # the price plan could not be read
    shop_locked: str = ""             # a shop-wide action is uncertain
    lucky_bag: LuckyBagView | None = None
    substitute: SubstituteView | None = None

    def product(self, sku: str) -> ProductView | None:
        return next((p for p in self.products if p.sku == sku), None)

    @property
    def pinned(self) -> ProductView | None:
        return next((p for p in self.products if p.pinned), None)


def build_view(svc: "ConsoleService", sku: str, now: float) -> ProductView:
    """One SKU's view. Caller holds the service's lock."""
    st = svc.state
    s = st.skus[sku]
    o = st.offers.get(sku)
    row = st.plan.get(sku)
    terms = svc.judge.terms(sku)
    lock = st.locks.get(sku)
    uncertain = any(p.uncertain and p.lane == sku for p in st.pending.values())
    sold = None
    if o is not None and not o.native:
        sold = max(0, svc.breaker.units(sku) - o.units_at_start)
    return ProductView(
        sku=sku, title=s.title or (row.title if row else ""), list_price=s.list_price,
        price=o.price if o is not None else s.price,
        net_price=svc.engine.net_price(terms), stock=s.stock, displayed_stock=s.displayed_stock, listed=s.listed,
        pinned=s.pinned, locked=lock is not None, lock_reason=lock.reason if lock else "", floor=terms.floor,
        plan_price=row.live_price if row else None, offer_price=o.price if o else None,
        offer_remaining_s=svc._remaining(o, now) if o else None, offer_paused=bool(o and o.paused_remaining is not None),
        uncertain=uncertain, offer_quantity=o.qty if o else None, offer_sold=sold,
        offer_per_buyer_limit=o.per_buyer_limit if o else None, plan_blocked=st.plan_blocked.get(sku, ()),
        own_price=o.prev_price if (o is not None and not o.native) else s.price)
