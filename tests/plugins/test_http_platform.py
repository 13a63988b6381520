"""HttpPlatform against a real HTTP server on 127.0.0.1 (tests/fakes.HttpShop) with faults."""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from controlroom.platform import (CouponSpec, Platform, PlatformError, PlatformRateLimited,
                                  PlatformTimeout, PlatformUnavailable)
from controlroom.secrets import set_secret
from controlroom.settings import Settings, SettingsError
from plugins.http_platform import (HttpPlatform, HttpPlatformConfig, PlatformProtocolError,
                                   PlatformReadbackMismatch)
from plugins.http_retry import RetryPolicy, parse_retry_after
from tests.fakes import HttpShop as FakeShop, refused_url

TOKEN = "tok-Zq8-very-secret-4711"


def fast_config(url: str, **kw) -> HttpPlatformConfig:
    base = dict(base_url=url, auth_required=False, auth_secret="", auth_env="", connect_timeout=0.5,
                read_timeout=0.3, max_attempts=3, backoff_base=0.01, backoff_max=0.05, retry_budget=2.0,
                readback_attempts=2, readback_interval=0.01)
    base.update(kw)
    return HttpPlatformConfig(**base)


@pytest.fixture
def shop():
    s = FakeShop()
    yield s
    s.close()


@pytest.fixture
def platform(shop):
    p = HttpPlatform(fast_config(shop.url))
    yield p
    p.close()


def test_is_a_platform(platform):
    assert isinstance(platform, Platform)
    assert platform.currency == "CNY"


@pytest.mark.parametrize("unit,wire", [("fen", 2990), ("yuan", "29.90"), ("decimal_string", "29.90")])
def test_price_travels_in_the_platform_unit(unit, wire):
    with FakeShop(unit=unit) as shop:
        p = HttpPlatform(fast_config(shop.url, price_unit=unit))
        p.set_price("SKU1", 1990, idempotency_key="k0")   # something else first, so 2990 is a change
        p.set_price("SKU1", 2990, idempotency_key="k1")
        assert shop.wire_values[-1] == ("set_price", "price", wire)
        assert type(shop.wire_values[-1][2]) is type(wire)
        assert shop.products["SKU1"]["price"] == 2990      # the shop understood 29.90 元
        state = p.read_product("SKU1")
        assert (state.price, state.list_price) == (2990, 5990)
        # what came back on the wire was in the unit too (decimal_string answers "29.9")
        cid = p.issue_coupon(CouponSpec("SKU1", threshold=10000, amount=1050, total_qty=200),
                             idempotency_key="k2")
        enc = {"fen": (10000, 1050), "yuan": ("100.00", "10.50"), "decimal_string": ("100.00", "10.50")}[unit]
        assert [v for op, f, v in shop.wire_values if op == "issue_coupon"] == list(enc)
        c = p.read_coupon(cid)
        assert (c.spec.threshold, c.spec.amount, c.spec.total_qty, c.active) == (10000, 1050, 200, True)
        p.close()


def test_a_price_in_the_wrong_unit_is_refused_not_guessed():
    with FakeShop(unit="yuan") as shop:
        shop.products["SKU1"]["price"] = 2990
        p = HttpPlatform(fast_config(shop.url, price_unit="fen"))   # misconfigured: shop speaks 元
        with pytest.raises(PlatformProtocolError, match="price"):
            p.read_product("SKU1")                                  # "29.90" is not a whole number of 分
        with pytest.raises(PlatformError, match="HTTP 400"):
            p.set_price("SKU1", 2990, idempotency_key="x")          # 2990 is not a 元 string
        assert shop.products["SKU1"]["price"] == 2990 and shop.applied == []
        p.close()


