"""The `Platform` port: the shop a live room sells through (抖店, Taobao Live, TikTok Shop, or the
built-in simulator).

All money crossing this port is integer minor units (分) of `Platform.currency`; each adapter
converts explicitly to its platform's unit. Writes return nothing trustworthy on real platforms
(抖店 and TikTok Shop price changes return no body), so every write is followed by a `read_*`
read-back that the console compares with what it commanded.

Deadlines and retries: the adapter is the one retry owner. A call made inside `deadline(...)` must
return or raise before the deadline: retries, backoff and a server's Retry-After are bounded by
`time_left()`. The console never retries on its own; it reads back instead.
"""
from __future__ import annotations

import contextvars
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Protocol, runtime_checkable


class PlatformError(RuntimeError):
    """The platform refused or failed a call. `retryable` says whether the same call may be retried;
    `may_have_applied` whether a write that raised this could still have taken effect (the console
    then reads back before it says anything)."""

    retryable = False
    may_have_applied = False


class PlatformTimeout(PlatformError):
    """No answer in time: the write may or may not have been applied. Retry with the SAME idempotency key."""

    retryable = True
    may_have_applied = True


class PlatformRateLimited(PlatformError):
    """429: the shop did not take the request (nothing applied)."""

    retryable = True

    def __init__(self, message: str, retry_after: float = 1.0):
        super().__init__(message)
        self.retry_after = retry_after


class PlatformUnavailable(PlatformError):
    """5xx or no connection: a 500 can come after the shop applied the write."""

    retryable = True
    may_have_applied = True


# ---- deadlines ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Deadline:
    """The moment (on `clock.monotonic()`) by which a platform call must have returned or raised."""
    at: float
    clock: object

    def time_left(self) -> float:
        return self.at - self.clock.monotonic()  # type: ignore[attr-defined]


_deadline: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("platform_deadline", default=None)


@contextmanager
def deadline(seconds: float, clock) -> Iterator[Deadline]:
    """Platform calls made inside this block (on this thread) must finish within `seconds`."""
    if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"deadline: seconds must be a finite number ≥ 0, got {seconds!r}")
    d = Deadline(clock.monotonic() + float(seconds), clock)
    outer = _deadline.get()
    if outer is not None and outer.at < d.at:  # an inner deadline never extends the outer one
        d = outer
    token = _deadline.set(d)
    try:
        yield d
    finally:
        _deadline.reset(token)


def current_deadline() -> Deadline | None:
    return _deadline.get()


def time_left(default: float | None = None) -> float | None:
    """Seconds left before the current call's deadline (never below 0); `default` outside any deadline."""
    d = _deadline.get()
    return default if d is None else max(0.0, d.time_left())


@dataclass(frozen=True)
class ProductState:
    """What the platform says about one SKU right now (a read-back)."""
    sku: str
    title: str
    list_price: int          # 分: the strikethrough price
    price: int               # 分: the live price viewers pay before coupons
    stock: int               # units the platform will sell
    listed: bool
    pinned: bool = False
    displayed_stock: int | None = None  # what the room shows as 仅剩N件, if set apart from stock
    # the flash offer running on this SKU, if the platform runs offers itself (Capabilities.native_offers);
    # None when there is none or the platform cannot tell. It lets a read-back settle an offer whose
    # start call never answered (no offer id came back).
    offer: "OfferState | None" = None


@dataclass(frozen=True)
class CouponSpec:
    sku: str | None          # None: shop-wide
    threshold: int           # 分, minimum spend (0 = no minimum)
    amount: int              # 分 off
    total_qty: int | None    # None = unlimited
    per_buyer_limit: int = 1
    name: str = ""


@dataclass(frozen=True)
class CouponState:
    coupon_id: str
    spec: CouponSpec
    issued: int              # claimed so far
    active: bool


@dataclass(frozen=True)
class OfferSpec:
    """A flash offer 秒杀 / 限时限量购: `price` for `duration_s`, at most `quantity` units in all and
    `per_buyer_limit` units per buyer (None = no cap). The offer ends at its time or when its
    quantity is sold, whichever is first; the product's own price is untouched and applies again."""
    sku: str
    price: int               # 分, what a viewer pays before coupons while the offer runs
    duration_s: float
    quantity: int | None = None
    per_buyer_limit: int | None = None


@dataclass(frozen=True)
class OfferState:
    offer_id: str
    spec: OfferSpec
    sold: int                # units sold at the offer price so far
    active: bool             # False once ended: stopped, timed out or sold out


@dataclass(frozen=True)
class Capabilities:
    """What a platform does itself; the console does the rest (e.g. a timed price change with its own
    quantity cap where the platform has no flash-sale API)."""
    native_offers: bool = False          # start_offer/stop_offer/read_offer run a flash sale at the shop
    offer_quantity_cap: bool = False     # the shop stops selling at the offer price after `quantity`
    offer_per_buyer_limit: bool = False  # the shop enforces `per_buyer_limit`
    coupons: bool = True
    pin: bool = True                     # pin / explain 讲解 a product in the room
    displayed_stock: bool = True         # a 仅剩N件 figure apart from real stock
    comments: bool = False               # comments(since) reads the live room's comments 弹幕/评论


