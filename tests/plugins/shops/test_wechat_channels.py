"""The 微信小店 adapter against its conformance fake (wechat_fake.py): the port contract with faults,
access tokens that expire, errcode answers, the documented 限时抢购 and coupon rules, settings refused by
name, secrets kept out."""
from __future__ import annotations

import logging

import pytest

from controlroom.adapters import PlatformContext, create_platform
from controlroom.clock import ManualClock
from controlroom.platform import CouponSpec, OfferSpec, PlatformError, PlatformRateLimited, PlatformUnavailable
from controlroom.secrets import set_secret
from controlroom.settings import Settings, SettingsError
from plugins.shop_common.config import MissingSecret
from plugins.wechat_channels import WechatChannelsConfig, WechatChannelsPlatform
from tests.plugins.contract import PlatformContract
from tests.plugins.shops.harness import FakeShopHarness
from tests.plugins.shops.late_retry import LateRetryContract
from tests.plugins.shops.wechat_fake import WechatFake, WxProduct

APPID = "wx0123456789abcdef"
SECRET = "wx-app-secret-Qm27-never-log-me"
READ_TIMEOUT = 0.3


def products() -> list[WxProduct]:
    return [WxProduct("10000000000001", "保温杯 Thermos 500ml",
                      [dict(sku_id="4000000001", sku_code="CUP-001", out_sku_id="o-cup-1", sale_price=9900,
                            market_price=15900, stock_num=500)]),
            WxProduct("10000000000002", "帆布包 Canvas Tote",
                      [dict(sku_id="4000000002", sku_code="BAG-002", out_sku_id="o-bag-2", sale_price=12900,
                            market_price=19900, stock_num=300)]),
            WxProduct("10000000000003", "草稿商品 never listed",
                      [dict(sku_id="4000000003", sku_code="DRAFT-3", out_sku_id="o-d", sale_price=5000,
                            market_price=0, stock_num=10)], status=0)]


def config(url: str, **kw) -> WechatChannelsConfig:
    base = dict(appid=APPID, base_url=url, connect_timeout=0.5, read_timeout=READ_TIMEOUT, max_attempts=3,
                backoff_base=0.01, backoff_max=0.05, retry_budget=2.0, throttle_wait=0.05, readback_attempts=2,
                readback_interval=0.01)
    base.update(kw)
    return WechatChannelsConfig(**base)


@pytest.fixture
def fake():
    f = WechatFake(appid=APPID, secret=SECRET, products=products(), hold=READ_TIMEOUT * 3)
    yield f
    f.close()


@pytest.fixture
def platform(fake, tmp_path):
    set_secret("wechat_channels_secret", SECRET)
    p = WechatChannelsPlatform(config(fake.url), data_dir=tmp_path)
    yield p
    p.close()


# ---- the port contract ----------------------------------------------------------------------------
WIRE = {"list_product": "product/listing", "unlist_product": "product/delisting", "set_price": "product/auditfree",
        "set_stock": "product/stock/update", "read_product": "product/get", "read_products": "product/list/get",
        "issue_coupon": "coupon/create", "stop_coupon": "coupon/update_status", "metrics": "order/list/get",
        "start_offer": "product/limiteddiscounttask/add", "stop_offer": "product/limiteddiscounttask/stop",
        "read_offer": "product/limiteddiscounttask/list/get", "read_coupon": "coupon/get"}


class TestWechatChannelsContract(PlatformContract, LateRetryContract):
    @pytest.fixture
    def harness(self, fake, platform, tmp_path):
        platform.read_products()              # the SKU index is built once, as in a show
        return FakeShopHarness(platform=platform, sku="CUP-001", other_sku="BAG-002", fake=fake, wire=WIRE,
                               hold=READ_TIMEOUT * 3, secrets=(SECRET,), live_secrets=lambda: tuple(fake.tokens),
                               reopen=lambda: WechatChannelsPlatform(config(fake.url), data_dir=tmp_path))


# ---- tokens and errcodes --------------------------------------------------------------------------
def test_an_expired_token_is_renewed_once_and_the_call_goes_through(fake, platform):
    platform.read_product("CUP-001")
    fake.expire_tokens()
    platform.set_price("CUP-001", 8900, idempotency_key="after-expiry")
    assert fake.sku("CUP-001")[1]["sale_price"] == 8900
    assert fake.granted == 2 and any(code == 42001 for _, code in fake.rejected)