def test_every_write_carries_the_idempotency_key_and_is_read_back(shop, platform):
    platform.list_product("SKU1", idempotency_key="list-1")
    platform.set_stock("SKU1", 42, idempotency_key="stock-1")
    platform.set_displayed_stock("SKU1", 5, idempotency_key="shown-1")
    platform.pin_product("SKU1", idempotency_key="pin-1")
    platform.pin_product(None, idempotency_key="unpin-1")
    platform.unlist_product("SKU1", idempotency_key="unlist-1")
    writes = [r for r in shop.requests if r.method != "GET"]
    assert [r.headers["idempotency-key"] for r in writes] == [
        "list-1", "stock-1", "shown-1", "pin-1", "unpin-1", "unlist-1"]
    # each write is followed by a GET read-back before the next write
    methods = [r.method for r in shop.requests]
    for i, m in enumerate(methods):
        if m != "GET":
            assert methods[i + 1] == "GET"
    st = platform.read_product("SKU1")
    assert (st.listed, st.stock, st.displayed_stock, st.pinned) == (False, 42, 5, False)


def test_write_without_key_is_refused_before_sending(shop, platform):
    with pytest.raises(PlatformError, match="idempotency key"):
        platform.set_price("SKU1", 100, idempotency_key="")
    assert shop.requests == []


def test_500s_are_retried_then_succeed(shop, platform):
    shop.fault("set_price", status=500, times=2)
    platform.set_price("SKU1", 1990, idempotency_key="p1")
    assert len(shop.op_requests("set_price")) == 3
    assert shop.applied == [("set_price", "p1")]
    assert platform.last_trace.attempts >= 1


def test_persistent_500_is_unavailable_with_the_server_message(shop, platform):
    shop.fault("set_price", status=503, times=99, message="upstream overloaded")
    with pytest.raises(PlatformUnavailable, match="upstream overloaded") as ei:
        platform.set_price("SKU1", 1990, idempotency_key="p1")
    assert ei.value.retryable
    assert len(shop.op_requests("set_price")) == 3          # max_attempts
    assert shop.products["SKU1"]["price"] == 2990


def test_429_retry_after_seconds_is_honoured(shop, platform):
    shop.fault("read_product", status=429, headers={"Retry-After": "0.3"})
    platform.read_product("SKU1")
    reqs = shop.op_requests("read_product")
    assert len(reqs) == 2
    assert reqs[1].t - reqs[0].t >= 0.3


def test_429_retry_after_http_date_is_honoured():
    with FakeShop() as shop:
        p = HttpPlatform(fast_config(shop.url, retry_budget=4.0))
        when = datetime.now(timezone.utc) + timedelta(seconds=2)
        shop.fault("read_product", status=429, headers={"Retry-After": format_datetime(when, usegmt=True)})
        p.read_product("SKU1")
        reqs = shop.op_requests("read_product")
        assert len(reqs) == 2
        # HTTP dates have whole seconds: at least 1 s, and not much more than asked
        assert 1.0 <= reqs[1].t - reqs[0].t <= 3.0
        p.close()


def test_429_longer_than_the_budget_gives_up_at_once_with_retry_after(shop, platform):
    shop.fault("set_price", status=429, headers={"Retry-After": "30"}, message="too many requests")
    with pytest.raises(PlatformRateLimited) as ei:
        platform.set_price("SKU1", 1990, idempotency_key="p1")
    assert ei.value.retry_after == 30
    assert len(shop.op_requests("set_price")) == 1
    assert "too many requests" in str(ei.value)


def test_persistent_429_ends_rate_limited(shop, platform):
    shop.fault("read_products", status=429, headers={"Retry-After": "0.05"}, times=99)
    with pytest.raises(PlatformRateLimited) as ei:
        platform.read_products()
    assert len(shop.op_requests("read_products")) == 3
    assert ei.value.retry_after == pytest.approx(0.05)


def test_slow_server_times_out(shop, platform):
    shop.fault("read_product", delay=0.8, times=3)
    with pytest.raises(PlatformTimeout) as ei:
        platform.read_product("SKU1")
    assert ei.value.retryable
    assert len(shop.op_requests("read_product")) == 3


def test_lost_response_is_retried_with_the_same_key_and_applied_once(shop, platform):
    # applied, but the answer arrives after the client's 0.3 s read timeout
    shop.fault("set_price", lose_response=0.8)
    platform.set_price("SKU1", 1990, idempotency_key="price-SKU1-7")
    sent = shop.op_requests("set_price")
    assert len(sent) == 2
    assert {r.headers["idempotency-key"] for r in sent} == {"price-SKU1-7"}
    assert shop.applied == [("set_price", "price-SKU1-7")]
    assert shop.products["SKU1"]["price"] == 1990


