"""The `Platform` port contract: what every shop adapter must do, whatever shop is behind it.

One suite, run against the built-in simulator, the generic HTTP adapter and every real-shop adapter
against its conformance fake. A new adapter joins with one fixture:

    from tests.plugins.contract import PlatformContract, ShopHarness

    class TestMyShopContract(PlatformContract):
        @pytest.fixture
        def harness(self):
            h = MyShopHarness(...)          # a ShopHarness: the adapter + a way to make its shop misbehave
            yield h
            h.close()

What the suite holds every adapter to (money is integer 分 at the port, whatever the wire unit):
  - every write is visible in a read-back: list/unlist, price, stock; displayed stock, pin, coupons and
    flash offers where `capabilities` says the shop has them (and a refusal, not a silent no-op, where not:
    without native offers the console runs a timed price change itself and the adapter refuses offers);
  - idempotency: the same key never applies twice (not even after a later write: a late retry must
    not undo it); the same key for a different request is refused; a write without a key is refused;
  - failures map onto the port: no answer -> PlatformTimeout, overload/5xx/no connection ->
    PlatformUnavailable, throttling -> PlatformRateLimited with a positive retry_after (all retryable);
    a refusal (unknown SKU, a business error) -> PlatformError with retryable False;
  - a write converges to exactly one application, also when the shop applied it and then failed to
    answer: the adapter reads the shop before sending again (it is the one retry owner), and a later
    call with the same key (a retry, a restart) applies nothing more;
  - a read-back that lies is shown as it is (never papered over with what was commanded);
  - secrets (tokens, app secrets) appear in no exception text and no log record.

A `ShopHarness` names fault kinds by the port operation they hit (e.g. "set_price"); how a fault is
made (a 503, a held answer, the shop's own throttling error code) is the harness's business.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from controlroom.platform import (Capabilities, Comment, CommentPage, CouponSpec, MetricsSnapshot, OfferSpec,
                                  OfferState, Platform, PlatformError, PlatformRateLimited, PlatformTimeout,
                                  PlatformUnavailable, ProductState)

# Fault kinds a harness can inject on the next `times` calls of one port operation.
TIMEOUT = "timeout"                  # no answer in time (the shop hung; whether it applied is its business)
UNAVAILABLE = "unavailable"          # 5xx / "system busy" / connection lost, before applying
RATE_LIMITED = "rate_limited"        # the shop's throttling answer
REFUSED = "refused"                  # a business refusal the shop will repeat (never retry)
APPLY_THEN_ERROR = "apply_then_error"  # the write is applied, then the answer is an error or lost
FAULT_KINDS = (TIMEOUT, UNAVAILABLE, RATE_LIMITED, REFUSED, APPLY_THEN_ERROR)
MANY = 50                            # "every call from now on", for a fault the adapter must give up on


@dataclass
class ShopHarness:
    """An adapter under test and its shop. Subclass and implement the methods that raise."""

    platform: Platform
    sku: str                          # a known product with stock > 0, priced above 40 元 (so a 30 % offer
                                      # passes every shop's flash-sale rules)
    other_sku: str                    # a second known product
    unknown_sku: str = "NO-SUCH-SKU-404"
    secrets: tuple[str, ...] = ()     # values that must never appear in errors or logs
    # fault kinds the shop cannot produce, with the reason (a real-shop fake must produce them all)
    unsupported: dict[str, str] = field(default_factory=dict)

    def secret_values(self) -> tuple[str, ...]:
        """Everything that must stay out of errors and logs, now (an adapter's tokens change as it runs)."""
        return tuple(self.secrets)

    def writes_applied(self) -> int:
        """How many writes took effect at the shop so far (a replay answered from memory is not one)."""
        raise NotImplementedError

    def fail(self, op: str, kind: str, times: int = 1) -> None:
        """Make the next `times` calls of port operation `op` fail with `kind` (one of FAULT_KINDS)."""
        raise NotImplementedError

    def clear_faults(self) -> None:
        raise NotImplementedError

    def lie_price(self, sku: str, fen: int) -> None:
        """From now on the shop's reads report `fen` as the price of `sku`, whatever was written."""
        raise NotImplementedError

    def wait(self, seconds: float) -> None:
        """Let `seconds` pass on the shop's clock (real time for a real server)."""
        time.sleep(seconds)

    def close(self) -> None:
        pass


# ---- helpers ----------------------------------------------------------------------------------------
def caller_retry(h: ShopHarness, fn: Callable[[], Any], attempts: int = 6) -> Any:
    """What the console does: on a retryable error, the same call with the same key again (after the
    shop's Retry-After when it is throttled)."""
    for i in range(attempts):
        try:
            return fn()
        except PlatformError as e:
            if not e.retryable or i == attempts - 1:
                raise
            if isinstance(e, PlatformRateLimited):
                h.wait(min(e.retry_after, 2.0))


def capabilities(h: ShopHarness) -> Capabilities:
    caps = getattr(h.platform, "capabilities", None)   # the port requires it: its absence is the finding
    assert isinstance(caps, Capabilities), f"{type(h.platform).__name__}.capabilities is {caps!r} (Platform port)"
    return caps


def need_offers(h: ShopHarness) -> None:
    missing = [m for m in ("start_offer", "stop_offer", "read_offer") if not callable(getattr(h.platform, m, None))]
    if missing:
        pytest.fail(f"{type(h.platform).__name__} lacks {', '.join(missing)} (Platform port)")


def need_fault(h: ShopHarness, kind: str) -> None:
    if kind in h.unsupported:
        pytest.skip(f"{kind}: {h.unsupported[kind]}")


def a_new_price(p: ProductState) -> int:
    """A different, plausible live price: below the current one and never above the list price."""
    base = min(p.price, p.list_price)
    return base - 100 if base > 200 else base - 1 if base > 1 else base + 1


def refused(exc: BaseException) -> bool:
    return isinstance(exc, PlatformError) and not exc.retryable and not isinstance(
        exc, (PlatformTimeout, PlatformUnavailable, PlatformRateLimited))


# ---- the contract -----------------------------------------------------------------------------------
class PlatformContract:
    """Mixin of contract tests; the subclass provides the `harness` fixture (a ShopHarness)."""

    @pytest.fixture
    def harness(self) -> ShopHarness:  # pragma: no cover - always overridden
        raise NotImplementedError("a PlatformContract subclass must provide a `harness` fixture")

    # -- the port's shape
    def test_is_a_platform(self, harness):
        p = harness.platform
        assert isinstance(p, Platform)
        assert isinstance(p.name, str) and p.name
        assert isinstance(p.currency, str) and len(p.currency) == 3 and p.currency.isupper()
        capabilities(harness)

    def test_reads_are_in_fen(self, harness):
        p = harness.platform.read_product(harness.sku)
        assert p.sku == harness.sku
        for f in ("list_price", "price", "stock"):
            v = getattr(p, f)
            assert isinstance(v, int) and not isinstance(v, bool) and v >= 0, (f, v)
        assert p.stock > 0 and p.list_price > 1
        assert isinstance(p.listed, bool) and isinstance(p.pinned, bool)
        listed = {q.sku: q for q in harness.platform.read_products()}
        assert {harness.sku, harness.other_sku} <= set(listed)
        assert listed[harness.sku] == p

    def test_unknown_sku_is_a_refusal(self, harness):
        with pytest.raises(PlatformError) as e:
            harness.platform.read_product(harness.unknown_sku)
        assert refused(e.value), e.value
        with pytest.raises(PlatformError) as e:
            harness.platform.set_price(harness.unknown_sku, 1990, idempotency_key="unknown-sku-price")
        assert refused(e.value), e.value

    def test_metrics_is_a_snapshot(self, harness):
        assert isinstance(harness.platform.metrics(), MetricsSnapshot)

    def test_comments_where_the_shop_has_them(self, harness):
        """Capabilities.comments: a cursor poll of CommentPage (nothing twice); without them, a refusal."""
        p = harness.platform
        if not capabilities(harness).comments:
            with pytest.raises(PlatformError) as e:
                p.comments(None, 10)
            assert refused(e.value), e.value
            return
        first = p.comments(None, 50)
        assert isinstance(first, CommentPage) and isinstance(first.cursor, str)
        assert all(isinstance(c, Comment) and isinstance(c.text, str) and c.comment_id and c.user
                   for c in first.comments)
        again = p.comments(first.cursor, 50)
        assert not {c.comment_id for c in first.comments} & {c.comment_id for c in again.comments}

    # -- every write read back
    def test_list_and_unlist_read_back(self, harness):
        pf, sku = harness.platform, harness.sku
        pf.list_product(sku, idempotency_key="c-list-1")
        assert pf.read_product(sku).listed is True
        pf.unlist_product(sku, idempotency_key="c-unlist-1")
        assert pf.read_product(sku).listed is False
        pf.list_product(sku, idempotency_key="c-list-2")
        assert pf.read_product(sku).listed is True

    def test_set_price_read_back(self, harness):
        pf, sku = harness.platform, harness.sku
        before = pf.read_product(sku)
        new = a_new_price(before)
        pf.set_price(sku, new, idempotency_key="c-price-1")
        after = pf.read_product(sku)
        assert after.price == new
        assert after.list_price == before.list_price          # the strikethrough price is not touched

    def test_set_price_leaves_other_skus_alone(self, harness):
        pf = harness.platform
        other = pf.read_product(harness.other_sku)
        pf.set_price(harness.sku, a_new_price(pf.read_product(harness.sku)), idempotency_key="c-price-other")
        assert pf.read_product(harness.other_sku).price == other.price

    def test_set_stock_read_back(self, harness):
        pf, sku = harness.platform, harness.sku
        stock = pf.read_product(sku).stock
        new = stock + 7 if stock < 10_000 else stock - 7
        pf.set_stock(sku, new, idempotency_key="c-stock-1")
        assert pf.read_product(sku).stock == new

    def test_displayed_stock_where_the_shop_has_it(self, harness):
        pf, sku = harness.platform, harness.sku
        if not capabilities(harness).displayed_stock:
            with pytest.raises(PlatformError) as e:
                pf.set_displayed_stock(sku, 5, idempotency_key="c-shown-1")
            assert refused(e.value)
            return
        pf.set_displayed_stock(sku, 5, idempotency_key="c-shown-1")
        assert pf.read_product(sku).displayed_stock == 5
        pf.set_displayed_stock(sku, None, idempotency_key="c-shown-2")
        assert pf.read_product(sku).displayed_stock is None

    def test_pin_where_the_shop_has_it(self, harness):
        pf, sku = harness.platform, harness.sku
        pf.list_product(sku, idempotency_key="c-pin-list")
        if not capabilities(harness).pin:
            with pytest.raises(PlatformError) as e:
                pf.pin_product(sku, idempotency_key="c-pin-1")
            assert refused(e.value)
            return
        pf.pin_product(sku, idempotency_key="c-pin-1")
        assert pf.read_product(sku).pinned is True
        pf.pin_product(None, idempotency_key="c-pin-2")
        assert not any(p.pinned for p in pf.read_products())

    def _coupon_spec(self, harness) -> CouponSpec:
        p = harness.platform.read_product(harness.sku)
        return CouponSpec(sku=harness.sku, threshold=max(2 * p.price, 1000), amount=100, total_qty=100,
                          per_buyer_limit=1, name="contract coupon")

    def test_coupon_where_the_shop_has_it(self, harness):
        pf = harness.platform
        spec = self._coupon_spec(harness)
        before = harness.writes_applied()
        if not capabilities(harness).coupons:
            with pytest.raises(PlatformError) as e:
                pf.issue_coupon(spec, idempotency_key="c-cpn-1")
            assert refused(e.value)
            assert harness.writes_applied() == before
            return
        cid = pf.issue_coupon(spec, idempotency_key="c-cpn-1")
        assert isinstance(cid, str) and cid
        c = pf.read_coupon(cid)
        assert c.coupon_id == cid and c.active
        assert (c.spec.sku, c.spec.threshold, c.spec.amount, c.spec.total_qty) == \
            (spec.sku, spec.threshold, spec.amount, spec.total_qty)
        assert pf.issue_coupon(spec, idempotency_key="c-cpn-1") == cid      # a replay: the same coupon
        pf.stop_coupon(cid, idempotency_key="c-cpn-stop")
        assert pf.read_coupon(cid).active is False
        with pytest.raises(PlatformError) as e:
            pf.read_coupon("NO-SUCH-COUPON-404")
        assert refused(e.value)

    # -- flash offers
    def _offer_spec(self, harness) -> OfferSpec:
        p = harness.platform.read_product(harness.sku)
        # 30 % off: inside what shops allow for a flash sale (微信小店: 1–8.5折 and at least 10 元 off)
        return OfferSpec(sku=harness.sku, price=p.price * 7 // 10, duration_s=600.0, quantity=50, per_buyer_limit=2)

    def test_offer_start_read_stop(self, harness):
        need_offers(harness)
        pf = harness.platform
        if not capabilities(harness).native_offers:
            # the console runs the offer itself (a timed price change with its own cap): the adapter
            # refuses rather than run a second, unowned timer
            n = harness.writes_applied()
            with pytest.raises(PlatformError) as e:
                pf.start_offer(self._offer_spec(harness), idempotency_key="c-offer-1")
            assert refused(e.value), e.value
            assert harness.writes_applied() == n
            return
        list_price = pf.read_product(harness.sku).list_price
        spec = self._offer_spec(harness)
        pf.list_product(harness.sku, idempotency_key="c-offer-list")
        own_price = pf.read_product(harness.sku).price
        oid = pf.start_offer(spec, idempotency_key="c-offer-1")
        assert isinstance(oid, str) and oid
        st = pf.read_offer(oid)
        assert isinstance(st, OfferState) and st.offer_id == oid and st.active is True
        assert (st.spec.sku, st.spec.price) == (spec.sku, spec.price)
        assert st.sold >= 0
        during = pf.read_product(harness.sku).offer       # None allowed: "the platform cannot tell"
        assert during is None or (during.offer_id == oid and during.active and during.spec.price == spec.price)
        pf.stop_offer(oid, idempotency_key="c-offer-stop")
        assert pf.read_offer(oid).active is False
        gone = pf.read_product(harness.sku).offer
        assert gone is None or not gone.active
        after = pf.read_product(harness.sku)
        assert after.price == own_price and after.list_price == list_price   # the own price applies again

    def test_offer_replay_is_the_same_offer(self, harness):
        need_offers(harness)
        if not capabilities(harness).native_offers:
            pytest.skip("no flash-sale API: the console runs offers (refusal covered by test_offer_start_read_stop)")
        pf = harness.platform
        pf.list_product(harness.sku, idempotency_key="c-offer-list")
        spec = self._offer_spec(harness)
        oid = pf.start_offer(spec, idempotency_key="c-offer-r")
        n = harness.writes_applied()
        assert pf.start_offer(spec, idempotency_key="c-offer-r") == oid
        assert harness.writes_applied() == n
        pf.stop_offer(oid, idempotency_key="c-offer-r-stop")
        pf.stop_offer(oid, idempotency_key="c-offer-r-stop")
        assert pf.read_offer(oid).active is False

    def test_unknown_offer_is_a_refusal(self, harness):
        need_offers(harness)
        with pytest.raises(PlatformError) as e:
            harness.platform.read_offer("NO-SUCH-OFFER-404")
        assert refused(e.value)

    # -- idempotency
    def test_the_same_key_applies_once(self, harness):
        pf, sku = harness.platform, harness.sku
        p = pf.read_product(sku)
        first = a_new_price(p)
        n = harness.writes_applied()
        pf.set_price(sku, first, idempotency_key="c-idem-1")
        pf.set_price(sku, first, idempotency_key="c-idem-1")
        assert harness.writes_applied() == n + 1
        second = a_new_price(pf.read_product(sku))
        pf.set_price(sku, second, idempotency_key="c-idem-2")
        pf.set_price(sku, first, idempotency_key="c-idem-1")   # a late retry must not undo c-idem-2
        assert pf.read_product(sku).price == second
        assert harness.writes_applied() == n + 2

    def test_a_key_reused_for_another_request_is_refused(self, harness):
        pf, sku = harness.platform, harness.sku
        p = pf.read_product(sku)
        pf.set_price(sku, a_new_price(p), idempotency_key="c-reuse")
        n = harness.writes_applied()
        with pytest.raises(PlatformError) as e:
            pf.set_price(sku, a_new_price(p) - 1, idempotency_key="c-reuse")
        assert refused(e.value)
        assert harness.writes_applied() == n
        assert pf.read_product(sku).price == a_new_price(p)

    def test_a_write_without_a_key_is_refused(self, harness):
        pf, sku = harness.platform, harness.sku
        n = harness.writes_applied()
        for key in ("", "   "):
            with pytest.raises(PlatformError) as e:
                pf.set_price(sku, a_new_price(pf.read_product(sku)), idempotency_key=key)
            assert refused(e.value)
        assert harness.writes_applied() == n

    # -- failures onto the port
    def test_unavailable_is_retryable_and_applies_nothing(self, harness):
        need_fault(harness, UNAVAILABLE)
        pf, sku = harness.platform, harness.sku
        before = pf.read_product(sku)
        n = harness.writes_applied()
        harness.fail("set_price", UNAVAILABLE, times=MANY)
        with pytest.raises(PlatformUnavailable) as e:
            pf.set_price(sku, a_new_price(before), idempotency_key="c-5xx")
        assert e.value.retryable
        harness.clear_faults()
        assert harness.writes_applied() == n
        assert pf.read_product(sku).price == before.price

    def test_a_read_that_cannot_be_served_is_unavailable(self, harness):
        need_fault(harness, UNAVAILABLE)
        harness.fail("read_product", UNAVAILABLE, times=MANY)
        with pytest.raises(PlatformUnavailable) as e:
            harness.platform.read_product(harness.sku)
        assert e.value.retryable

    def test_throttling_is_rate_limited_with_a_wait(self, harness):
        need_fault(harness, RATE_LIMITED)
        pf, sku = harness.platform, harness.sku
        before = pf.read_product(sku)
        harness.fail("set_price", RATE_LIMITED, times=MANY)
        with pytest.raises(PlatformRateLimited) as e:
            pf.set_price(sku, a_new_price(before), idempotency_key="c-429")
        assert e.value.retryable and e.value.retry_after > 0
        harness.clear_faults()
        assert pf.read_product(sku).price == before.price

    def test_no_answer_is_a_timeout_and_the_retry_applies_once(self, harness):
        need_fault(harness, TIMEOUT)
        pf, sku = harness.platform, harness.sku
        new = a_new_price(pf.read_product(sku))
        n = harness.writes_applied()
        harness.fail("set_price", TIMEOUT, times=MANY)
        with pytest.raises(PlatformTimeout) as e:
            pf.set_price(sku, new, idempotency_key="c-timeout")
        assert e.value.retryable
        harness.clear_faults()
        caller_retry(harness, lambda: pf.set_price(sku, new, idempotency_key="c-timeout"))
        assert pf.read_product(sku).price == new
        assert harness.writes_applied() == n + 1

    def test_a_refusal_is_not_retryable_and_applies_nothing(self, harness):
        need_fault(harness, REFUSED)
        pf, sku = harness.platform, harness.sku
        before = pf.read_product(sku)
        n = harness.writes_applied()
        harness.fail("set_price", REFUSED, times=1)
        with pytest.raises(PlatformError) as e:
            pf.set_price(sku, a_new_price(before), idempotency_key="c-refused")
        assert refused(e.value), e.value
        assert harness.writes_applied() == n
        assert pf.read_product(sku).price == before.price

    @pytest.mark.parametrize("kind", [UNAVAILABLE, RATE_LIMITED, TIMEOUT])
    def test_one_transient_failure_then_the_write_lands_once(self, harness, kind):
        need_fault(harness, kind)
        pf, sku = harness.platform, harness.sku
        new = a_new_price(pf.read_product(sku))
        n = harness.writes_applied()
        harness.fail("set_price", kind, times=1)
        caller_retry(harness, lambda: pf.set_price(sku, new, idempotency_key=f"c-once-{kind}"))
        assert pf.read_product(sku).price == new
        assert harness.writes_applied() == n + 1

    def test_apply_then_error_converges_to_one_application(self, harness):
        need_fault(harness, APPLY_THEN_ERROR)
        pf, sku = harness.platform, harness.sku
        new = a_new_price(pf.read_product(sku))
        n = harness.writes_applied()
        harness.fail("set_price", APPLY_THEN_ERROR, times=1)
        caller_retry(harness, lambda: pf.set_price(sku, new, idempotency_key="c-ate-price"))
        assert pf.read_product(sku).price == new
        assert harness.writes_applied() == n + 1

    def test_apply_then_error_on_a_coupon_makes_one_coupon(self, harness):
        need_fault(harness, APPLY_THEN_ERROR)
        if not capabilities(harness).coupons:
            pytest.skip("the shop has no coupon API")
        pf = harness.platform
        spec = self._coupon_spec(harness)
        n = harness.writes_applied()
        harness.fail("issue_coupon", APPLY_THEN_ERROR, times=1)
        cid = caller_retry(harness, lambda: pf.issue_coupon(spec, idempotency_key="c-ate-cpn"))
        assert pf.read_coupon(cid).active
        assert harness.writes_applied() == n + 1
        assert pf.issue_coupon(spec, idempotency_key="c-ate-cpn") == cid

    def test_a_lying_read_back_is_shown_as_it_is(self, harness):
        pf, sku = harness.platform, harness.sku
        new = a_new_price(pf.read_product(sku))
        lie = new * 10 + 10          # a shifted decimal point, the classic mis-price
        harness.lie_price(sku, lie)
        try:
            pf.set_price(sku, new, idempotency_key="c-lie")
        except PlatformError as e:   # an adapter may refuse to call the write done; never retry it blindly
            assert refused(e), e
        assert pf.read_product(sku).price == lie
        assert {p.sku: p for p in pf.read_products()}[sku].price == lie

    # -- secrets
    def test_secrets_stay_out_of_errors_and_logs(self, harness, caplog):
        if not harness.secret_values():
            pytest.skip("this adapter holds no secret")
        caplog.set_level(logging.DEBUG)
        pf, sku = harness.platform, harness.sku
        texts: list[str] = []
        for kind in (UNAVAILABLE, RATE_LIMITED, REFUSED, TIMEOUT):
            if kind in harness.unsupported:
                continue
            harness.fail("set_price", kind, times=MANY)
            try:
                pf.set_price(sku, a_new_price(pf.read_product(sku)), idempotency_key=f"c-secret-{kind}")
            except PlatformError as e:
                texts += [str(e), repr(e), *map(str, e.args)]
                cause = e.__cause__ or e.__context__
                if cause is not None:
                    texts.append(str(cause))
            harness.clear_faults()
        try:
            pf.read_product(harness.unknown_sku)
        except PlatformError as e:
            texts += [str(e), repr(e)]
        texts += [r.getMessage() for r in caplog.records]
        texts.append(repr(pf))
        for secret in harness.secret_values():
            leaks = [t for t in texts if secret in t]
            assert not leaks, f"a secret leaked into: {leaks[0][:200]!r}"
