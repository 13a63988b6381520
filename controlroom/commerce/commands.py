"""Console commands: one small dataclass per action on the shop.

Each command knows what it commands at the shop (`send`), how to read the shop back (`read`), and
what in that read-back proves it (`proof`: applied, not applied, or neither — a mismatch). It also
names the event that records it once applied (`applied`). The service runs every command the same
way (judge → intent → send → read back → outcome); nothing here branches on a kind string.

`safe` commands go in the safe direction (unlist, end an offer, stop a coupon): they stay open on a
locked SKU and timed ones never wait for a click. Money is integer 分.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from controlroom.commerce import events as ev
from controlroom.commerce.money import format_yuan
from controlroom.platform import (Capabilities, CouponSpec, CouponState, OfferSpec, OfferState, Platform,
                                  ProductState)

APPLIED, NOT_APPLIED, MISMATCH = "applied", "not_applied", "mismatch"

_COMMANDS: dict[str, type["Command"]] = {}


class NothingToSend(LookupError):
    """The console has nothing it could send (an offer with no id at the shop): nothing was sent."""


def readback_json(rb: Any) -> dict | None:
    """A read-back as the journal keeps it."""
    if rb is None:
        return None
    if isinstance(rb, (ProductState, CouponState, OfferState)):
        return asdict(rb)
    if isinstance(rb, dict):
        return rb
    raise TypeError(f"not a read-back: {type(rb).__name__}")


def product_from_json(d: dict) -> ProductState:
    fields = {f.name for f in dataclasses.fields(ProductState)}
    vals = {k: v for k, v in d.items() if k in fields}
    offer = vals.get("offer")
    if isinstance(offer, dict):
        spec = offer.get("spec") or {}
        vals["offer"] = OfferState(offer.get("offer_id", ""), OfferSpec(**spec), int(offer.get("sold") or 0),
                                   bool(offer.get("active")))
    return ProductState(**vals)


@dataclass
class Ctx:
    """What the lane knows when it runs a command (taken from the console's state under its lock)."""
    caps: Capabilities
    price: int | None = None              # the product's own price now
    listed: bool | None = None
    offer: Any = None                     # state.OfferRun on this SKU, if any
    coupon: CouponSpec | None = None      # the coupon a StopCoupon stops
    pinned_sku: str | None = None
    units: int = 0                        # the SKU's units sold so far (for the console's own offer cap)
    utc_now: float = 0.0


def _y(v: Any) -> str:
    """Money for a description; a value that is not 分 is shown as it is (describing never raises)."""
    if isinstance(v, int) and not isinstance(v, bool):
        try:
            return format_yuan(v)
        except (ValueError, TypeError):
            pass
    return repr(v)


ABSURD = 10 ** 9   # 10 M 元 in 分, a billion units or seconds: past this a number is a typo


def _bad_number(value: Any, name: str, *, minimum: float = 0, whole: bool = True, allow_none: bool = True,
                maximum: float = ABSURD) -> tuple[str, str] | None:
    if value is None:
        return None if allow_none else (name, "missing")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return name, f"{value!r} is not a number"
    if isinstance(value, float) and not math.isfinite(value):
        return name, f"{value!r} is not a finite number"
    if whole and not isinstance(value, int):
        return name, f"{value!r} is not a whole number"
    if value < minimum:
        return name, f"{value!r} is below {minimum:g}"
    if value > maximum:
        return name, f"{value!r} is absurdly large (above {maximum:g})"
    return None


@dataclass(frozen=True)
class Command:
    kind: ClassVar[str] = ""
    safe: ClassVar[bool] = False
    shop_call: ClassVar[bool] = True      # False: a console-side term (gift, bundle), nothing is sent

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.kind:
            _COMMANDS[cls.kind] = cls

    @property
    def target(self) -> str | None:
        return getattr(self, "sku", None)

    @property
    def lane(self) -> str:
        return self.target or "shop"

    def describe(self) -> str:
        return f"{self.kind} {self.target or ''}".strip()

    def invalid(self) -> list[tuple[str, str]]:
        return []

    def to_json(self) -> dict[str, Any]:
        d = {"kind": self.kind}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            d[f.name] = asdict(v) if dataclasses.is_dataclass(v) else v
        return d

    # ---- at the shop ------------------------------------------------------------------------
    def send(self, p: Platform, key: str, ctx: Ctx) -> Any:
        raise NotImplementedError

    def read(self, p: Platform, ctx: Ctx, result: Any) -> Any:
        return p.read_product(self.target)  # type: ignore[arg-type]

    def proof(self, rb: Any, ctx: Ctx, result: Any) -> str:
        raise NotImplementedError

    def commanded(self, ctx: Ctx) -> dict[str, Any]:
        return {}

    def applied(self, ctx: Ctx, result: Any, rb: Any) -> ev.Done:
        raise NotImplementedError


def command_from_json(d: dict[str, Any]) -> Command:
    cls = _COMMANDS[d["kind"]]
    vals = {}
    for f in dataclasses.fields(cls):
        if f.name in d:
            v = d[f.name]
            if f.name == "spec" and isinstance(v, dict):
                v = CouponSpec(**v)
            vals[f.name] = v
    return cls(**vals)


def _price_as_known(rb: Any, ctx: Ctx) -> bool:
    """A product read-back that proves something other than a price (unlist, pin, 仅剩N件) still shows the
    price the console knows: a price nobody commanded is never adopted as the SKU's price (the state takes the
    read-back as what the shop shows), it is a mismatch and locks the SKU until someone looks."""
    return ctx.price is None or getattr(rb, "price", ctx.price) == ctx.price


# ---- listing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListProduct(Command):
    kind: ClassVar[str] = "list"
    sku: str = ""

    def describe(self) -> str:
        return f"list {self.sku}"

    def send(self, p, key, ctx):
        return p.list_product(self.sku, idempotency_key=key)

    def proof(self, rb, ctx, result):
        # listed at the price the operator sees, or it is not right (a price nobody commanded is never taken in)
        if not _price_as_known(rb, ctx):
            return MISMATCH
        return APPLIED if rb.listed else NOT_APPLIED

    def commanded(self, ctx):
        return {"listed": True, "price": ctx.price}

    def applied(self, ctx, result, rb):
        return ev.Listed()


@dataclass(frozen=True)
class UnlistProduct(Command):
    kind: ClassVar[str] = "unlist"
    safe: ClassVar[bool] = True
    sku: str = ""
    reason: str = ""

    def describe(self) -> str:
        return f"unlist {self.sku}"

    def send(self, p, key, ctx):
        return p.unlist_product(self.sku, idempotency_key=key)

    def proof(self, rb, ctx, result):
        if not _price_as_known(rb, ctx):
            return MISMATCH
        return NOT_APPLIED if rb.listed else APPLIED

    def commanded(self, ctx):
        return {"listed": False, "price": ctx.price}

    def applied(self, ctx, result, rb):
        return ev.Unlisted(reason=self.reason)


# ---- prices --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SetPrice(Command):
    kind: ClassVar[str] = "price"
    sku: str = ""
    price: int = 0
    revert: bool = False     # putting back the price before a change (a known-good price)
    reason: str = ""

    def describe(self) -> str:
        return f"{'revert' if self.revert else 'price'} {self.sku} → {_y(self.price)}"

    def invalid(self):
        bad = _bad_number(self.price, "price", minimum=1, allow_none=False)
        return [bad] if bad else []

    def send(self, p, key, ctx):
        return p.set_price(self.sku, self.price, idempotency_key=key)

    def proof(self, rb, ctx, result):
        if rb.price == self.price:
            return APPLIED
        return NOT_APPLIED if rb.price == ctx.price else MISMATCH

    def commanded(self, ctx):
        return {"price": self.price}

    def applied(self, ctx, result, rb):
        ended = ctx.offer is not None and not ctx.offer.native
        before = ctx.offer.prev_price if ended else ctx.price
        return ev.PriceChanged(price=self.price, prev_price=before, revert=self.revert, ended_offer=ended,
                               reason=self.reason)


@dataclass(frozen=True)
class RestorePrice(SetPrice):
    """After a restart: make the shop show the price the journal says (a console-run offer's price during
    the offer). Not a change of plan: it neither ends an offer nor enters the revert history."""
    kind: ClassVar[str] = "restore"
    revert: bool = True
    reason: str = "reconcile"

    def describe(self) -> str:
        return f"restore {self.sku} → {_y(self.price)}"

    def applied(self, ctx, result, rb):
        return ev.PriceChanged(price=self.price, prev_price=None, revert=False, ended_offer=False,
                               reason=self.reason)


# ---- flash offers --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StartOffer(Command):
    """A flash price for `duration_s` seconds, at most `quantity` units, `per_buyer_limit` each. At the
    shop's own flash-sale API where it has one; otherwise a timed price change with the console's cap."""
    kind: ClassVar[str] = "offer"
    sku: str = ""
    price: int = 0
    duration_s: float = 0.0
    quantity: int | None = None
    per_buyer_limit: int | None = None

    def describe(self) -> str:
        q = f", {self.quantity} units" if self.quantity else ""
        d = f"{self.duration_s:g}" if isinstance(self.duration_s, (int, float)) else repr(self.duration_s)
        return f"offer {self.sku} at {_y(self.price)} for {d} s{q}"

    def invalid(self):
        out = [b for b in (_bad_number(self.price, "price", minimum=1, allow_none=False),
                           _bad_number(self.duration_s, "duration_s", minimum=0, whole=False, allow_none=False),
                           _bad_number(self.quantity, "quantity", minimum=1),
                           _bad_number(self.per_buyer_limit, "per_buyer_limit", minimum=1)) if b]
        if not out and not self.duration_s > 0:
            out.append(("duration_s", f"{self.duration_s!r} must be above zero"))
        if not out and self.duration_s > 24 * 3600:
            out.append(("duration_s", f"{self.duration_s:g} s is longer than a day"))
        return out

    def spec(self) -> OfferSpec:
        return OfferSpec(self.sku, self.price, float(self.duration_s), self.quantity, self.per_buyer_limit)

    def send(self, p, key, ctx):
        if ctx.caps.native_offers:
            return p.start_offer(self.spec(), idempotency_key=key)
        return p.set_price(self.sku, self.price, idempotency_key=key)

    def read(self, p, ctx, result):
        if ctx.caps.native_offers and result:
            return p.read_offer(result)
        return p.read_product(self.sku)

    def proof(self, rb, ctx, result):
        if isinstance(rb, OfferState):
            if rb.spec.price != self.price:
                return MISMATCH
            sold_out = self.quantity is not None and rb.sold >= self.quantity
            return APPLIED if rb.active or sold_out else NOT_APPLIED
        if ctx.caps.native_offers:  # no offer id came back: the product's own read-back says
            if not _price_as_known(rb, ctx):   # the product's own price is untouched by a native offer
                return MISMATCH
            o = rb.offer
            if o is None or not o.active:
                return NOT_APPLIED
            return APPLIED if o.spec.price == self.price else MISMATCH
        if rb.price == self.price:
            return APPLIED
        return NOT_APPLIED if rb.price == ctx.price else MISMATCH

    def commanded(self, ctx):
        return {"offer_price": self.price, "quantity": self.quantity, "per_buyer_limit": self.per_buyer_limit}

    def applied(self, ctx, result, rb):
        native = ctx.caps.native_offers
        offer_id = result if native and result else None
        if native and offer_id is None and isinstance(rb, ProductState) and rb.offer is not None:
            offer_id = rb.offer.offer_id
        prev = ctx.offer.prev_price if (ctx.offer is not None and not ctx.offer.native) else ctx.price
        return ev.OfferStarted(price=self.price, prev_price=prev, duration_s=float(self.duration_s),
                               qty=self.quantity, per_buyer_limit=self.per_buyer_limit, offer_id=offer_id,
                               native=native, ends_utc=ctx.utc_now + float(self.duration_s),
                               units_at_start=ctx.units)


@dataclass(frozen=True)
class StopOffer(Command):
    kind: ClassVar[str] = "offer_stop"
    safe: ClassVar[bool] = True
    sku: str = ""
    reason: str = "operator"

    def describe(self) -> str:
        return f"stop offer {self.sku}"

    def send(self, p, key, ctx):
        o = ctx.offer
        if o is None:
            raise NothingToSend(f"no offer is running on {self.sku}")
        if o.native:
            if o.offer_id is None:
                raise NothingToSend(f"the offer on {self.sku} has no id at the shop; settle the SKU first")
            return p.stop_offer(o.offer_id, idempotency_key=key)
        return p.set_price(self.sku, o.prev_price, idempotency_key=key)

    def read(self, p, ctx, result):
        o = ctx.offer
        if o is not None and o.native and o.offer_id:
            return p.read_offer(o.offer_id)
        return p.read_product(self.sku)

    def proof(self, rb, ctx, result):
        o = ctx.offer
        if isinstance(rb, OfferState):
            return APPLIED if not rb.active else NOT_APPLIED
        if o is None:
            return APPLIED
        if rb.price == o.prev_price:
            return APPLIED
        return NOT_APPLIED if rb.price == o.price else MISMATCH

    def commanded(self, ctx):
        o = ctx.offer
        return {"offer_active": False} if o is not None and o.native else \
            {"price": o.prev_price if o is not None else None}

    def applied(self, ctx, result, rb):
        o = ctx.offer
        sold = rb.sold if isinstance(rb, OfferState) else None
        return ev.OfferStopped(price=o.prev_price if o else None, offer_price=o.price if o else None,
                               reason=self.reason, sold=sold)


# ---- coupons -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssueCoupon(Command):
    kind: ClassVar[str] = "coupon"
    spec: CouponSpec = CouponSpec(None, 0, 0, None)

    @property
    def target(self) -> str | None:
        return self.spec.sku

    def describe(self) -> str:
        c = self.spec
        return f"coupon {_y(c.amount)} off over {_y(c.threshold)}{' on ' + c.sku if c.sku else ' (whole shop)'}"

    def invalid(self):
        c = self.spec
        out = [b for b in (_bad_number(c.threshold, "threshold", allow_none=False),
                           _bad_number(c.amount, "off", minimum=1, allow_none=False),
                           _bad_number(c.total_qty, "quantity", minimum=1),
                           _bad_number(c.per_buyer_limit, "per_buyer_limit", minimum=1, allow_none=False)) if b]
        return out

    def send(self, p, key, ctx):
        return p.issue_coupon(self.spec, idempotency_key=key)

    def read(self, p, ctx, result):
        if not result:
            return None      # no id came back: nothing to read; the coupon stays "could be live"
        return p.read_coupon(result)

    def proof(self, rb, ctx, result):
        s, w = rb.spec, self.spec
        if (s.threshold, s.amount, s.total_qty, s.sku) != (w.threshold, w.amount, w.total_qty, w.sku):
            return MISMATCH
        return APPLIED if rb.active or (w.total_qty is not None and rb.issued >= w.total_qty) else NOT_APPLIED

    def commanded(self, ctx):
        return {"coupon": asdict(self.spec)}

    def applied(self, ctx, result, rb):
        cid = result if result else (rb.coupon_id if isinstance(rb, CouponState) else "")
        return ev.CouponIssued(coupon_id=cid, spec=asdict(self.spec))


@dataclass(frozen=True)
class StopCoupon(Command):
    kind: ClassVar[str] = "coupon_stop"
    safe: ClassVar[bool] = True
    coupon_id: str = ""
    sku: str | None = None          # the coupon's scope (None: shop-wide), for its lane

    def describe(self) -> str:
        return f"stop coupon {self.coupon_id}"

    def send(self, p, key, ctx):
        return p.stop_coupon(self.coupon_id, idempotency_key=key)

    def read(self, p, ctx, result):
        return p.read_coupon(self.coupon_id)

    def proof(self, rb, ctx, result):
        return APPLIED if not rb.active else NOT_APPLIED

    def commanded(self, ctx):
        return {"coupon_id": self.coupon_id, "active": False}

    def applied(self, ctx, result, rb):
        return ev.CouponStopped(coupon_id=self.coupon_id, spec=asdict(ctx.coupon) if ctx.coupon else None)


# ---- the room ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PinProduct(Command):
    """Pin / explain 讲解 a product (sku None unpins); the cue text is checked for banned terms."""
    kind: ClassVar[str] = "pin"
    sku: str | None = None
    text: str = ""

    @property
    def lane(self) -> str:
        return self.sku or "shop"

    def describe(self) -> str:
        return f"pin {self.sku or '(none)'}"

    def send(self, p, key, ctx):
        return p.pin_product(self.sku, idempotency_key=key)

    def read(self, p, ctx, result):
        sku = self.sku or ctx.pinned_sku
        return p.read_product(sku) if sku else None

    def proof(self, rb, ctx, result):
        want = self.sku is not None
        if not _price_as_known(rb, ctx):
            return MISMATCH
        return APPLIED if rb.pinned == want else NOT_APPLIED

    def commanded(self, ctx):
        return {"pinned": self.sku, "price": ctx.price}

    def applied(self, ctx, result, rb):
        return ev.Pinned(pinned_sku=self.sku, text=self.text)


@dataclass(frozen=True)
class SetDisplayedStock(Command):
    """The room's 仅剩N件 figure (None: show the real stock)."""
    kind: ClassVar[str] = "stock"
    sku: str = ""
    shown: int | None = None

    def describe(self) -> str:
        return f"show stock {self.sku} = {self.shown}"

    def invalid(self):
        bad = _bad_number(self.shown, "shown")
        return [bad] if bad else []

    def send(self, p, key, ctx):
        return p.set_displayed_stock(self.sku, self.shown, idempotency_key=key)

    def proof(self, rb, ctx, result):
        if not _price_as_known(rb, ctx):
            return MISMATCH
        return APPLIED if rb.displayed_stock == self.shown else NOT_APPLIED

    def commanded(self, ctx):
        return {"displayed_stock": self.shown, "price": ctx.price}

    def applied(self, ctx, result, rb):
        return ev.DisplayedStockSet(shown=self.shown)


# ---- console-side terms the interlocks judge (the shop has no API for them) ------------------------
@dataclass(frozen=True)
class SetGift(Command):
    """A gift announced with the product ("first 50 orders get a sample"), worth `gift_value` 分."""
    kind: ClassVar[str] = "gift"
    shop_call: ClassVar[bool] = False
    sku: str = ""
    gift_value: int | None = None

    def describe(self) -> str:
        return f"gift with {self.sku}: " + ("none" if self.gift_value is None else _y(self.gift_value))

    def invalid(self):
        bad = _bad_number(self.gift_value, "gift_value")
        return [bad] if bad else []

    def applied(self, ctx, result, rb):
        return ev.GiftSet(gift_value=self.gift_value)


@dataclass(frozen=True)
class SetBundle(Command):
    """The product sold as a bundle of items worth `items_sum` 分 together."""
    kind: ClassVar[str] = "bundle"
    shop_call: ClassVar[bool] = False
    sku: str = ""
    items_sum: int | None = None

    def describe(self) -> str:
        return f"bundle {self.sku}: items worth " + ("—" if self.items_sum is None else _y(self.items_sum))

    def invalid(self):
        bad = _bad_number(self.items_sum, "items_sum", minimum=1)
        return [bad] if bad else []

    def applied(self, ctx, result, rb):
        return ev.BundleSet(items_sum=self.items_sum)


# ---- the room's giveaways and sold-out plans (console-side: no shop call) ----------------------------
LUCKY_BAG = "lucky_bag"     # the lane of lucky-bag work: one bag at a time, never behind a SKU's lane


def _bad_text(value: Any, name: str, *, limit: int, required: bool = True) -> tuple[str, str] | None:
    if not isinstance(value, str):
        return name, f"{value!r} is not text"
    if required and not value.strip():
        return name, "empty"
    if len(value) > limit:
        return name, f"{len(value)} characters; at most {limit}"
    if any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in value):
        return name, "contains control characters"
    return None


