"""The HTTP adapter's flash offers (quantity and per-buyer limit on the wire) and the action's deadline as the
bound of every attempt, wait and read-back. Real HTTP on 127.0.0.1."""
from __future__ import annotations

import time

import pytest

from controlroom.clock import SystemClock
from controlroom.platform import OfferSpec, Platform, PlatformError, PlatformRateLimited, PlatformTimeout, deadline
from plugins.http_platform import HttpPlatform
from tests.fakes import HttpShop as FakeShop
from tests.plugins.test_http_platform import fast_config


@pytest.fixture
def shop():
    s = FakeShop(unit="yuan")
    yield s
    s.close()


def test_offers_go_out_with_quantity_and_per_buyer_limit(shop):
    p = HttpPlatform(fast_config(shop.url, price_unit="yuan", native_offers=True))
    assert isinstance(p, Platform) and p.capabilities.native_offers and p.capabilities.offer_per_buyer_limit
    oid = p.start_offer(OfferSpec("SKU1", 2490, 180.0, quantity=20, per_buyer_limit=1), idempotency_key="k1")
    body = shop.op_requests("start_offer")[-1].json
    assert body == {"sku": "SKU1", "price": "24.90", "duration_s": 180.0, "quantity": 20, "per_buyer_limit": 1}
    assert shop.op_requests("start_offer")[-1].headers["idempotency-key"] == "k1"
    st = p.read_offer(oid)
    assert (st.spec.price, st.spec.quantity, st.spec.per_buyer_limit, st.active) == (2490, 20, 1, True)
    prod = p.read_product("SKU1")
    assert prod.offer is not None and prod.offer.offer_id == oid and prod.price == 2990
    p.stop_offer(oid, idempotency_key="k2")
    assert not p.read_offer(oid).active and p.read_product("SKU1").offer is None


def test_without_an_offer_api_the_console_runs_a_timed_price(shop):
    p = HttpPlatform(fast_config(shop.url, price_unit="yuan"))
    assert not p.capabilities.native_offers
    with pytest.raises(PlatformError, match="no flash-offer API"):
        p.start_offer(OfferSpec("SKU1", 2490, 60.0), idempotency_key="k")
    assert shop.op_requests("start_offer") == []


def test_retry_after_longer_than_the_deadline_ends_the_call_at_once(shop):
    p = HttpPlatform(fast_config(shop.url, price_unit="yuan", max_attempts=4, retry_budget=120.0))
    shop.fault("set_price", status=429, headers={"Retry-After": "30"}, times=10)
    t0 = time.monotonic()
    with deadline(5.0, SystemClock()):
        with pytest.raises(PlatformRateLimited):
            p.set_price("SKU1", 2490, idempotency_key="k")
    assert time.monotonic() - t0 < 1.0
    assert len(shop.op_requests("set_price")) == 1


def test_a_short_retry_after_is_honoured_inside_the_deadline(shop):
    p = HttpPlatform(fast_config(shop.url, price_unit="yuan", max_attempts=4, retry_budget=120.0))
    shop.fault("set_price", status=429, headers={"Retry-After": "0.2"}, times=1)
    with deadline(5.0, SystemClock()):
        p.set_price("SKU1", 2490, idempotency_key="k")
    assert len(shop.op_requests("set_price")) == 2 and shop.products["SKU1"]["price"] == 2490


def test_a_slow_answer_is_cut_at_the_deadline(shop):
    p = HttpPlatform(fast_config(shop.url, price_unit="yuan", read_timeout=5.0, max_attempts=3,
                                 retry_budget=60.0))
    shop.fault("set_price", delay=3.0, times=5)
    t0 = time.monotonic()
    with deadline(0.6, SystemClock()):
        with pytest.raises((PlatformTimeout, PlatformError)):
            p.set_price("SKU1", 2490, idempotency_key="k")
    assert time.monotonic() - t0 < 1.5


def test_no_time_left_sends_nothing(shop):
    p = HttpPlatform(fast_config(shop.url, price_unit="yuan"))
    clock = SystemClock()
    with deadline(0.0, clock):
        with pytest.raises(PlatformTimeout, match="not sent"):
            p.set_price("SKU1", 2490, idempotency_key="k")
    assert shop.op_requests("set_price") == []
