"""The skeleton every real-shop adapter shares: idempotent writes through the ledger, and refusals
for what the shop cannot do (per `capabilities`: pin, 仅剩N件, coupons, flash offers).

An adapter subclasses ShopAdapter and implements the shop's reads and writes; each write goes through
`_write(op, key, args, send, landed)`:

    send(entry)    sends the request (once; see transport.py for what is resent) and returns the result
    landed(entry)  reads the shop and says whether an earlier attempt already took effect — (True, result)

The adapter is the one retry owner for writes too: when a send fails in a way that may have applied
it (no answer, a 5xx, the shop's "busy"), `_write` waits a backoff, asks `landed` and sends again only
if the write did not land — within the same attempt count and time budget as the transport's retries, and never past the console's
action deadline (controlroom.platform.deadline).
A key seen before with an unknown outcome (a caller's retry, a restart) starts with `landed` too —
unless a newer write to the same target (`target=(sku, field)`) has completed since: then the key is
superseded and the call raises `Superseded` without sending or reading anything (ledger.py).
"""
from __future__ import annotations

import json
import logging
import random
import time
from pathlib import Path
from typing import Any, Callable

import requests

from controlroom.clock import Clock, SystemClock
from controlroom.platform import (Capabilities, CommentPage, CouponSpec, CouponState, OfferSpec, OfferState,
                                  PlatformError, ProductState, time_left)

from .config import ShopSettings
from .ledger import FILENAME, Entry, IdempotencyLedger, Superseded
from .readback import ReadBack, fields_differ
from .transport import ShopProtocolError, ShopTransport, answered

log = logging.getLogger(__name__)


class Unsupported(PlatformError):
    """The shop's public API has no such operation. Not retryable; the console does it another way."""


def check_key(op: str, key: Any) -> str:
    if not isinstance(key, str) or not key.strip():
        raise PlatformError(f"{op}: an idempotency key (non-empty text) is required for every write")
    return key