@dataclass(frozen=True)
class StartLuckyBag(Command):
    """A lucky bag 福袋: `prize` drawn among the viewers who comment `passphrase` 口令 (and follow the room,
    when `follow_required`) during `countdown_s`; `winners` of them win. The console runs its countdown and
    the draw (the public shop APIs have no lucky-bag method); the cue screen shows the countdown."""
    kind: ClassVar[str] = "lucky_bag"
    shop_call: ClassVar[bool] = False
    bag_id: str = ""
    prize: str = ""
    countdown_s: float = 0.0
    passphrase: str = ""
    follow_required: bool = True
    winners: int = 1

    @property
    def lane(self) -> str:
        return LUCKY_BAG

    def describe(self) -> str:
        d = f"{self.countdown_s:g}" if isinstance(self.countdown_s, (int, float)) else repr(self.countdown_s)
        return f"lucky bag {self.bag_id}: {self.prize!r} × {self.winners}, {d} s, 口令 {self.passphrase!r}"

    def invalid(self):
        out = [b for b in (_bad_text(self.prize, "prize", limit=60), _bad_text(self.passphrase, "passphrase", limit=20),
                           _bad_number(self.countdown_s, "countdown_s", minimum=10, whole=False, allow_none=False,
                                       maximum=3600),
                           _bad_number(self.winners, "winners", minimum=1, allow_none=False, maximum=10_000))
               if b]
        if not isinstance(self.follow_required, bool):
            out.append(("follow_required", f"{self.follow_required!r} is not yes/no"))
        return out

    def applied(self, ctx, result, rb):
        return ev.LuckyBagStarted(bag_id=self.bag_id, prize=self.prize, countdown_s=float(self.countdown_s),
                                  passphrase=self.passphrase.strip(), follow_required=self.follow_required,
                                  winners=int(self.winners), ends_utc=ctx.utc_now + float(self.countdown_s))