def test_a_token_is_renewed_before_its_7200_s_run_out(tmp_path):
    clock = ManualClock()
    fake = WechatFake(appid=APPID, secret=SECRET, products=products(), clock=clock.monotonic)
    set_secret("wechat_channels_secret", SECRET)
    p = WechatChannelsPlatform(config(fake.url), data_dir=tmp_path, clock=clock)
    p.read_product("CUP-001")
    clock.advance(7200 - 250)
    p.read_product("CUP-001")
    assert fake.granted == 2 and not any(code == 42001 for _, code in fake.rejected)
    p.close()
    fake.close()


def test_a_wrong_appsecret_is_a_credentials_refusal_naming_the_fix(fake, tmp_path):
    set_secret("wechat_channels_secret", "not-the-secret")
    p = WechatChannelsPlatform(config(fake.url), data_dir=tmp_path)
    with pytest.raises(PlatformError, match=r"\[40001\].*AppID or AppSecret is wrong") as e:
        p.read_products()
    assert not e.value.retryable
    p.close()


def test_system_busy_on_a_read_is_retried(fake, platform):
    fake.fail("product/get", "unavailable", times=2)
    assert platform.read_product("BAG-002").price == 12900


def test_system_busy_after_applying_is_reconciled_not_resent(fake, platform):
    platform.read_product("CUP-001")
    fake.fail("product/auditfree", "apply_then_error", times=1)
    platform.set_price("CUP-001", 8800, idempotency_key="busy")   # -1 after applying: read, landed, done
    assert fake.writes == 1 and fake.sku("CUP-001")[1]["sale_price"] == 8800
    assert len([r for r in fake.requests if r.path.endswith("/auditfree")]) == 1


def test_system_busy_before_applying_is_sent_again_after_reading(fake, platform):
    platform.read_product("CUP-001")
    fake.fail("product/auditfree", "unavailable", times=1)
    platform.set_price("CUP-001", 8700, idempotency_key="busy2")
    assert fake.writes == 1 and fake.sku("CUP-001")[1]["sale_price"] == 8700
    assert len([r for r in fake.requests if r.path.endswith("/auditfree")]) == 2


def test_busy_that_lasts_is_unavailable_and_says_it_may_have_applied(fake, platform):
    fake.fail("product/auditfree", "apply_then_error", times=50)
    fake.lie_price("CUP-001", 9900)        # and the read-back keeps showing the old price
    with pytest.raises(PlatformUnavailable, match="may have been applied") as e:
        platform.set_price("CUP-001", 8600, idempotency_key="busy3")
    assert e.value.retryable


def test_minute_quota_is_rate_limited(fake, platform):
    fake.fail("product/stock/update", "rate_limited", times=50)
    with pytest.raises(PlatformRateLimited, match="45011"):
        platform.set_stock("CUP-001", 40, idempotency_key="q")


def test_throttled_like_the_platform_reads_ride_it_out(fake, tmp_path):
    set_secret("wechat_channels_secret", SECRET)
    p = WechatChannelsPlatform(config(fake.url, throttle_wait=0.6, max_attempts=4, retry_budget=3.0),
                               data_dir=tmp_path)
    p.read_product("CUP-001")
    fake.qps = 2
    for _ in range(5):
        p.read_product("CUP-001")
    assert ("product/get", 45011) in fake.rejected
    p.close()


def test_the_daily_quota_is_not_retryable(fake, platform, monkeypatch):
    monkeypatch.setattr(fake, "_handle", lambda api, body: fake._err(api, 45009, "reach max api daily quota limit"))
    with pytest.raises(PlatformError, match="daily API quota") as e:
        platform.read_products()
    assert not e.value.retryable


# ---- the platform's own rules ---------------------------------------------------------------------
def test_price_and_stock_go_out_in_fen_and_absolute(fake, platform):
    platform.set_price("CUP-001", 8990, idempotency_key="p")
    platform.set_stock("CUP-001", 42, idempotency_key="s")
    (_, price), = [a for a in fake.applied if a[0] == "product/auditfree"]
    (_, stock), = [a for a in fake.applied if a[0] == "product/stock/update"]
    assert price == {"product_id": "10000000000001", "skus": [{"sku_id": "4000000001", "sale_price": 8990}]}
    assert stock == {"product_id": "10000000000001", "sku_id": "4000000001", "diff_type": 3, "num": 42}


def test_list_price_is_the_market_price(platform):
    p = platform.read_product("BAG-002")
    assert (p.list_price, p.price, p.stock, p.listed) == (19900, 12900, 300, False)


