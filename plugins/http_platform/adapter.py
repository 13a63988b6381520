"""`HttpPlatform`: the Platform port over a generic JSON/HTTP shop API, with `requests`.

Wire contract (paths are configurable per operation, see config.py; bodies are JSON). Every money
value on the wire is in the platform's `price_unit`, converted explicitly with
`controlroom.commerce.money.to_platform_unit` / `from_platform_unit`: 29.90 元 travels as
`2990` ("fen", 抖店), `"29.90"` ("yuan", Taobao) or `"29.90"` ("decimal_string", TikTok Shop).

  writes (each with header `Idempotency-Key: <caller's key>`; a replay must not apply twice)
    list_product / unlist_product   no body
    set_price                       {"price": <money>}
    set_stock                       {"stock": <int>}
    set_displayed_stock             {"displayed_stock": <int> | null}
    pin_product                     {"sku": <str> | null}
    issue_coupon                    {"sku", "threshold": <money>, "amount": <money>, "total_qty": <int>|null,
                                     "per_buyer_limit", "name"}  ->  {"coupon_id": <str>}
    stop_coupon                     no body
    start_offer (native_offers)     {"sku", "price": <money>, "duration_s": <number>, "quantity": <int>|null,
                                     "per_buyer_limit": <int>|null}  ->  {"offer_id": <str>}
    stop_offer (native_offers)      no body
  reads
    read_product   -> {"sku", "title", "list_price": <money>, "price": <money>, "stock", "listed",
                       "pinned" (default false), "displayed_stock" (default null),
                       "offer" (default null: the running flash offer, as read_offer answers it)}
    read_products  -> [product, ...] or {"products": [product, ...]}
    read_coupon    -> {"coupon_id", "sku", "threshold", "amount", "total_qty", "per_buyer_limit",
                       "name", "issued", "active"}
    read_offer     -> {"offer_id", "sku", "price": <money>, "duration_s", "quantity", "per_buyer_limit",
                       "sold", "active"}
    metrics        -> see below
    comments (live_comments = true)  GET ?cursor=<the last answer's cursor>&limit=<n>; no cursor on the
                   first call (= the oldest comment the gateway still holds)
                -> {"comments": [comment, ...] (oldest first), "cursor": <str|int: pass back next time>,
                    "missed": <int, default 0: comments dropped before the first one returned>}
       comment:    {"id" (or "comment_id", "msg_id"): <str|int>, unique in the show,
                    "time" (or "ts", "create_time"): <epoch seconds, number> or <ISO-8601 text with offset>,
                    "user" (or "user_id", "open_id", "sec_uid"): <str|int> pseudonymous viewer id,
                    "nickname" (or "nick_name"): <str, default "">,
                    "text" (or "content"): <str>,
                    "sku": <str|null, default null: the product card it was posted on>,
                    "hints": [<str>, ...] (default []: what the platform says, e.g. "question", "follower")}
                   The text is passed on as it is (untrusted: the comment room makes it plain text); a
                   comment without id, user or time, or with a non-text text, is a protocol error.

Metrics JSON -> `MetricsSnapshot` (missing keys read as 0; counts must be non-negative integers):
    online -> online                    views -> views                  unique_viewers -> unique_viewers
    room_impressions -> room_impressions  comments, likes, shares -> same names
    interacting_viewers -> interacting_viewers                          new_followers -> new_followers
    product_impressions, product_clicks, add_to_cart, orders, paid_orders, buyers -> same names
    gmv, paid_gmv (<money> in price_unit) -> gmv, paid_gmv (分)
    skus: [{"sku", "impressions", "clicks", "add_to_cart", "orders", "paid_orders", "units",
            "gmv" <money>, "paid_gmv" <money>}] (or an object keyed by sku) -> skus[sku] = SkuMetrics
  Alternative key names that real dashboards use are accepted where listed in METRIC_ALIASES.

Failures map onto the port: no answer in time -> PlatformTimeout; 429 -> PlatformRateLimited with the
server's Retry-After; 5xx or no connection -> PlatformUnavailable; any other 4xx -> PlatformError
with the server's own message. Retries (backoff + jitter, Retry-After, total budget) happen first,
in plugins.http_retry — the one retry layer: the console does not retry on top. Inside a console
action's deadline (controlroom.platform.deadline) every attempt, wait and read-back is cut to what is
left of it, so a 429 with Retry-After: 30 ends the call at once instead of holding the SKU for 90 s. After every write the product or coupon is read back (a few times: platforms
are eventually consistent) and compared with what was commanded. A difference is logged and kept in
`last_mismatch` (a `PlatformReadbackMismatch`) and the write returns, so the console's own read-back
sees the same difference and locks the SKU; with `on_readback_mismatch = "raise"` it is raised.

The auth secret comes from controlroom.secrets and is masked in logs and messages.
"""
from __future__ import annotations