@dataclass(frozen=True)
class EndLuckyBag(Command):
    """The lucky bag's draw (at the end of its countdown, or now when the operator ends it early), or its
    cancellation (no draw). The entries and winners are decided before the command is made, so the intent
    already holds the result that the journal keeps."""
    kind: ClassVar[str] = "lucky_bag_end"
    safe: ClassVar[bool] = True
    shop_call: ClassVar[bool] = False
    bag_id: str = ""
    reason: str = "expired"           # expired | operator | cancelled
    entries: int = 0                  # distinct viewers who commented the passphrase
    eligible: int = 0                 # of those, the ones who meet the condition (following, where required)
    winners: tuple = ()               # pseudonymous user ids
    drawn: bool = True                # False: cancelled, or nobody to draw from, or the platform shows no comments
    follow_checked: bool = False      # the platform marks followers: 关注 was checked, not assumed
    note: str = ""

    @property
    def lane(self) -> str:
        return LUCKY_BAG

    def describe(self) -> str:
        if not self.drawn:
            return f"lucky bag {self.bag_id} ended without a draw ({self.reason})"
        return f"lucky bag {self.bag_id} drawn: {len(self.winners)} winner(s) of {self.eligible} eligible"

    def applied(self, ctx, result, rb):
        return ev.LuckyBagEnded(bag_id=self.bag_id, reason=self.reason, entries=self.entries,
                                eligible=self.eligible, winners=list(self.winners), drawn=self.drawn,
                                follow_checked=self.follow_checked, note=self.note)


@dataclass(frozen=True)
class ShowSubstitute(Command):
    """The sold-out plan on the cue screen: `sku` is gone, the host switches to `substitute` with the plan's
    talk track 售罄替换话术 (checked for banned terms). `substitute` None clears the line."""
    kind: ClassVar[str] = "substitute"
    shop_call: ClassVar[bool] = False
    sku: str = ""
    substitute: str | None = None
    talk_track: str = ""

    @property
    def lane(self) -> str:
        return self.substitute or self.sku

    def describe(self) -> str:
        return f"substitute {self.sku} → {self.substitute}" if self.substitute else f"substitute line off ({self.sku})"

    def applied(self, ctx, result, rb):
        return ev.SubstituteShown(substitute=self.substitute, talk_track=self.talk_track)