def test_lost_coupon_answer_issues_one_coupon(shop, platform):
    shop.fault("issue_coupon", lose_response=0.8)
    cid = platform.issue_coupon(CouponSpec(None, threshold=9900, amount=1000, total_qty=50),
                                idempotency_key="coupon-1")
    assert len(shop.coupons) == 1 and cid in shop.coupons
    # the caller's own retry with the same key (after a PlatformTimeout, say) still makes one coupon
    assert platform.issue_coupon(CouponSpec(None, threshold=9900, amount=1000, total_qty=50),
                                 idempotency_key="coupon-1") == cid
    assert len(shop.coupons) == 1


def test_dropped_connection_is_retried(shop, platform):
    shop.fault("set_stock", drop=True)
    platform.set_stock("SKU1", 7, idempotency_key="s1")
    assert len(shop.op_requests("set_stock")) == 2
    assert shop.products["SKU1"]["stock"] == 7


def test_a_readback_that_lies_is_reported_for_the_console_to_lock(shop, platform, caplog):
    shop.lie("SKU1", "price", 299)   # a shifted decimal point somewhere upstream
    platform.set_price("SKU1", 1990, idempotency_key="p1")     # returns: the console compares itself
    assert platform.last_readback.price == 299
    e = platform.last_mismatch
    assert (e.sku, e.field, e.expected, e.actual) == ("SKU1", "price", 1990, 299)
    assert "2.99 元" in caplog.text and "19.90 元" in caplog.text
    assert platform.read_product("SKU1").price != 1990         # what the console's read-back will see


def test_a_readback_that_lies_raises_a_mismatch_when_asked(shop):
    platform = HttpPlatform(fast_config(shop.url, on_readback_mismatch="raise"))
    shop.lie("SKU1", "price", 299)
    with pytest.raises(PlatformReadbackMismatch) as ei:
        platform.set_price("SKU1", 2990, idempotency_key="p1")
    e = ei.value
    assert (e.sku, e.field, e.expected, e.actual) == ("SKU1", "price", 2990, 299)
    assert "2.99 元" in str(e) and "29.90 元" in str(e)
    assert not e.retryable
    assert e.state.price == 299
    # it was read back readback_attempts times before giving up
    assert len(shop.op_requests("read_product")) == 2


def test_readback_mismatch_on_listing_and_coupon(shop):
    platform = HttpPlatform(fast_config(shop.url, on_readback_mismatch="raise"))
    shop.lie("SKU1", "listed", False)
    with pytest.raises(PlatformReadbackMismatch, match="listed"):
        platform.list_product("SKU1", idempotency_key="l1")
    shop.lie_coupon("amount", 50000)   # the platform stored 100x what we sent
    with pytest.raises(PlatformReadbackMismatch) as ei:
        platform.issue_coupon(CouponSpec("SKU1", 5000, 500, 10), idempotency_key="c1")
    e = ei.value
    assert (e.coupon_id, e.field, e.expected, e.actual) == ("C1", "amount", 500, 50000)
    assert "500.00 元" in str(e) and "5.00 元" in str(e)


def test_verify_can_be_switched_off(shop):
    p = HttpPlatform(fast_config(shop.url, verify_writes=False))
    shop.lie("SKU1", "price", 1)
    p.set_price("SKU1", 1990, idempotency_key="p1")
    assert [r.method for r in shop.requests] == ["PUT"]
    p.close()


def test_connection_refused_is_unavailable_quickly():
    p = HttpPlatform(fast_config(refused_url()))
    with pytest.raises(PlatformUnavailable, match="refused") as ei:
        p.read_products()
    assert p.last_trace.attempts == 3
    assert ei.value.retryable
    p.close()


def test_4xx_is_a_platform_error_with_the_servers_message_and_no_retry(shop, platform):
    shop.products["SKU1"]["stock"] = 0
    with pytest.raises(PlatformError) as ei:
        platform.list_product("SKU1", idempotency_key="l1")
    assert type(ei.value) is PlatformError
    assert "库存不足" in str(ei.value) and "HTTP 400" in str(ei.value)
    assert len(shop.op_requests("list_product")) == 1


