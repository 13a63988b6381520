"""The simulated shop's native flash offers, a rehearsal's buyers and its per-SKU faults on the shop's clock."""
from __future__ import annotations

import pytest

from controlroom.clock import ManualClock
from controlroom.paths import SAMPLE_SHOW
from controlroom.platform import (CouponSpec, OfferSpec, Platform, PlatformError, PlatformRateLimited,
                                  PlatformTimeout, PlatformUnavailable, deadline)
from plugins.simulator import SimulatedShop


def shop(audience: bool = False) -> SimulatedShop:
    s = SimulatedShop.from_show(SAMPLE_SHOW, clock=ManualClock(), seed=7)
    s.audience = audience
    s.list_product("LIP-001", idempotency_key="l1")
    return s


def test_capabilities_and_the_port():
    s = shop()
    assert isinstance(s, Platform)
    assert s.capabilities.native_offers and s.capabilities.offer_quantity_cap and s.capabilities.offer_per_buyer_limit


def test_an_offer_caps_its_quantity_and_each_buyer_and_ends_when_sold_out():
    s = shop()
    oid = s.start_offer(OfferSpec("LIP-001", 5900, 120, quantity=3, per_buyer_limit=1), idempotency_key="o1")
    p = s.read_product("LIP-001")
    assert p.price == 6900 and p.offer is not None and p.offer.spec.price == 5900 and p.offer.active
    r = s.place_order("LIP-001", 2, buyer="a")
    assert r.filled == {5900: 1, 6900: 1} and r.paid == 12800       # one at the flash price: the buyer's limit
    assert s.place_order("LIP-001", 1, buyer="a").filled == {6900: 1}
    assert s.place_order("LIP-001", 1, buyer="b").filled == {5900: 1}
    assert s.place_order("LIP-001", 1, buyer="c").filled == {5900: 1}
    st = s.read_offer(oid)
    assert st.sold == 3 and not st.active, "sold out: the offer has ended"
    assert s.place_order("LIP-001", 1, buyer="d").filled == {6900: 1}
    assert s.read_product("LIP-001").offer is None
    m = s.metrics().skus["LIP-001"]
    assert (m.orders, m.units, m.gmv) == (5, 6, 6900 * 3 + 5900 * 3)


def test_an_offer_ends_at_its_time_and_stops_idempotently():
    s = shop()
    oid = s.start_offer(OfferSpec("LIP-001", 5900, 10), idempotency_key="o1")
    s.clock.advance(9.5)
    assert s.read_offer(oid).active
    s.clock.advance(0.6)
    assert not s.read_offer(oid).active
    s.stop_offer(oid, idempotency_key="s1")
    s.stop_offer(oid, idempotency_key="s1")
    assert s.read_offer(oid).sold == 0


def test_offer_requests_are_checked():
    s = shop()
    for bad in (OfferSpec("LIP-001", 0, 10), OfferSpec("LIP-001", 5900, 0), OfferSpec("LIP-001", 5900, 10, 0),
                OfferSpec("NOPE", 5900, 10), OfferSpec("LIP-001", 5900, float("nan"))):
        with pytest.raises(PlatformError):
            s.start_offer(bad, idempotency_key=f"bad-{bad}")
    with pytest.raises(PlatformError, match="unknown offer"):
        s.read_offer("OFR-9999")


def test_the_audience_buys_the_offer_within_its_quantity():
    s = SimulatedShop.from_show(SAMPLE_SHOW, clock=ManualClock(), seed=7)
    for sku in s.skus:
        s.list_product(sku, idempotency_key=f"l-{sku}")
    s.run_for(900)
    before = s.metrics().skus["SER-002"]
    oid = s.start_offer(OfferSpec("SER-002", 17900, 600, quantity=40, per_buyer_limit=1), idempotency_key="o")
    s.run_for(600)
    after = s.metrics().skus["SER-002"]
    st = s.read_offer(oid)
    assert st.sold == 40 and not st.active
    units, gmv = after.units - before.units, after.gmv - before.gmv
    assert units > 40 and gmv >= 40 * 17900 + (units - 40) * 19900 - 200000   # coupons aside, 40 at the flash price