import logging
import math
import random
import time
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable
from urllib.parse import quote, urlsplit

import requests

from controlroom.commerce.money import MoneyError, format_money, from_platform_unit, to_platform_unit
from controlroom.platform import (Capabilities, Comment, CommentPage, CouponSpec, CouponState, MetricsSnapshot,
                                  OfferSpec, OfferState, PlatformError, PlatformRateLimited, PlatformTimeout,
                                  PlatformUnavailable, ProductState, SkuMetrics, time_left)
from controlroom.secrets import get_secret
from plugins.http_retry import (AnswerLost, AnswerUnreadable, RetryPolicy, RetryTrace, SessionPool, redact,
                                register_secret, request_with_retry)

from .config import HttpPlatformConfig

log = logging.getLogger(__name__)

COUNT_FIELDS = ("online", "views", "unique_viewers", "room_impressions", "comments", "likes", "shares",
                "interacting_viewers", "new_followers", "product_impressions", "product_clicks",
                "add_to_cart", "orders", "paid_orders", "buyers")
MONEY_FIELDS = ("gmv", "paid_gmv")
SKU_COUNT_FIELDS = ("impressions", "clicks", "add_to_cart", "orders", "paid_orders", "units")
# snapshot field -> other JSON keys accepted for it (first present wins, after the field's own name)
METRIC_ALIASES: dict[str, tuple[str, ...]] = {
    "online": ("online_count", "current_online"),
    "views": ("watch_pv", "room_views"),
    "unique_viewers": ("watch_uv", "uv"),
    "room_impressions": ("exposure", "room_exposure"),
    "new_followers": ("follows", "new_fans"),
    "product_clicks": ("clicks",),
    "add_to_cart": ("cart_adds",),
    "paid_orders": ("pay_orders",),
    "gmv": ("gmv_total",),
    "paid_gmv": ("pay_gmv",),
}


class PlatformReadbackMismatch(PlatformError):
    """The platform accepted a write but reads back something else. The write may be half-applied:
    do not retry blindly; alert and lock the SKU."""

    retryable = False

    def __init__(self, message: str, *, sku: str | None = None, coupon_id: str | None = None,
                 field: str = "", expected: Any = None, actual: Any = None, state: Any = None):
        super().__init__(message)
        self.sku, self.coupon_id, self.field = sku, coupon_id, field
        self.expected, self.actual, self.state = expected, actual, state


class PlatformProtocolError(PlatformError):
    """The platform answered 2xx with a body we cannot read (wrong JSON, missing or odd field)."""