def test_a_flash_offer_outside_the_platform_rules_is_refused_before_sending(fake, platform):
    n = len(fake.requests)
    for spec, rule in [(OfferSpec("CUP-001", 8900, 600), "1–8.5折"),
                       (OfferSpec("CUP-001", 500, 600), "1–8.5折"),
                       (OfferSpec("CUP-001", 6900, 25 * 3600), "at most 24 h"),
                       (OfferSpec("CUP-001", 6900, 600, quantity=501), "more than the stock")]:
        with pytest.raises(PlatformError, match=rule) as e:
            platform.start_offer(spec, idempotency_key=f"rule-{spec.price}-{spec.duration_s}-{spec.quantity}")
        assert not e.value.retryable
    platform.set_price("CUP-001", 5000, idempotency_key="cheap")      # 50 元: 8.5折 is only 7.50 元 off
    with pytest.raises(PlatformError, match="at least 10 元 below"):
        platform.start_offer(OfferSpec("CUP-001", 4200, 600), idempotency_key="rule-10")
    platform.set_price("CUP-001", 900, idempotency_key="tiny")
    with pytest.raises(PlatformError, match="above 10 元"):
        platform.start_offer(OfferSpec("CUP-001", 100, 600), idempotency_key="rule-above-10")
    assert not any(r.path.endswith("limiteddiscounttask/add") for r in fake.requests[n:])


def test_a_flash_offer_caps_the_quantity_at_the_shop(fake, platform):
    oid = platform.start_offer(OfferSpec("BAG-002", 8900, 1800, quantity=30, per_buyer_limit=1),
                               idempotency_key="flash")
    (_, body), = [a for a in fake.applied if a[0] == "product/limiteddiscounttask/add"]
    assert body["limited_discount_skus"] == [{"sku_id": "4000000002", "sale_price": 8900, "sale_stock": 30}]
    assert body["end_time"] - body["start_time"] == 1800
    st = platform.read_offer(oid)
    assert st.active and st.spec.quantity == 30 and st.spec.per_buyer_limit == 1
    fake.sell("BAG-002", 4)
    assert platform.read_offer(oid).sold == 4
    caps = platform.capabilities
    assert caps.native_offers and caps.offer_quantity_cap and not caps.offer_per_buyer_limit
    running = platform.read_product("BAG-002").offer          # a read-back shows the running offer
    assert running is not None and running.offer_id == oid and running.active and running.sold == 4
    platform.stop_offer(oid, idempotency_key="flash-stop")
    assert platform.read_product("BAG-002").offer is None
    platform.start_offer(OfferSpec("BAG-002", 8800, 600), idempotency_key="flash-2")
    with pytest.raises(PlatformError, match="10020077"):     # one running task per product, as documented
        platform.start_offer(OfferSpec("BAG-002", 8700, 600), idempotency_key="flash-3")


def test_a_start_whose_answer_was_lost_is_found_not_doubled(fake, platform):
    fake.fail("product/limiteddiscounttask/add", "apply_then_timeout", times=1)
    oid = platform.start_offer(OfferSpec("CUP-001", 6900, 600, quantity=10), idempotency_key="lost-start")
    assert [t["task_id"] for t in fake.tasks.values()] == [oid]             # created once, found by its product
    assert platform.read_product("CUP-001").offer.offer_id == oid


def test_a_coupon_above_200_yuan_off_is_refused_before_sending(fake, platform):
    with pytest.raises(PlatformError, match="at most 200.00 元 off"):
        platform.issue_coupon(CouponSpec("CUP-001", threshold=100000, amount=25000, total_qty=10),
                              idempotency_key="big")
    assert not any(r.path.endswith("coupon/create") for r in fake.requests)


def test_a_coupon_is_created_as_documented_and_activated(fake, platform):
    cid = platform.issue_coupon(CouponSpec("CUP-001", threshold=19900, amount=3000, total_qty=200,
                                           per_buyer_limit=2, name="直播间满199减30元"), idempotency_key="c")
    (_, body), = [a for a in fake.applied if a[0] == "coupon/create"]
    assert body["type"] == 2 and body["name"] == "直播间满199减30元"[:10]
    assert body["discount_info"] == {"discount_fee": 3000, "discount_condition": {
        "product_ids": ["10000000000001"], "product_price": 19900}}
    assert body["receive_info"]["total_num"] == 200 and body["receive_info"]["limit_num_one_person"] == 2
    assert fake.coupons[cid]["status"] == 2
    shop_wide = platform.issue_coupon(CouponSpec(None, threshold=0, amount=500, total_qty=None), idempotency_key="c2")
    assert fake.coupons[shop_wide]["type"] == 104
    st = platform.read_coupon(shop_wide)
    assert st.spec.sku is None and st.spec.total_qty is None and st.active