def test_auth_secret_from_keyring_never_logged_or_raised(caplog):
    caplog.set_level(logging.DEBUG)
    set_secret("shop_token_test", TOKEN)
    with FakeShop(token=TOKEN) as shop:
        cfg = fast_config(shop.url, auth_secret="shop_token_test", auth_required=True)
        p = HttpPlatform(cfg)
        shop.fault("set_price", status=500)
        p.set_price("SKU1", 1990, idempotency_key="p1")
        assert shop.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
        p.close()
        # a wrong token: the server's refusal comes through, the token does not
        set_secret("shop_token_test", TOKEN + "-old")
        p = HttpPlatform(cfg)
        with pytest.raises(PlatformError) as ei:
            p.read_product("SKU1")
        assert "invalid access token" in str(ei.value)
        assert TOKEN not in str(ei.value) and TOKEN not in repr(ei.value.args)
        p.close()
        # a server that echoes the token back in its error text: masked
        set_secret("shop_token_test", TOKEN)
        p = HttpPlatform(cfg)
        shop.fault("read_product", status=400, message=f"token {TOKEN} lacks scope product.read")
        with pytest.raises(PlatformError) as ei:
            p.read_product("SKU1")
        assert "lacks scope" in str(ei.value) and TOKEN not in str(ei.value)
        p.close()
    assert caplog.records, "retries should have been logged"
    assert TOKEN not in caplog.text


