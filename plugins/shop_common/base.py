"""The skeleton every real-shop adapter shares: idempotent writes through the ledger, refusals for
what the shop cannot do (per `capabilities`), and a timed price change standing in for a flash sale
where the shop has no flash-sale API.

An adapter subclasses ShopAdapter and implements the shop's reads and writes; each write goes through
`_write(op, key, args, send, landed)`:

    send(entry)    sends the request (once; see transport.py for what is resent) and returns the result
    landed(entry)  reads the shop and says whether an earlier attempt already took effect — (True, result)

The adapter is the one retry owner for writes too: when a send fails in a way that may have applied
it (no answer, a 5xx, the shop's "busy"), `_write` waits a backoff, asks `landed` and sends again only
if the write did not land — within the same attempt count and time budget as the transport's retries.
A key seen before with an unknown outcome (a caller's retry, a restart) starts with `landed` too.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

from controlroom.clock import Clock
from controlroom.platform import (Capabilities, CouponSpec, CouponState, OfferSpec, OfferState, PlatformError,
                                  PlatformTimeout, PlatformUnavailable, ProductState)

from .ledger import Entry, IdempotencyLedger
from .readback import ReadBack, fields_differ
from .transport import Timing

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

    def __init__(self, *, ledger: IdempotencyLedger, readback: ReadBack, clock: Clock, timing: Timing,
                 sleep: Callable[[float], None] = time.sleep):
        self.ledger = ledger
        self.readback = readback
        self.clock = clock
        self.timing = timing
        self._sleep = sleep

    # ---- plumbing ------------------------------------------------------------------------------
    def _write(self, op: str, key: str, args: Any, send: Callable[[Entry], Any],
               landed: Callable[[Entry], tuple[bool, Any]] | None = None) -> Any:
        check_key(op, key)
        entry = self.ledger.claim(key, op, args)
        if entry.state == "done":
            return entry.result                       # a replay: the first answer, nothing sent
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
            except (PlatformTimeout, PlatformUnavailable) as e:   # may have landed: never resend blindly
                tries += 1
                wait = min(t.backoff_max, t.backoff_base * 2 ** (tries - 1))
                if landed is None or tries >= t.max_attempts or time.monotonic() - started + wait > t.retry_budget:
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

    # ---- flash offers as a timed price change (shops without a flash-sale API) --------------------
    # The shop sells at the offer price until stop_offer puts the product's own price back. The shop
    # enforces neither the quantity nor the per-buyer limit nor the end time: Capabilities says so
    # and the console's offer timer and cap do it (it calls stop_offer). `sold` is the SKU's stock
    # drop since the offer started (all channels: an approximation the console's cap can use).
    OFFER = "timed_offer"

    def _set_price_wire(self, sku: str, fen: int) -> None:  # pragma: no cover - adapters implement it
        raise NotImplementedError

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

    def start_offer(self, spec: OfferSpec, *, idempotency_key: str) -> str:
        op = "start_offer"
        check_key(op, idempotency_key)
        self._check_offer(spec, f"{self.name} {op}")
        args = [spec.sku, spec.price, spec.duration_s, spec.quantity, spec.per_buyer_limit]
        oid = self._offer_id(idempotency_key)

        def record(own_price: int, start_stock: int) -> str:
            self.ledger.put(self.OFFER, oid, dict(sku=spec.sku, price=spec.price, duration_s=spec.duration_s,
                                                  quantity=spec.quantity, per_buyer_limit=spec.per_buyer_limit,
                                                  own_price=own_price, start_stock=start_stock, active=True,
                                                  started=self.clock.utcnow().isoformat()))
            return oid

        def landed(entry: Entry) -> tuple[bool, Any]:
            if "own_price" not in entry.notes:
                return False, None
            if self.read_product(spec.sku).price != spec.price:
                return False, None
            return True, record(entry.notes["own_price"], entry.notes["start_stock"])

        def send(entry: Entry) -> str:
            if "own_price" in entry.notes:       # a retry: the price before the FIRST attempt is the own one
                own, stock = entry.notes["own_price"], entry.notes["start_stock"]
            else:
                before = self.read_product(spec.sku)
                own, stock = before.price, before.stock
            self.ledger.attempt(entry, own_price=own, start_stock=stock)
            self._set_price_wire(spec.sku, spec.price)
            record(own, stock)
            self._verify_product(op, spec.sku, price=spec.price)
            return oid

        return self._write(op, idempotency_key, args, send, landed)

    def stop_offer(self, offer_id: str, *, idempotency_key: str) -> None:
        op = "stop_offer"
        check_key(op, idempotency_key)
        rec = self._offer_record(offer_id, op)

        def landed(entry: Entry) -> tuple[bool, Any]:
            return self.read_product(rec["sku"]).price == rec["own_price"], None

        def send(entry: Entry) -> None:
            current = self.ledger.get(self.OFFER, offer_id) or rec
            if not current.get("active"):
                return None                        # already stopped: stopping twice is not an error
            self.ledger.attempt(entry)
            self._set_price_wire(rec["sku"], rec["own_price"])
            self.ledger.put(self.OFFER, offer_id, dict(current, active=False))
            self._verify_product(op, rec["sku"], price=rec["own_price"])
            return None

        def landed_and_close(entry: Entry) -> tuple[bool, Any]:
            ok, res = landed(entry)
            if ok:
                self.ledger.put(self.OFFER, offer_id, dict(rec, active=False))
            return ok, res

        self._write(op, idempotency_key, [offer_id], send, landed_and_close)

    def read_offer(self, offer_id: str) -> OfferState:
        rec = self._offer_record(offer_id, "read_offer")
        spec = OfferSpec(sku=rec["sku"], price=rec["price"], duration_s=rec["duration_s"],
                         quantity=rec["quantity"], per_buyer_limit=rec["per_buyer_limit"])
        stock = self.read_product(rec["sku"]).stock
        return OfferState(offer_id=offer_id, spec=spec, sold=max(0, rec["start_stock"] - stock),
                          active=bool(rec["active"]))

    def _offer_record(self, offer_id: str, op: str) -> dict[str, Any]:
        rec = self.ledger.get(self.OFFER, offer_id) if isinstance(offer_id, str) else None
        if rec is None:
            raise PlatformError(f"{self.name} {op}: unknown offer {offer_id!r} (not started by this console)")
        return rec