def test_sku_field_out_sku_id(fake, tmp_path):
    set_secret("wechat_channels_secret", SECRET)
    p = WechatChannelsPlatform(config(fake.url, sku_field="out_sku_id"), data_dir=tmp_path)
    assert p.read_product("o-bag-2").price == 12900
    p.close()


def test_metrics_count_orders_since_the_adapter_started(fake, platform):
    platform.read_products()
    fake.sell("CUP-001", 2)
    fake.sell("BAG-002", 1, paid=False)
    m = platform.metrics()
    assert (m.orders, m.paid_orders, m.gmv, m.paid_gmv) == (2, 1, 2 * 9900 + 12900, 2 * 9900)
    assert m.skus["CUP-001"].units == 2 and m.skus["BAG-002"].paid_orders == 0


def test_a_never_listed_draft_is_unknown_to_the_product_list(platform):
    assert "DRAFT-3" not in {p.sku for p in platform.read_products()}
    with pytest.raises(PlatformError, match="unknown SKU 'DRAFT-3'") as e:
        platform.read_product("DRAFT-3")
    assert not e.value.retryable


# ---- settings and secrets ---------------------------------------------------------------------------
def settings_with(tmp_path, table: dict) -> Settings:
    return Settings(tmp_path / "settings.toml", data={"platform": {"kind": "wechat_channels",
                                                                   "wechat_channels": table}})


@pytest.mark.parametrize("table,match", [
    ({}, r"\[platform.wechat_channels\] appid: missing"),
    ({"appid": "wx123"}, r"appid: must be the 小店 AppID"),
    ({"appid": APPID, "secret": "x"}, r"unknown keys: secret"),
    ({"appid": APPID, "sku_field": "barcode"}, r"sku_field: must be one of"),
    ({"appid": APPID, "page_size": 50}, r"page_size: 微信小店 lists at most 30"),
    ({"appid": APPID, "coupon_days": 0}, r"coupon_days: must be more than 0"),
    ({"appid": APPID, "max_attempts": "4"}, r"max_attempts must be int"),
])
def test_wrong_or_missing_settings_are_refused_by_name(tmp_path, table, match):
    with pytest.raises(SettingsError, match=match):
        WechatChannelsConfig.from_settings(settings_with(tmp_path, table))


def test_the_entry_point_builds_the_adapter(fake, tmp_path):
    set_secret("wechat_channels_secret", SECRET)
    p = create_platform(PlatformContext(settings_with(tmp_path, {"appid": APPID, "base_url": fake.url}),
                                        tmp_path, ManualClock(), tmp_path))
    assert isinstance(p, WechatChannelsPlatform) and p.read_product("CUP-001").price == 9900
    p.close()


def test_a_missing_secret_names_where_to_put_it(fake, tmp_path, monkeypatch):
    monkeypatch.delenv("CONTROLROOM_WECHAT_CHANNELS_SECRET", raising=False)
    with pytest.raises(MissingSecret, match="keyring entry 'wx_nowhere' or the environment variable WX_NOWHERE"):
        WechatChannelsPlatform(config(fake.url, secret_name="wx_nowhere", secret_env="WX_NOWHERE"), data_dir=tmp_path)


def test_secrets_stay_out_of_logs_the_ledger_and_errors(fake, platform, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)      # urllib3 logs request lines: /cgi-bin/token?...&secret=..., ?access_token=...
    platform.set_price("CUP-001", 8900, idempotency_key="s1")
    platform.issue_coupon(CouponSpec("CUP-001", 19900, 1000, 10), idempotency_key="s2")
    fake.expire_tokens()
    fake.fail("product/auditfree", "unavailable", times=50)
    with pytest.raises(PlatformError) as e:
        platform.set_price("CUP-001", 7900, idempotency_key="s3")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret=***" in logged and "access_token=***" in logged
    ledger = (tmp_path / "shop_ledger.sqlite").read_bytes()
    for s in (SECRET, *fake.tokens):
        assert s not in logged and s not in str(e.value) and s.encode() not in ledger