def test_auth_secret_from_env_and_missing_secret_message(monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN_ENV", TOKEN)
    with FakeShop(token=TOKEN) as shop:
        p = HttpPlatform(fast_config(shop.url, auth_secret="nope", auth_env="SHOP_TOKEN_ENV",
                                     auth_required=True, auth_header="X-Api-Key", auth_scheme=""))
        with pytest.raises(PlatformError, match="401"):   # FakeShop wants Authorization: Bearer
            p.read_products()
        assert shop.requests[-1].headers["x-api-key"] == TOKEN
        p.close()
    monkeypatch.delenv("SHOP_TOKEN_ENV")
    with pytest.raises(PlatformError) as ei:
        HttpPlatform(fast_config("http://127.0.0.1:9", auth_secret="missing_tok", auth_env="SHOP_TOKEN_ENV",
                                 auth_required=True))
    assert "missing_tok" in str(ei.value) and "SHOP_TOKEN_ENV" in str(ei.value)


@pytest.mark.parametrize("unit", ["fen", "yuan", "decimal_string"])
def test_metrics_json_maps_to_snapshot(unit):
    with FakeShop(unit=unit) as shop:
        shop.metrics_body = {
            "online": 1520, "views": 20000, "unique_viewers": 15000, "room_impressions": 90000,
            "comments": 800, "likes": 30000, "shares": 120, "interacting_viewers": 2100,
            "new_followers": 340, "product_impressions": 40000, "product_clicks": 5200,
            "add_to_cart": 1300, "orders": 610, "paid_orders": 540, "buyers": 500,
            "gmv": shop.encode(1823450), "paid_gmv": shop.encode(1614600),
            "skus": [{"sku": "SKU1", "impressions": 30000, "clicks": 4000, "add_to_cart": 900,
                      "orders": 400, "paid_orders": 380, "units": 420,
                      "gmv": shop.encode(1255800), "paid_gmv": shop.encode(1136200)}]}
        p = HttpPlatform(fast_config(shop.url, price_unit=unit))
        m = p.metrics()
        for k, v in shop.metrics_body.items():
            if k not in ("skus", "gmv", "paid_gmv"):
                assert getattr(m, k) == v, k
        assert (m.gmv, m.paid_gmv) == (1823450, 1614600)
        s = m.skus["SKU1"]
        assert (s.clicks, s.units, s.gmv, s.paid_gmv) == (4000, 420, 1255800, 1136200)
        p.close()


def test_metrics_aliases_missing_and_bad_fields(shop, platform):
    shop.metrics_body = {"online_count": 9, "watch_uv": 30, "skus": {"SKU1": {"clicks": 3}}}
    m = platform.metrics()
    assert (m.online, m.unique_viewers, m.views, m.gmv) == (9, 30, 0, 0)
    assert m.skus["SKU1"].clicks == 3
    shop.metrics_body = {"online": -1}
    with pytest.raises(PlatformProtocolError, match="online"):
        platform.metrics()
    shop.metrics_body = {"gmv": 12.5}   # a float in a 分 platform: refused, never rounded
    with pytest.raises(PlatformProtocolError, match="gmv"):
        platform.metrics()


def test_custom_endpoints_and_quoted_skus():
    sku = "保温杯 500ml"
    with FakeShop(products=[dict(sku=sku, title="cup", list_price=100, price=90, stock=3)]) as shop:
        p = HttpPlatform(fast_config(shop.url + "/", read_product="GET /products/{sku}"))
        assert p.read_product(sku).price == 90
        assert shop.requests[-1].raw_path == "/products/%E4%BF%9D%E6%B8%A9%E6%9D%AF%20500ml"
        p.close()


def test_config_from_settings_toml(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[platform.http]\nbase_url = "https://shop.example.com/api"\nprice_unit = "yuan"\n'
                    'read_timeout = 2\nset_price = "PATCH /v2/items/{sku}/price"\n', encoding="utf-8")
    cfg = HttpPlatformConfig.from_settings(Settings(path))
    assert (cfg.price_unit, cfg.read_timeout, cfg.endpoint("set_price")) == (
        "yuan", 2.0, ("PATCH", "/v2/items/{sku}/price"))
    assert HttpPlatformConfig.from_settings(Settings(tmp_path / "none.toml")) == HttpPlatformConfig()
    for bad, key in [('price_unit = "cents"', "price_unit"), ('set_price = "/no/method"', "set_price"),
                     ('read_product = "GET /p/{coupon_id}"', "read_product"), ("max_attempts = 0", "max_attempts"),
                     ('colour = "red"', "colour"), ('on_readback_mismatch = "ignore"', "on_readback_mismatch"), ('read_timeout = "fast"', "read_timeout")]:
        path.write_text(f"[platform.http]\n{bad}\n", encoding="utf-8")
        with pytest.raises(SettingsError) as ei:
            HttpPlatformConfig.from_settings(Settings(path))
        assert key in str(ei.value) and "settings.toml" in str(ei.value) and "platform.http" in str(ei.value)


def test_parse_retry_after():
    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("3", now) == 3
    assert parse_retry_after("0.5", now) == 0.5
    assert parse_retry_after("Sun, 22 Nov 2026 12:00:07 GMT", now) == 7
    assert parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now) == 0   # in the past: now
    assert parse_retry_after("-4", now) == 0
    for junk in (None, "", "soon", "nan"):
        assert parse_retry_after(junk, now) is None


def test_backoff_grows_is_capped_and_jittered():
    pol = RetryPolicy(backoff_base=0.1, backoff_max=0.8, jitter=0.5)
    rng = random.Random(1)
    for n, full in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (7, 0.8)]:
        vals = [pol.backoff(n, rng) for _ in range(200)]
        assert all(full * 0.5 <= v <= full for v in vals)
        assert max(vals) - min(vals) > full * 0.3     # actually jittered
    assert RetryPolicy(backoff_base=0.1, jitter=0).backoff(2, rng) == pytest.approx(0.2)


def test_concurrent_callers_from_worker_threads(shop, platform):
    from concurrent.futures import ThreadPoolExecutor
    shop.products.update({f"S{i}": dict(sku=f"S{i}", title="", list_price=1000, price=900, stock=5, listed=False,
                                        pinned=False, displayed_stock=None) for i in range(8)})
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: platform.set_price(f"S{i}", 500 + i, idempotency_key=f"k{i}"), range(8)))
        states = list(pool.map(lambda i: platform.read_product(f"S{i}"), range(8)))
    assert [s.price for s in states] == [500 + i for i in range(8)]
    assert len(shop.applied) == 8
