"""The generic JSON gateway (plugins/http_platform) against a misbehaving shop: real HTTP on 127.0.0.1, a
well-behaved fake (tests/fakes.HttpShop) behind a proxy that answers badly (tests/plugins/misbehaving.py).

What a professional tool owes the operator here: every call ends within the action's deadline whatever the
shop does with its bytes; a body is never read whole past a bound; an answer lost after a write was sent
is "may have applied" (read back), never a definite refusal; nothing is sent anywhere but the configured
host; no parser crash escapes as anything but the port's errors."""
from __future__ import annotations

import threading
import tracemalloc

import pytest

from controlroom.clock import SystemClock
from controlroom.platform import PlatformError, PlatformTimeout, deadline
from plugins.http_platform import HttpPlatform
from tests.fakes import HttpShop, LocalServer, Reply
from tests.plugins.misbehaving import MisbehavingShop, elapsed
from tests.plugins.test_http_platform import fast_config

TOKEN = "tok-redshop-5f3a9c"


@pytest.fixture
def shop():
    s = HttpShop(token=TOKEN, products=[dict(sku="SKU1", title="保温杯", list_price=5990, price=2990, stock=100),
                                        dict(sku="SKU2", title="雨伞", list_price=3990, price=1990, stock=100)])
    yield s
    s.close()


@pytest.fixture
def bad(shop):
    p = MisbehavingShop(shop.url)
    yield p
    p.close()


@pytest.fixture
def platform(bad, monkeypatch):
    monkeypatch.setenv("REDSHOP_TOKEN", TOKEN)
    p = HttpPlatform(fast_config(bad.url, auth_required=True, auth_env="REDSHOP_TOKEN", auth_secret="redshop-test",
                                 auth_scheme="Bearer"))
    yield p
    p.close()


def test_a_body_sent_one_byte_at_a_time_ends_within_the_actions_deadline(bad, platform):
    bad.on("GET /products/SKU1", "slow", pace=0.2)
    with deadline(1.0, SystemClock()):
        took, r = elapsed(platform.read_product, "SKU1")
    assert isinstance(r, PlatformTimeout), r
    assert took < 1.6, f"a 1 s deadline held the call {took:.1f} s"


def test_a_slow_body_outside_any_deadline_is_bounded_by_the_read_timeout(bad, platform):
    bad.on("GET /products/SKU1", "slow", pace=0.2)
    took, r = elapsed(platform.read_product, "SKU1")        # read_timeout 0.3 s, 3 attempts
    assert isinstance(r, PlatformTimeout), r
    assert took < 4.0, f"a trickling body held a read {took:.1f} s (the body would take 30 s)"


def test_a_50_mb_body_is_not_read_whole(bad, platform):
    bad.on("GET /products/SKU1", "big")
    tracemalloc.start()
    try:
        took, r = elapsed(platform.read_product, "SKU1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(r, PlatformError) and not isinstance(r, PlatformTimeout), r
    assert "too large" in str(r)
    assert peak < 20_000_000, f"{peak / 1e6:.0f} MB held for one answer"


def test_a_write_answered_with_a_50_mb_body_may_have_applied(shop, bad, platform):
    bad.on("PUT /products/SKU1/price", "big")
    with pytest.raises(PlatformError) as e:
        platform.set_price("SKU1", 2490, idempotency_key="k-big")
    assert e.value.may_have_applied, "the shop took the write (HTTP 200): the console must read it back"
    assert shop.products["SKU1"]["price"] == 2490


def test_an_answer_cut_mid_body_after_a_write_is_not_a_refusal(shop, bad, platform):
    bad.on("PUT /products/SKU1/price", "cut", times=1)
    platform.set_price("SKU1", 2490, idempotency_key="k-cut")   # resent with the same key: the shop replays
    assert shop.products["SKU1"]["price"] == 2490
    assert shop.applied == [("set_price", "k-cut")]


def test_an_answer_cut_mid_body_every_time_may_have_applied(shop, bad, platform):
    bad.on("PUT /products/SKU1/price", "cut")
    with pytest.raises(PlatformError) as e:
        platform.set_price("SKU1", 2490, idempotency_key="k-cut2")
    assert e.value.may_have_applied, f"{type(e.value).__name__}: {e.value}"
    assert shop.products["SKU1"]["price"] == 2490


@pytest.mark.parametrize("where", ["another port", "another host name"])
def test_a_redirect_elsewhere_is_not_followed_and_carries_no_secret(shop, bad, platform, where):
    other = LocalServer(lambda req: Reply(200, {"sku": "SKU1", "title": "", "list_price": 1, "price": 1,
                                                "stock": 1, "listed": True}))
    try:
        host = other.url if where == "another port" else other.url.replace("127.0.0.1", "localhost")
        bad.on("/products/SKU1", "redirect", location=host)
        for call in (lambda: platform.read_product("SKU1"),
                     lambda: platform.set_price("SKU1", 2490, idempotency_key="k-redir")):
            with pytest.raises(PlatformError) as e:
                call()
            assert "redirect" in str(e.value) and TOKEN not in str(e.value)
        assert other.requests == [], "a request (and its token) went to an address nobody configured"
    finally:
        other.close()


def test_deeply_nested_json_is_a_protocol_error_not_a_crash(bad, platform):
    bad.on("GET /products/SKU1", "deep")
    with pytest.raises(PlatformError, match="not JSON|JSON"):
        platform.read_product("SKU1")


def test_one_hanging_sku_does_not_hold_another(bad, platform):
    bad.on("PUT /products/SKU1/price", "slow", pace=0.5)
    done = {}

    def one():
        with deadline(2.0, SystemClock()):
            done["SKU1"] = elapsed(platform.set_price, "SKU1", 2490, idempotency_key="k1")

    t = threading.Thread(target=one)
    t.start()
    with deadline(2.0, SystemClock()):
        took, r = elapsed(platform.set_price, "SKU2", 1890, idempotency_key="k2")
    assert r is None and took < 1.0, (took, r)
    t.join(10)
    assert not t.is_alive() and done["SKU1"][0] < 3.0, done