class HttpPlatform:
    def __init__(self, config: HttpPlatformConfig, *, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session):
        self.config = config.validate()
        self.name = config.name
        self.currency = config.currency
        self.unit = config.price_unit
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._sessions = SessionPool(session_factory)
        self._policy = RetryPolicy(max_attempts=config.max_attempts, backoff_base=config.backoff_base,
                                   backoff_max=config.backoff_max, budget=config.retry_budget,
                                   jitter=config.jitter, retry_on_timeout=True)
        self._timeout = (config.connect_timeout, config.read_timeout)
        self._auth: str | None = None
        if config.auth_secret or config.auth_env:
            token = get_secret(config.auth_secret, env=config.auth_env or None)
            if token:
                register_secret(token)
                self._auth = f"{config.auth_scheme} {token}" if config.auth_scheme else token
            elif config.auth_required:
                raise PlatformError(
                    f"{self.name}: no API token: store it in the keyring as {config.auth_secret!r} "
                    f"or set the environment variable {config.auth_env}")
        self.last_trace = RetryTrace()  # of the latest call on any thread (for the UI and tests)
        self.last_readback: Any = None
        self.last_mismatch: PlatformReadbackMismatch | None = None

    @property
    def capabilities(self) -> Capabilities:
        n = self.config.native_offers
        return Capabilities(native_offers=n, offer_quantity_cap=n, offer_per_buyer_limit=n,
                            comments=self.config.live_comments)

    @classmethod
    def from_settings(cls, settings, **kw) -> "HttpPlatform":
        return cls(HttpPlatformConfig.from_settings(settings), **kw)

    # ---- plumbing -------------------------------------------------------------------------------
    def close(self) -> None:
        self._sessions.close()

    def _url(self, op: str, **args: str) -> tuple[str, str]:
        method, path = self.config.endpoint(op)
        quoted = {k: quote(str(v), safe="") for k, v in args.items()}
        return method, self.config.base_url.rstrip("/") + path.format(**quoted)

    def _call(self, op: str, *, idempotency_key: str | None = None, body: Any = None,
              write: bool = False, query: dict[str, Any] | None = None, **path_args: str) -> Any:
        if write and not (isinstance(idempotency_key, str) and idempotency_key.strip()):
            raise PlatformError(f"{self.name} {op}: an idempotency key is required for every write")
        method, url = self._url(op, **path_args)
        headers = {"Accept": "application/json"}
        if self._auth:
            headers[self.config.auth_header] = self._auth
        if write:
            headers[self.config.idempotency_header] = idempotency_key
        what = f"{self.name} {op}" + "".join(f" {v}" for v in path_args.values())
        trace = RetryTrace()
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["json"] = body
        if query:
            kwargs["params"] = query
        left = time_left()
        deadline_at = None if left is None else time.monotonic() + left
        if left is not None and left <= 0:
            raise PlatformTimeout(f"{what}: not sent: no time left before the action's deadline")
        try:
            resp = request_with_retry(self._sessions.get(), method, url, policy=self._policy,
                                      timeout=self._timeout, label=what, sleep=self._sleep,
                                      rng=self._rng, trace=trace, deadline=deadline_at, **kwargs)
        except requests.exceptions.ConnectTimeout:
            self.last_trace = trace
            raise PlatformUnavailable(f"{what}: could not connect within {self.config.connect_timeout:g} s "
                                      f"({trace.attempts} attempts)") from None
        except requests.exceptions.Timeout as e:
            self.last_trace = trace
            applied = " — it may have been applied; retry with the same idempotency key" if write else ""
            if isinstance(e, AnswerLost):
                raise PlatformTimeout(f"{what}: {e} ({trace.attempts} attempts){applied}") from None
            raise PlatformTimeout(f"{what}: no answer within {self.config.read_timeout:g} s "
                                  f"({trace.attempts} attempts){applied}") from None
        except AnswerUnreadable as e:
            self.last_trace = trace
            raise _answered(PlatformProtocolError(f"{what}: {e}"), write) from None
        except requests.exceptions.ConnectionError as e:
            self.last_trace = trace
            kind = "connection refused" if "refused" in str(e).lower() else "connection failed"
            raise PlatformUnavailable(f"{what}: {kind} ({trace.attempts} attempts)") from None
        except requests.exceptions.RequestException as e:
            self.last_trace = trace
            raise PlatformError(f"{what}: {redact(type(e).__name__)}") from None
        self.last_trace = trace
        try:
            return self._read_response(resp, what, trace)
        except PlatformProtocolError as e:
            raise _answered(e, write) from None
        finally:
            resp.close()

    def _read_response(self, resp: requests.Response, what: str, trace: RetryTrace) -> Any:
        status = resp.status_code
        if status == 429:
            ra = trace.retry_after if trace.retry_after is not None else self.config.backoff_max
            raise PlatformRateLimited(f"{what}: rate limited (HTTP 429, retry after {ra:g} s; "
                                      f"{trace.attempts} attempts): {self._server_message(resp)}", ra)
        if status >= 500:
            raise PlatformUnavailable(f"{what}: platform error HTTP {status} ({trace.attempts} attempts): "
                                      f"{self._server_message(resp)}")
        if status >= 400:
            raise PlatformError(f"{what}: refused, HTTP {status}: {self._server_message(resp)}")
        if 300 <= status < 400:
            # never followed (http_retry): only base_url is a target, and the auth header must go nowhere else
            raise PlatformProtocolError(f"{what}: the platform answered with a redirect (HTTP {status}) to "
                                        f"{_origin(resp.headers.get('Location', ''))}; not followed — only "
                                        f"{_origin(self.config.base_url)} is configured (base_url)")
        if status == 204 or not resp.content:
            return None
        try:
            return resp.json(parse_float=Decimal)
        except (ValueError, RecursionError):   # RecursionError: '[[[[…' nested deeper than the parser goes
            raise PlatformProtocolError(f"{what}: HTTP {status} but the body is not JSON: "
                                        f"{redact(resp.text[:120])!r}") from None

    @staticmethod
    def _server_message(resp: requests.Response) -> str:
        try:
            data = resp.json()
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            for key in ("message", "msg", "error_description", "error", "errmsg", "detail", "sub_msg"):
                val = data.get(key)
                if isinstance(val, str) and val:
                    code = data.get("code", data.get("err_no", data.get("errcode")))
                    return redact((f"[{code}] " if code not in (None, 0, "") else "") + val)[:300]
                if isinstance(val, dict) and isinstance(val.get("message"), str):
                    return redact(val["message"])[:300]
        text = (resp.text or "").strip()
        return redact(text[:300]) if text else (resp.reason or "no message")

    # ---- money and field decoding ---------------------------------------------------------------
    def _money_out(self, fen: int, field: str) -> int | str:
        return to_platform_unit(fen, self.unit)

    def _money_in(self, value: Any, field: str, what: str) -> int:
        if isinstance(value, Decimal):
            value = str(value)
        try:
            return from_platform_unit(value, self.unit, field=field)
        except MoneyError as e:
            raise PlatformProtocolError(f"{what}: {e} (platform unit: {self.unit})") from None

    @staticmethod
    def _count(data: dict, key: str, what: str, *, default: Any = 0, nullable: bool = False) -> Any:
        v = data.get(key, default)
        if v is None and nullable:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise PlatformProtocolError(f"{what}: field {key!r} must be a whole number ≥ 0, got {v!r}")
        return v

    @staticmethod
    def _flag(data: dict, key: str, what: str, *, default: Any = None) -> bool:
        v = data.get(key, default)
        if not isinstance(v, bool):
            raise PlatformProtocolError(f"{what}: field {key!r} must be true or false, got {v!r}")
        return v

    def _product(self, data: Any, what: str) -> ProductState:
        if not isinstance(data, dict):
            raise PlatformProtocolError(f"{what}: expected a product object, got {type(data).__name__}")
        for key in ("sku", "list_price", "price", "stock", "listed"):
            if key not in data:
                raise PlatformProtocolError(f"{what}: product has no {key!r} field")
        offer = data.get("offer")
        return ProductState(
            sku=str(data["sku"]), title=str(data.get("title", "")),
            list_price=self._money_in(data["list_price"], "list_price", what),
            price=self._money_in(data["price"], "price", what),
            stock=self._count(data, "stock", what), listed=self._flag(data, "listed", what),
            pinned=self._flag(data, "pinned", what, default=False),
            displayed_stock=self._count(data, "displayed_stock", what, default=None, nullable=True),
            offer=None if offer is None else self._offer(offer, f"{what} offer"))

    def _offer(self, data: Any, what: str) -> OfferState:
        if not isinstance(data, dict):
            raise PlatformProtocolError(f"{what}: expected an offer object, got {type(data).__name__}")
        for key in ("offer_id", "sku", "price", "active"):
            if key not in data:
                raise PlatformProtocolError(f"{what}: offer has no {key!r} field")
        dur = data.get("duration_s", 0)
        if isinstance(dur, Decimal):
            dur = float(dur)
        if isinstance(dur, bool) or not isinstance(dur, (int, float)) or not math.isfinite(dur) or dur < 0:
            raise PlatformProtocolError(f"{what}: field 'duration_s' must be a number ≥ 0, got {dur!r}")
        spec = OfferSpec(sku=str(data["sku"]), price=self._money_in(data["price"], "price", what),
                         duration_s=float(dur),
                         quantity=self._count(data, "quantity", what, default=None, nullable=True),
                         per_buyer_limit=self._count(data, "per_buyer_limit", what, default=None, nullable=True))
        return OfferState(offer_id=str(data["offer_id"]), spec=spec, sold=self._count(data, "sold", what),
                          active=self._flag(data, "active", what))

    def _coupon(self, data: Any, what: str) -> CouponState:
        if not isinstance(data, dict):
            raise PlatformProtocolError(f"{what}: expected a coupon object, got {type(data).__name__}")
        for key in ("coupon_id", "threshold", "amount", "active"):
            if key not in data:
                raise PlatformProtocolError(f"{what}: coupon has no {key!r} field")
        sku = data.get("sku")
        spec = CouponSpec(sku=None if sku in (None, "") else str(sku),
                          threshold=self._money_in(data["threshold"], "threshold", what),
                          amount=self._money_in(data["amount"], "amount", what),
                          total_qty=self._count(data, "total_qty", what, default=None, nullable=True),
                          per_buyer_limit=self._count(data, "per_buyer_limit", what, default=1),
                          name=str(data.get("name", "")))
        return CouponState(coupon_id=str(data["coupon_id"]), spec=spec,
                           issued=self._count(data, "issued", what), active=self._flag(data, "active", what))

    # ---- writes ---------------------------------------------------------------------------------
    def list_product(self, sku: str, *, idempotency_key: str) -> None:
        self._call("list_product", sku=sku, idempotency_key=idempotency_key, write=True)
        self._verify_product(sku, "list_product", listed=True)

    def unlist_product(self, sku: str, *, idempotency_key: str) -> None:
        self._call("unlist_product", sku=sku, idempotency_key=idempotency_key, write=True)
        self._verify_product(sku, "unlist_product", listed=False)

    def set_price(self, sku: str, price: int, *, idempotency_key: str) -> None:
        wire = self._money_out(price, "price")
        self._call("set_price", sku=sku, idempotency_key=idempotency_key, write=True, body={"price": wire})
        self._verify_product(sku, "set_price", price=price)

    def set_stock(self, sku: str, stock: int, *, idempotency_key: str) -> None:
        _whole(stock, "stock")
        self._call("set_stock", sku=sku, idempotency_key=idempotency_key, write=True, body={"stock": stock})
        self._verify_product(sku, "set_stock", stock=stock)

    def set_displayed_stock(self, sku: str, shown: int | None, *, idempotency_key: str) -> None:
        if shown is not None:
            _whole(shown, "displayed_stock")
        self._call("set_displayed_stock", sku=sku, idempotency_key=idempotency_key, write=True,
                   body={"displayed_stock": shown})
        self._verify_product(sku, "set_displayed_stock", displayed_stock=shown)

    def pin_product(self, sku: str | None, *, idempotency_key: str) -> None:
        self._call("pin_product", idempotency_key=idempotency_key, write=True, body={"sku": sku})
        if not self.config.verify_writes:
            return
        if sku is not None:
            self._verify_product(sku, "pin_product", pinned=True)
        else:
            self._verify(lambda: [p for p in self.read_products() if p.pinned],
                         lambda pinned: None if not pinned else ("pinned", None, pinned[0].sku),
                         "pin_product (unpin)", sku=None)

    def issue_coupon(self, spec: CouponSpec, *, idempotency_key: str) -> str:
        body = {"sku": spec.sku, "threshold": self._money_out(spec.threshold, "threshold"),
                "amount": self._money_out(spec.amount, "amount"), "total_qty": spec.total_qty,
                "per_buyer_limit": spec.per_buyer_limit, "name": spec.name}
        data = self._call("issue_coupon", idempotency_key=idempotency_key, write=True, body=body)
        cid = data.get("coupon_id") if isinstance(data, dict) else None
        if cid in (None, ""):
            raise PlatformProtocolError(f"{self.name} issue_coupon: the answer has no coupon_id; the coupon "
                                        "may exist: retry with the same idempotency key to learn its id")
        cid = str(cid)
        if self.config.verify_writes:
            def compare(c: CouponState):
                for f in ("sku", "threshold", "amount", "total_qty", "per_buyer_limit"):
                    if getattr(c.spec, f) != getattr(spec, f):
                        return f, getattr(spec, f), getattr(c.spec, f)
                if not c.active:
                    return "active", True, False
                return None
            self._verify(lambda: self.read_coupon(cid), compare, "issue_coupon", coupon_id=cid)
        return cid

    def stop_coupon(self, coupon_id: str, *, idempotency_key: str) -> None:
        self._call("stop_coupon", coupon_id=coupon_id, idempotency_key=idempotency_key, write=True)
        if self.config.verify_writes:
            self._verify(lambda: self.read_coupon(coupon_id),
                         lambda c: None if not c.active else ("active", False, True),
                         "stop_coupon", coupon_id=coupon_id)

    # ---- flash offers (native_offers) ------------------------------------------------------------
    def _need_offers(self, op: str) -> None:
        if not self.config.native_offers:
            raise PlatformError(f"{self.name} {op}: this shop has no flash-offer API configured "
                                f"([platform.http] native_offers = false): the console runs a timed price change")

    def start_offer(self, spec: OfferSpec, *, idempotency_key: str) -> str:
        self._need_offers("start_offer")
        body = {"sku": spec.sku, "price": self._money_out(spec.price, "price"), "duration_s": spec.duration_s,
                "quantity": spec.quantity, "per_buyer_limit": spec.per_buyer_limit}
        data = self._call("start_offer", idempotency_key=idempotency_key, write=True, body=body)
        oid = data.get("offer_id") if isinstance(data, dict) else None
        if oid in (None, ""):
            raise PlatformProtocolError(f"{self.name} start_offer: the answer has no offer_id; the offer may "
                                        "exist: read the product back")
        oid = str(oid)
        if self.config.verify_writes:
            def compare(o: OfferState):
                for f in ("sku", "price", "quantity", "per_buyer_limit"):
                    if getattr(o.spec, f) != getattr(spec, f):
                        return f, getattr(spec, f), getattr(o.spec, f)
                return None
            self._verify(lambda: self.read_offer(oid), compare, "start_offer", sku=spec.sku)
        return oid

    def stop_offer(self, offer_id: str, *, idempotency_key: str) -> None:
        self._need_offers("stop_offer")
        self._call("stop_offer", offer_id=offer_id, idempotency_key=idempotency_key, write=True)
        if self.config.verify_writes:
            self._verify(lambda: self.read_offer(offer_id),
                         lambda o: None if not o.active else ("active", False, True), "stop_offer")

    def read_offer(self, offer_id: str) -> OfferState:
        self._need_offers("read_offer")
        return self._offer(self._call("read_offer", offer_id=offer_id), f"{self.name} read_offer {offer_id}")

    # ---- read-back ------------------------------------------------------------------------------
    def _verify_product(self, sku: str, op: str, **expect: Any) -> None:
        if not self.config.verify_writes:
            return

        def compare(p: ProductState):
            for f, want in expect.items():
                if getattr(p, f) != want:
                    return f, want, getattr(p, f)
            return None
        self._verify(lambda: self.read_product(sku), compare, op, sku=sku)

    def _verify(self, read: Callable[[], Any], compare: Callable[[Any], Any], op: str, *,
                sku: str | None = None, coupon_id: str | None = None) -> Any:
        diff = None
        state = None
        for attempt in range(self.config.readback_attempts):
            if attempt:
                left = time_left()
                if left is not None and left <= self.config.readback_interval:
                    break    # the action's deadline: the console's own read-back decides
                self._sleep(self.config.readback_interval)
            state = read()
            diff = compare(state)
            if diff is None:
                self.last_readback = state
                return state
        field, want, got = diff
        money = field in ("price", "list_price", "threshold", "amount")
        show = (lambda v: f"{format_money(v)} 元" if isinstance(v, int) and money else repr(v))
        target = f"SKU {sku}" if sku is not None else f"coupon {coupon_id}" if coupon_id else "the room"
        self.last_readback = state
        err = PlatformReadbackMismatch(
            f"{self.name} {op}: read-back of {target} shows {field} = {show(got)}, commanded {show(want)}",
            sku=sku, coupon_id=coupon_id, field=field, expected=want, actual=got, state=state)
        self.last_mismatch = err
        if self.config.on_readback_mismatch == "raise":
            raise err
        log.warning("%s", err)
        return state

    # ---- reads ----------------------------------------------------------------------------------
    def read_product(self, sku: str) -> ProductState:
        what = f"{self.name} read_product {sku}"
        p = self._product(self._call("read_product", sku=sku), what)
        if p.sku != sku:
            raise PlatformProtocolError(f"{what}: the platform answered for SKU {p.sku!r}")
        return p

    def read_products(self) -> list[ProductState]:
        what = f"{self.name} read_products"
        data = self._call("read_products")
        if isinstance(data, dict):
            data = data.get("products")
        if not isinstance(data, list):
            raise PlatformProtocolError(f"{what}: expected a list of products")
        return [self._product(d, f"{what} [{i}]") for i, d in enumerate(data)]

    def read_coupon(self, coupon_id: str) -> CouponState:
        return self._coupon(self._call("read_coupon", coupon_id=coupon_id),
                            f"{self.name} read_coupon {coupon_id}")

    def metrics(self) -> MetricsSnapshot:
        what = f"{self.name} metrics"
        data = self._call("metrics")
        if not isinstance(data, dict):
            raise PlatformProtocolError(f"{what}: expected a JSON object")
        values: dict[str, Any] = {}
        for f in COUNT_FIELDS + MONEY_FIELDS:
            key = next((k for k in (f, *METRIC_ALIASES.get(f, ())) if k in data), None)
            if key is None:
                values[f] = 0
            elif f in MONEY_FIELDS:
                values[f] = self._money_in(data[key], key, what)
            else:
                values[f] = self._count(data, key, what)
        raw_skus = data.get("skus") or []
        if isinstance(raw_skus, dict):
            raw_skus = [{"sku": k, **v} for k, v in raw_skus.items() if isinstance(v, dict)]
        if not isinstance(raw_skus, list):
            raise PlatformProtocolError(f"{what}: 'skus' must be a list or an object keyed by SKU")
        skus: dict[str, SkuMetrics] = {}
        for i, row in enumerate(raw_skus):
            w = f"{what} skus[{i}]"
            if not isinstance(row, dict) or not row.get("sku"):
                raise PlatformProtocolError(f"{w}: expected an object with a 'sku'")
            sku = str(row["sku"])
            skus[sku] = SkuMetrics(sku=sku, **{f: self._count(row, f, w) for f in SKU_COUNT_FIELDS},
                                   gmv=self._money_in(row.get("gmv", 0), "gmv", w),
                                   paid_gmv=self._money_in(row.get("paid_gmv", 0), "paid_gmv", w))
        return MetricsSnapshot(**values, skus=skus)


    # ---- the live room's comments ---------------------------------------------------------------------
    def comments(self, since: str | None = None, limit: int = 500) -> CommentPage:
        what = f"{self.name} comments"
        if not self.config.live_comments:
            raise PlatformError(f"{what}: this gateway serves no live comments ([platform.http] live_comments = "
                                f"false)")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise PlatformError(f"{what}: limit must be a whole number ≥ 1, got {limit!r}")
        query: dict[str, Any] = {"limit": limit}
        if since is not None:
            query["cursor"] = str(since)
        data = self._call("comments", query=query)
        if not isinstance(data, dict):
            raise PlatformProtocolError(f"{what}: expected a JSON object with 'comments' and 'cursor'")
        raw = data.get("comments")
        if not isinstance(raw, list):
            raise PlatformProtocolError(f"{what}: 'comments' must be a list")
        cursor = data.get("cursor")
        if isinstance(cursor, bool) or not isinstance(cursor, (str, int)):
            raise PlatformProtocolError(f"{what}: 'cursor' must be text or a whole number, got {cursor!r}")
        missed = self._count(data, "missed", what)
        return CommentPage(tuple(self._comment(c, f"{what} [{i}]") for i, c in enumerate(raw)), str(cursor), missed)

    @staticmethod
    def _pick(data: dict, names: tuple[str, ...]) -> Any:
        return next((data[k] for k in names if k in data), None)

    def _comment(self, data: Any, what: str) -> Comment:
        if not isinstance(data, dict):
            raise PlatformProtocolError(f"{what}: expected a comment object, got {type(data).__name__}")
        cid = self._pick(data, COMMENT_ID)
        user = self._pick(data, COMMENT_USER)
        text = self._pick(data, COMMENT_TEXT)
        for name, v in (("id", cid), ("user", user)):
            if isinstance(v, bool) or not isinstance(v, (str, int)) or v == "":
                raise PlatformProtocolError(f"{what}: comment has no usable {name!r} field, got {v!r}")
        if not isinstance(text, str):
            raise PlatformProtocolError(f"{what}: comment 'text' must be text, got {text!r}")
        utc = _comment_time(self._pick(data, COMMENT_TIME), what)
        nick = self._pick(data, ("nickname", "nick_name"))
        sku = data.get("sku")
        hints = data.get("hints") or []
        if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
            raise PlatformProtocolError(f"{what}: 'hints' must be a list of text, got {hints!r}")
        if sku is not None and not isinstance(sku, str):
            raise PlatformProtocolError(f"{what}: 'sku' must be text or null, got {sku!r}")
        return Comment(comment_id=str(cid), utc=utc, user=str(user), text=text,
                       nickname=nick if isinstance(nick, str) else "", sku=sku or None, hints=tuple(hints))