def test_no_audience_no_orders():
    s = shop(audience=False)
    s.run_for(600)
    m = s.metrics()
    assert m.online == 0 and m.orders == 0


def test_buyers_use_every_live_coupon_and_respect_stock_and_limits():
    s = shop()
    s.issue_coupon(CouponSpec("LIP-001", 10000, 1000, 5), idempotency_key="c1")
    s.issue_coupon(CouponSpec(None, 5000, 500, None), idempotency_key="c2")
    r = s.place_order("LIP-001", 2, buyer="a")
    assert r.filled == {6900: 2} and r.paid == 13800 - 1500
    assert s.place_order("LIP-001", 10, buyer="a").filled == {6900: 3}, "the product's per-buyer limit is 5"
    assert s.place_order("LIP-001", 1, buyer="a").rejected
    s.unlist_product("LIP-001", idempotency_key="u")
    assert s.place_order("LIP-001", 1, buyer="z").rejected == "not listed"


# ---- faults of a rehearsal's kinds ------------------------------------------------------------------------
def test_hang_times_out_at_the_callers_deadline_and_applies_nothing():
    s = shop()
    s.inject_fault("hang", "LIP-001", 30)
    t0 = s.clock.monotonic()
    with deadline(4.0, s.clock):
        with pytest.raises(PlatformTimeout):
            s.set_price("LIP-001", 6500, idempotency_key="p1")
    assert s.clock.monotonic() - t0 == pytest.approx(4.0)
    assert s.true_product("LIP-001").price == 6900
    s.set_price("SER-002", 18900, idempotency_key="p2")          # another SKU answers at once
    s.clock.advance(30)
    s.set_price("LIP-001", 6500, idempotency_key="p3")
    assert s.read_product("LIP-001").price == 6500


def test_apply_then_error_and_error():
    s = shop()
    s.inject_fault("apply_then_error", "LIP-001", 10)
    with pytest.raises(PlatformUnavailable):
        s.set_price("LIP-001", 6500, idempotency_key="p1")
    with pytest.raises(PlatformUnavailable):
        s.set_price("LIP-001", 6500, idempotency_key="p1")      # the replay answers the same
    assert s.read_product("LIP-001").price == 6500
    s.clock.advance(10)
    s.set_price("LIP-001", 6500, idempotency_key="p1")          # after the fault: the first answer
    s.inject_fault("error", "LIP-001", 10)
    with pytest.raises(PlatformUnavailable):
        s.set_price("LIP-001", 6000, idempotency_key="p2")
    assert s.read_product("LIP-001").price == 6500, "reads answer; nothing applied"


def test_rate_limit_says_how_long_and_the_shop_retries_within_a_deadline():
    s = shop()
    s.inject_fault("rate_limit", None, 3)
    with pytest.raises(PlatformRateLimited) as e:
        s.read_product("SER-002")
    assert e.value.retry_after == pytest.approx(3.0)
    with deadline(2.0, s.clock):
        with pytest.raises(PlatformRateLimited):
            s.set_price("LIP-001", 6500, idempotency_key="p1")   # Retry-After 3 s > 2 s left: no wait at all
    assert s.clock.monotonic() == pytest.approx(1000.0)
    with deadline(5.0, s.clock):
        s.set_price("LIP-001", 6500, idempotency_key="p1")       # 3 s left of the fault < 5 s: waits, then goes
    assert s.read_product("LIP-001").price == 6500


def test_lie_reports_ten_times_the_price_and_sells_at_the_truth():
    s = shop()
    s.inject_fault("lie", "LIP-001", 5)
    assert s.read_product("LIP-001").price == 69000 and s.true_product("LIP-001").price == 6900
    assert s.place_order("LIP-001", 1, buyer="a").filled == {6900: 1}
    s.clock.advance(5)
    assert s.read_product("LIP-001").price == 6900


def test_fault_windows_are_checked():
    s = shop()
    with pytest.raises(ValueError):
        s.inject_fault("meteor", None, 3)
    with pytest.raises(ValueError):
        s.inject_fault("hang", None, float("nan"))
    with pytest.raises(PlatformError):
        s.inject_fault("hang", "NOPE", 3)