def check_whole(value: Any, what: str, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PlatformError(f"{where}: {what} must be a whole number ≥ {minimum}, got {value!r}")
    return value


class ShopAdapter:
    name = "shop"
    currency = "CNY"
    capabilities = Capabilities()
    settings_class: type[ShopSettings] = ShopSettings   # the adapter's [platform.<kind>] table

    def __init__(self, label: str, settings: ShopSettings, scope: str, *, data_dir: str | Path | None = None,
                 clock: Clock | None = None, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None,
                 session_factory: Callable[[], requests.Session] = requests.Session):
        """`label` names the shop in messages (抖店); `scope` separates shops and apps sharing the data
        directory's ledger (e.g. "douyin:<app_key>:<shop_id>"); `data_dir` None keeps it in memory."""
        self.ledger = IdempotencyLedger(Path(data_dir) / FILENAME if data_dir is not None else None, scope)
        self.readback = ReadBack(label, attempts=settings.readback_attempts, interval=settings.readback_interval,
                                 on_mismatch=settings.on_readback_mismatch, sleep=sleep)
        self.clock = clock or SystemClock()
        self.timing = settings.timing
        self._sleep = sleep
        self.transport = ShopTransport(label, settings.timing, sleep=sleep, rng=rng, session_factory=session_factory)

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> "ShopAdapter":
        return cls(cls.settings_class.from_settings(settings), **kw)

    # ---- plumbing ------------------------------------------------------------------------------
    def _write(self, op: str, key: str, args: Any, send: Callable[[Entry], Any],
               landed: Callable[[Entry], tuple[bool, Any]] | None = None,
               target: tuple[str, str] | None = None) -> Any:
        check_key(op, key)
        entry = self.ledger.claim(key, op, args, target)
        if entry.state == "done":
            return entry.result                       # a replay: the first answer, nothing sent
        if entry.state == "superseded":
            sku, what = json.loads(entry.target)
            raise Superseded(f"{self.name} {op} {sku}: superseded — idempotency key {key!r} was left unanswered "
                             f"and a newer write to the {what} ({entry.result!r}) has landed since; not sent, "
                             f"nothing applied (sending it now would undo the newer write)")
        if entry.state == "pending" and landed is not None and entry.attempts:
            ok, result = landed(entry)
            if ok:
                log.info("%s %s: an earlier attempt with this key had landed; not sent again", self.name, op)
                return self.ledger.done(entry, result)
        t = self.timing
        started = time.monotonic()   # network time is real time, whatever clock the show runs on
        tries = 0
        while True:
            try:
                return self.ledger.done(entry, send(entry))
            except ShopProtocolError as e:
                # the shop answered the write with something unreadable (or a redirect): it may have
                # applied it. Read once; never resend on a garbled answer.
                answered(e, True)
                if landed is not None:
                    try:
                        ok, result = landed(entry)
                    except PlatformError:
                        raise e from None
                    if ok:
                        return self.ledger.done(entry, result)
                raise
            except PlatformError as e:
                if not (e.retryable and e.may_have_applied):
                    raise                              # refused, or throttled (nothing applied; http_retry waited)
                tries += 1                             # it may have landed: never resend blindly
                wait = min(t.backoff_max, t.backoff_base * 2 ** (tries - 1))
                left = time_left()
                if landed is None or tries >= t.max_attempts or time.monotonic() - started + wait > t.retry_budget \
                        or (left is not None and left <= wait):
                    raise
                log.warning("%s %s: %s — reading the shop before sending again (try %d/%d)", self.name, op,
                            e, tries + 1, t.max_attempts)
                self._sleep(wait)
                try:
                    ok, result = landed(entry)
                except PlatformError:
                    raise e from None                 # the shop cannot even be read: report the write's failure
                if ok:
                    return self.ledger.done(entry, result)

    def _set(self, op: str, key: str, sku: str, args: Any, send: Callable[[Entry], Any], **expect: Any) -> Any:
        """A write that sets one field of one SKU (price, stock, listed): it landed when a read shows the
        value, and its target for superseding is (SKU, field) — list and unlist share "listed"."""
        (what,) = expect
        return self._write(op, key, args, send, lambda e: (fields_differ(self.read_product(sku), **expect) is None,
                                                           None), target=(sku, what))

    def _lookup(self, sku: str) -> tuple[Any, Any]:
        """(product id, SKU id) of the console's SKU at the shop, for `_absolute`."""
        raise NotImplementedError

    def _absolute(self, op: str, key: str, sku: str, args: list, wire: Callable[[Any, Any], None],
                  **expect: Any) -> None:
        """`_set` for a shop whose write is one call by (product id, SKU id), read back after."""
        def send(entry: Entry) -> None:
            product_id, sku_id = self._lookup(sku)
            self.ledger.attempt(entry)
            wire(product_id, sku_id)
            self._verify_product(op, sku, **expect)
        self._set(op, key, sku, args, send, **expect)

    def _unsupported(self, op: str, key: str | None, why: str) -> Unsupported:
        if key is not None:
            check_key(op, key)
        return Unsupported(f"{self.name} {op}: {why}")

    def _verify_product(self, op: str, sku: str, **expect: Any) -> ProductState:
        return self.readback.verify(op, f"SKU {sku}", lambda: self.read_product(sku),
                                    lambda p: fields_differ(p, **expect))

    @property
    def last_mismatch(self):
        return self.readback.last_mismatch

    def close(self) -> None:
        self.transport.close()
        self.ledger.close()

    # ---- what most shops' public APIs do not have -----------------------------------------------
    def set_displayed_stock(self, sku: str, shown: int | None, *, idempotency_key: str) -> None:
        if not self.capabilities.displayed_stock:
            raise self._unsupported("set_displayed_stock", idempotency_key,
                                    "the shop's public API has no 仅剩N件 figure apart from real stock; "
                                    "announce it on the cue screen instead")
        raise NotImplementedError

    def pin_product(self, sku: str | None, *, idempotency_key: str) -> None:
        if not self.capabilities.pin:
            raise self._unsupported("pin_product", idempotency_key,
                                    "the shop's public API cannot pin / explain 讲解 a product in the live room; "
                                    "pin it in the live console (直播中控台) by hand")
        raise NotImplementedError

    def issue_coupon(self, spec: CouponSpec, *, idempotency_key: str) -> str:
        if not self.capabilities.coupons:
            raise self._unsupported("issue_coupon", idempotency_key,
                                    "the shop's public API has no coupon creation; issue it in the seller backend")
        raise NotImplementedError

    def stop_coupon(self, coupon_id: str, *, idempotency_key: str) -> None:
        if not self.capabilities.coupons:
            raise self._unsupported("stop_coupon", idempotency_key, "the shop's public API has no coupons")
        raise NotImplementedError

    def read_coupon(self, coupon_id: str) -> CouponState:
        if not self.capabilities.coupons:
            raise self._unsupported("read_coupon", None, "the shop's public API has no coupons")
        raise NotImplementedError

    def comments(self, since: str | None = None, limit: int = 500) -> CommentPage:
        # The public seller APIs (抖店, 微信小店, TikTok Shop, Shopify) have no live-room comment stream
        # (Capabilities.comments = False): the comment room never polls such a shop; a caller that does is refused.
        raise self._unsupported("comments", None, "the shop's public API has no live-room comment stream; "
                                                  "read the comments in the platform's live console")

    # ---- flash offers ------------------------------------------------------------------------------
    # A shop with a flash-sale API (Capabilities.native_offers) overrides start_offer / stop_offer /
    # read_offer. Without one the console runs the offer itself — a timed price change with its own
    # quantity cap and timer, through set_price — and never calls these (controlroom/platform.py), so
    # here they refuse instead of running a second timer nobody owns. The helpers below are for
    # adapters that keep offer records in the ledger (kind OFFER).
    OFFER = "timed_offer"

    def _no_offers(self, op: str, key: str | None) -> Unsupported:
        return self._unsupported(op, key, "the shop's public API has no flash-sale (限时限量购) method; the console "
                                          "runs the offer as a timed price change with its own quantity cap")

    def start_offer(self, spec: OfferSpec, *, idempotency_key: str) -> str:
        raise self._no_offers("start_offer", idempotency_key)

    def stop_offer(self, offer_id: str, *, idempotency_key: str) -> None:
        raise self._no_offers("stop_offer", idempotency_key)

    def read_offer(self, offer_id: str) -> OfferState:
        raise self._no_offers("read_offer", None)

    @staticmethod
    def _check_offer(spec: OfferSpec, where: str) -> None:
        if not isinstance(spec, OfferSpec):
            raise PlatformError(f"{where}: expected an OfferSpec, got {type(spec).__name__}")
        if not isinstance(spec.sku, str) or not spec.sku:
            raise PlatformError(f"{where}: the offer needs a SKU")
        check_whole(spec.price, "price (分)", where, minimum=1)
        if isinstance(spec.duration_s, bool) or not isinstance(spec.duration_s, (int, float)) or not spec.duration_s > 0:
            raise PlatformError(f"{where}: duration_s must be more than 0 s, got {spec.duration_s!r}")
        for f in ("quantity", "per_buyer_limit"):
            v = getattr(spec, f)
            if v is not None:
                check_whole(v, f, where, minimum=1)

    @staticmethod
    def _offer_id(key: str) -> str:
        from .ledger import marker
        return "tp-" + marker(key, 16)

    def _offer_record(self, offer_id: str, op: str) -> dict[str, Any]:
        rec = self.ledger.get(self.OFFER, offer_id) if isinstance(offer_id, str) else None
        if rec is None:
            raise PlatformError(f"{self.name} {op}: unknown offer {offer_id!r} (not started by this console)")
        return rec