COMMENT_ID = ("id", "comment_id", "msg_id")
COMMENT_USER = ("user", "user_id", "open_id", "sec_uid")
COMMENT_TEXT = ("text", "content")
COMMENT_TIME = ("time", "ts", "create_time")


def _comment_time(v: Any, what: str) -> float:
    """Epoch seconds (a number; milliseconds are recognised by their size) or ISO-8601 text with an offset."""
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0:
        return float(v) / 1000.0 if v > 1e11 else float(v)
    if isinstance(v, str):
        try:
            t = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            t = None
        if t is not None and t.tzinfo is not None:
            return t.timestamp()
    raise PlatformProtocolError(f"{what}: comment 'time' must be epoch seconds or ISO-8601 text with an offset, "
                                f"got {v!r}")


def _answered(err: PlatformError, write: bool) -> PlatformError:
    """A write the shop answered (a status line came back) with something unreadable or a redirect may
    still have been applied: the console reads it back instead of calling it refused."""
    if write:
        err.may_have_applied = True
    return err


def _origin(url: str) -> str:
    """scheme://host:port of a URL — never its path or query (they may carry tokens)."""
    parts = urlsplit(url or "")
    if not parts.netloc:
        return "an address it did not name" if not url else "a relative address"
    host = parts.hostname or "?"
    return f"{parts.scheme or 'http'}://{host}" + (f":{parts.port}" if parts.port else "")


def _whole(v: Any, field: str) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"{field} must be a whole number ≥ 0, got {v!r}")