@dataclass(frozen=True)
class Comment:
    """One viewer comment 评论/弹幕 in the live room, as the platform gives it.

    `user` is pseudonymous (the platform's open id, or a hash of it): never a phone number or a real
    name. `nickname` is what the room shows; it is personal data and stays out of the journal and the
    exports. `text` is the viewer's own text, untrusted: control characters, 10,000 characters or
    markup may come in and must be shown as plain text."""
    comment_id: str              # unique within the show
    utc: float                   # epoch seconds (UTC) when it was posted
    user: str                    # pseudonymous viewer id
    text: str
    nickname: str = ""
    sku: str | None = None       # the product the platform attached it to (a comment on a product card), if any
    hints: tuple[str, ...] = ()  # what the platform itself says about it: "question", "follower", "fan_club", ...


@dataclass(frozen=True)
class CommentPage:
    """An answer of `Platform.comments(since)`: the comments after `since`, oldest first, and the cursor to
    pass next time. `missed` counts comments the platform no longer holds between `since` and the first one
    returned (the poller fell behind the platform's buffer): they are gone, and the feed says so."""
    comments: tuple[Comment, ...]
    cursor: str
    missed: int = 0


@dataclass(frozen=True)
class SkuMetrics:
    """Cumulative per-SKU counters since the show started."""
    sku: str
    impressions: int = 0     # product card shown
    clicks: int = 0
    add_to_cart: int = 0
    orders: int = 0
    paid_orders: int = 0
    units: int = 0
    gmv: int = 0             # 分, unpaid included
    paid_gmv: int = 0        # 分


@dataclass(frozen=True)
class MetricsSnapshot:
    """The room's counters at one instant. Cumulative since the show started, except `online`.

    The funnel is room_impressions -> views (room entries) -> product clicks -> add_to_cart -> orders -> paid.
    """
    online: int = 0              # concurrent viewers now
    views: int = 0               # room entries 观看人次
    unique_viewers: int = 0      # distinct viewers UV 观看人数
    room_impressions: int = 0    # the room shown in a feed
    comments: int = 0
    likes: int = 0
    shares: int = 0
    interacting_viewers: int = 0  # distinct viewers who commented, liked or shared
    new_followers: int = 0
    product_impressions: int = 0
    product_clicks: int = 0
    add_to_cart: int = 0
    orders: int = 0
    paid_orders: int = 0
    buyers: int = 0              # distinct buyers
    gmv: int = 0                 # 分, unpaid included
    paid_gmv: int = 0            # 分
    skus: dict[str, SkuMetrics] = field(default_factory=dict)


@runtime_checkable
class Platform(Protocol):
    name: str
    currency: str  # ISO 4217, e.g. "CNY"

    # --- writes: each carries an idempotency key; the same key never applies twice ---
    def list_product(self, sku: str, *, idempotency_key: str) -> None: ...
    def unlist_product(self, sku: str, *, idempotency_key: str) -> None: ...
    def set_price(self, sku: str, price: int, *, idempotency_key: str) -> None: ...
    def set_stock(self, sku: str, stock: int, *, idempotency_key: str) -> None: ...
    def set_displayed_stock(self, sku: str, shown: int | None, *, idempotency_key: str) -> None: ...
    def pin_product(self, sku: str | None, *, idempotency_key: str) -> None: ...
    def issue_coupon(self, spec: CouponSpec, *, idempotency_key: str) -> str: ...
    def stop_coupon(self, coupon_id: str, *, idempotency_key: str) -> None: ...

    # --- reads ---
    def read_product(self, sku: str) -> ProductState: ...
    def read_products(self) -> list[ProductState]: ...
    def read_coupon(self, coupon_id: str) -> CouponState: ...
    def metrics(self) -> MetricsSnapshot: ...

    # --- flash offers (Capabilities.native_offers); without them the console runs a timed price change
    # with its own quantity cap and never calls these ---
    capabilities: Capabilities
    def start_offer(self, spec: OfferSpec, *, idempotency_key: str) -> str: ...
    def stop_offer(self, offer_id: str, *, idempotency_key: str) -> None: ...
    def read_offer(self, offer_id: str) -> OfferState: ...

    # --- the room's comments (Capabilities.comments); a shop without a live-comment API refuses ---
    # A cursor poll, like every other read of this port: the adapter owns retries within the caller's
    # deadline, the cursor is a position the comment room journals (a restart resumes where it stopped,
    # nothing read twice, nothing skipped unless the platform dropped it: `missed`), and one poller
    # thread reads at its own pace (a push callback would run on the platform's threads and lose what
    # arrives while the app is down). `since=None` starts at the oldest comment the platform still holds.
    # At most `limit` comments per page; the next page starts at the returned cursor.
    def comments(self, since: str | None = None, limit: int = 500) -> CommentPage: ...


def capabilities_of(platform) -> Capabilities:
    """The platform's Capabilities; an adapter written before they joined the port runs no offers itself."""
    caps = getattr(platform, "capabilities", None)
    return caps if isinstance(caps, Capabilities) else Capabilities()


@runtime_checkable
class SessionPlatform(Protocol):
    """Optional: a platform whose state lives inside the app (the embedded simulator). A real shop keeps its
    live room when the app dies; this one must get it back from the journal. The runtime calls
    `open_session` whenever a session becomes current (new or resumed), before the rooms rebuild, so the
    console's reconcile and the metrics room see the shop as the journal left it."""

    def open_session(self, journal, session_id: int, resumed: bool) -> None: ...
