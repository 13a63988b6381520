"""The TikTok Shop adapter against its conformance fake (tiktok_fake.py): the port contract with faults,
the documented signing (and its worked example), per-API throttling, flash-sale offers through the
Promotion API, decimal-string money with currency, settings refused by name, secrets kept out."""
from __future__ import annotations

import json
import logging
import time

import pytest
import requests

from controlroom.adapters import PlatformContext, create_platform
from controlroom.clock import ManualClock
from controlroom.platform import OfferSpec, PlatformRateLimited
from controlroom.secrets import set_secret
from controlroom.settings import Settings, SettingsError
from plugins.shop_common.config import MissingSecret
from plugins.tiktok_shop import TikTokError, TikTokShopConfig, TikTokShopPlatform
from plugins.tiktok_shop.signing import sign, string_to_sign
from tests.plugins.contract import PlatformContract
from tests.plugins.shops.harness import FakeShopHarness
from tests.plugins.shops.late_retry import LateRetryContract
from tests.plugins.shops.tiktok_fake import TikTokShopFake

READ_TIMEOUT = 0.3
WAREHOUSE_A, WAREHOUSE_B = "7068517275539719942", "7068517275539719943"


def config(url: str, **kw) -> TikTokShopConfig:
    base = dict(app_key="6a6fake01", currency="USD", base_url=url, connect_timeout=0.5, read_timeout=READ_TIMEOUT,
                max_attempts=3, backoff_base=0.01, backoff_max=0.05, retry_budget=2.0, readback_attempts=3,
                readback_interval=0.01, offer_lead_s=2.0)
    base.update(kw)
    return TikTokShopConfig(**base)


def stock_shop(f: TikTokShopFake) -> TikTokShopFake:
    f.add_product("Velvet Matte Lipstick", [dict(seller_sku="LIP-001", price=1290, list_price=2590, stock=800)])
    f.add_product("Hyaluronic Serum 30ml", [dict(seller_sku="SER-002", price=2990, list_price=4990, stock=600),
                                           dict(seller_sku="SER-002-M", price=1590, list_price=2590, stock=300)])
    return f


@pytest.fixture
def fake():
    f = stock_shop(TikTokShopFake())
    yield f
    f.close()


def make(fake: TikTokShopFake, tmp_path, **kw) -> TikTokShopPlatform:
    set_secret("tiktok_shop_app_secret", fake.app_secret)
    set_secret("tiktok_shop_access_token", fake.access_token)
    return TikTokShopPlatform(config(fake.url, **kw), data_dir=tmp_path)


@pytest.fixture
def platform(fake, tmp_path):
    p = make(fake, tmp_path)
    yield p
    p.close()


# ---- the port contract ----------------------------------------------------------------------------
WIRE = {"list_product": "activate_product", "unlist_product": "deactivate_products", "set_price": "update_price",
        "set_stock": "update_inventory", "read_product": "get_product", "read_products": "search_products",
        "metrics": "live_performance", "start_offer": "create_activity", "stop_offer": "deactivate_activity",
        "read_offer": "get_activity", "read_coupon": "get_coupon"}


class TestTikTokShopContract(PlatformContract, LateRetryContract):
    @pytest.fixture
    def harness(self, fake, platform, tmp_path):
        platform.read_product("SER-002")      # the SKUs' ids are looked up once, as in a show
        platform.read_product("LIP-001")
        return FakeShopHarness(platform=platform, sku="SER-002", other_sku="LIP-001", fake=fake, wire=WIRE,
                               hold=READ_TIMEOUT * 3, live_secrets=lambda: (fake.app_secret, fake.access_token),
                               reopen=lambda: make(fake, tmp_path))


# ---- signing ("Sign your API request") ---------------------------------------------------------------
def test_signing_worked_example_from_the_guide():
    # the guide's example: Get Authorized Shops, app_key 29a39d, timestamp 1623812664, secret e59af819cc
    q = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert string_to_sign("/authorization/202309/shops", q) == "/authorization/202309/shopsapp_key29a39dtimestamp1623812664"
    assert sign("e59af819cc", "/authorization/202309/shops", q) == \
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    # sign and access_token never take part
    assert sign("e59af819cc", "/authorization/202309/shops", {**q, "sign": "x", "access_token": "y"}) == \
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_the_guides_body_example_builds_the_documented_string():
    body = '{    "address":"https://partner.tiktokshop.com",    "event_type": "PACKAGE_UPDATE"}'
    q = {"timestamp": "1696909648", "shop_cipher": "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK", "app_key": "68xu9ks5p4i8"}
    assert string_to_sign("/event/202309/webhooks", q, body) == (
        "/event/202309/webhooksapp_key68xu9ks5p4i8shop_cipherROW_xkMbgAAAeVAQra0eZWebFQq5aIKtimestamp1696909648"
        + body)
    # a multipart upload signs without its body
    assert string_to_sign("/p", {}, b"xx", "multipart/form-data; boundary=z") == "/p"


def test_a_wrong_signature_is_refused_with_the_platform_code(fake, tmp_path):
    r = requests.get(fake.url + "/authorization/202309/shops",
                     params={"app_key": fake.app_key, "timestamp": int(time.time()), "sign": "0" * 64},
                     headers={"x-tts-access-token": fake.access_token}, timeout=2)
    assert r.status_code == 401 and r.json()["code"] == 106001
    set_secret("tiktok_shop_app_secret", "not-the-app-secret-Q7")
    set_secret("tiktok_shop_access_token", fake.access_token)
    p = TikTokShopPlatform(config(fake.url), data_dir=tmp_path)
    with pytest.raises(TikTokError) as e:
        p.read_product("LIP-001")
    assert e.value.code == 106001 and not e.value.retryable
    assert "not-the-app-secret-Q7" not in str(e.value)
    p.close()


def test_every_call_is_signed_with_the_token_in_the_header(fake, platform):
    platform.read_product("LIP-001")
    platform.set_price("LIP-001", 1190, idempotency_key="sig-1")
    assert fake.requests
    for r in fake.requests:
        assert "access_token" not in r.query and r.headers["x-tts-access-token"] == fake.access_token
        assert sign(fake.app_secret, r.path, r.query, r.body) == r.query["sign"]
        assert r.path == "/authorization/202309/shops" or r.query["shop_cipher"] == fake.shop_cipher
        assert abs(int(r.query["timestamp"]) - time.time()) < 60


def test_a_clock_more_than_five_minutes_behind_is_refused(fake, tmp_path):
    p = make(fake, tmp_path, shop_cipher=fake.shop_cipher)
    p.client._wall = lambda: time.time() - 400
    with pytest.raises(TikTokError) as e:
        p.read_product("LIP-001")
    assert e.value.code == 36009004 and "timestamp" in str(e.value).lower()
    p.close()


def test_the_shop_cipher_comes_from_get_authorized_shops(fake, platform):
    platform.read_product("LIP-001")
    assert platform.client.shop_cipher == fake.shop_cipher
    assert fake.requests[0].path == "/authorization/202309/shops" and "shop_cipher" not in fake.requests[0].query


# ---- rate limits ("50 QPS per API, per app and shop"; 429 / 36009002) ---------------------------------
def test_pacing_keeps_each_api_under_the_shops_qps(tmp_path):
    f = stock_shop(TikTokShopFake(qps=5))
    try:
        p = make(f, tmp_path, qps=4.5)
        p.read_product("LIP-001")
        t0 = time.monotonic()
        for _ in range(8):
            p.read_product("LIP-001")
        assert f.throttled == 0
        assert time.monotonic() - t0 >= 1.2          # 8 Get Product calls at ≤ 4.5/s
        p.close()
    finally:
        f.close()


def test_without_pacing_the_shop_throttles_and_reads_ride_it_out(tmp_path):
    f = stock_shop(TikTokShopFake(qps=5))
    try:
        p = make(f, tmp_path, qps=1000.0, retry_budget=4.0, max_attempts=6, backoff_base=0.2, backoff_max=0.5)
        for _ in range(12):
            p.read_product("LIP-001")
        assert f.throttled > 0                        # the fake throttled like the platform ...
        assert p.read_product("LIP-001").price == 1290  # ... and the reads went through
        p.close()
    finally:
        f.close()


def test_throttling_that_lasts_is_rate_limited_and_applies_nothing(fake, platform):
    platform.read_product("LIP-001")
    fake.faults.add("update_price", "rate_limited", times=50)
    with pytest.raises(PlatformRateLimited) as e:
        platform.set_price("LIP-001", 1190, idempotency_key="rl-1")
    assert e.value.retryable and e.value.retry_after > 0 and "36009002" in str(e.value)
    assert not fake.applied


# ---- money --------------------------------------------------------------------------------------------
def test_prices_travel_as_decimal_strings_with_the_currency(fake, platform):
    platform.set_price("LIP-001", 1190, idempotency_key="money-1")
    body = next(r.json for r in fake.requests if r.path.endswith("/prices/update"))
    assert body["skus"][0]["price"] == {"amount": "11.90", "currency": "USD"}
    assert platform.read_product("LIP-001").price == 1190


def test_an_answer_in_another_currency_is_refused_not_converted(tmp_path):
    f = stock_shop(TikTokShopFake(currency="GBP"))
    try:
        p = make(f, tmp_path)
        with pytest.raises(TikTokError) as e:
            p.read_product("LIP-001")
        assert "GBP" in str(e.value) and "USD" in str(e.value) and not e.value.retryable
        p.close()
    finally:
        f.close()


# ---- products -------------------------------------------------------------------------------------------
def test_unlisting_is_per_product_all_its_skus_go_off_sale(fake, platform):
    platform.unlist_product("SER-002", idempotency_key="unl-1")
    assert platform.read_product("SER-002-M").listed is False
    assert platform.read_product("LIP-001").listed is True


def test_a_listing_under_audit_is_read_back_until_active(tmp_path):
    f = stock_shop(TikTokShopFake(audit_reads=3))
    try:
        p = make(f, tmp_path, readback_attempts=6)
        p.unlist_product("LIP-001", idempotency_key="a-1")
        p.list_product("LIP-001", idempotency_key="a-2")
        assert p.read_product("LIP-001").listed is True
        assert p.last_mismatch is None
        p.close()
    finally:
        f.close()


def test_stock_in_several_warehouses_needs_the_one_to_write(fake, tmp_path):
    fake.add_product("Gift box", [dict(seller_sku="BOX-9", price=9900, inventory={WAREHOUSE_A: 30, WAREHOUSE_B: 20})])
    p = make(fake, tmp_path)
    with pytest.raises(TikTokError) as e:
        p.set_stock("BOX-9", 70, idempotency_key="wh-1")
    assert "warehouse_id" in str(e.value) and not e.value.retryable
    p.close()
    q = make(fake, tmp_path, warehouse_id=WAREHOUSE_A)
    q.set_stock("BOX-9", 70, idempotency_key="wh-2")
    _, s = fake.find_sku("BOX-9")
    assert s.inventory == {WAREHOUSE_A: 50, WAREHOUSE_B: 20}     # all warehouses sent, as Update Inventory asks
    assert q.read_product("BOX-9").stock == 70
    q.close()


# ---- flash offers (Promotion API) -----------------------------------------------------------------------
def test_an_offer_is_a_flash_sale_with_quantity_and_per_buyer_limit(fake, platform):
    oid = platform.start_offer(OfferSpec("LIP-001", 990, 1800.0, quantity=40, per_buyer_limit=2),
                               idempotency_key="fs-1")
    create = next(r.json for r in fake.requests if r.path == "/promotion/202309/activities")
    assert create["activity_type"] == "FLASHSALE" and create["product_level"] == "VARIATION"
    assert create["end_time"] - create["begin_time"] == 1800 and create["begin_time"] > time.time()
    sku = fake.activities[oid].products[0]["skus"][0]
    assert (sku["quantity_limit"], sku["quantity_per_user"], sku["activity_price"]["amount"]) == (40, 2, "9.90")
    fake.sell("LIP-001", 5)
    st = platform.read_offer(oid)
    assert st.active and st.sold == 5 and st.spec.quantity == 40 and st.spec.per_buyer_limit == 2
    fake.advance(1805)                                              # past its end, on both clocks
    platform.client._wall = lambda: time.time() + 1805
    assert platform.read_offer(oid).active is False                # the shop ended it on time


def test_an_offer_shorter_than_ten_minutes_is_refused_before_anything_is_written(fake, platform):
    with pytest.raises(TikTokError) as e:
        platform.start_offer(OfferSpec("LIP-001", 990, 180.0), idempotency_key="fs-short")
    assert "10 minutes" in str(e.value) and not e.value.retryable
    assert not fake.applied


def test_a_refused_offer_leaves_no_activity_behind(fake, platform):
    fake.faults.add("update_activity_product", "refused")
    with pytest.raises(TikTokError):
        platform.start_offer(OfferSpec("LIP-001", 990, 900.0, quantity=10), idempotency_key="fs-refused")
    assert [fake._status(a) for a in fake.activities.values()] == ["DEACTIVATED"]


def test_an_offer_whose_answer_was_lost_is_found_by_its_title_not_made_twice(fake, platform):
    fake.faults.add("create_activity", "apply_then_error")
    spec = OfferSpec("LIP-001", 990, 900.0, quantity=10, per_buyer_limit=1)
    oid = platform.start_offer(spec, idempotency_key="fs-lost")      # the adapter reads before it resends
    assert list(fake.activities) == [oid] and platform.read_offer(oid).active
    searches = [r for r in fake.requests if r.path == "/promotion/202309/activities/search"]
    assert searches and searches[0].json["activity_title"] == fake.activities[oid].title
    assert platform.start_offer(spec, idempotency_key="fs-lost") == oid and list(fake.activities) == [oid]


def test_coupons_are_read_but_not_made(fake, platform):
    cid = fake.add_coupon(title="LIVE 5 off", status="ONGOING", discount={
        "type": "AMOUNT_OFF", "reduction_amount": {"amount": "5.00", "currency": "USD"}},
        threshold={"type": "MIN_SPEND", "min_spend": {"amount": "30.00", "currency": "USD"}},
        usage_limits={"single_buyer_claim_limit": 1, "total_claim_limit": 200}, usage_stats={"claimed_count": 17},
        product_scope="FULL_SHOP")
    c = platform.read_coupon(cid)
    assert (c.spec.amount, c.spec.threshold, c.spec.total_qty, c.issued, c.active) == (500, 3000, 200, 17, True)
    assert platform.capabilities.coupons is False


# ---- settings, entry point, secrets ----------------------------------------------------------------------
def settings_with(tmp_path, table: dict) -> Settings:
    s = Settings(tmp_path / "settings.toml", data={"platform": {"kind": "tiktok_shop", "tiktok_shop": table}})
    return s


@pytest.mark.parametrize("table, match", [
    ({"currency": "USD"}, r"app_key: missing"),
    ({"app_key": "abc"}, r"currency: missing"),
    ({"app_key": "abc", "currency": "USD", "shop_chiper": "x"}, r"unknown keys: shop_chiper"),
    ({"app_key": "abc", "currency": "JPY"}, r"currency: JPY prices are whole numbers"),
    ({"app_key": "abc", "currency": "USD", "app_secret": "s3cr3t"}, r"app_secret: secrets do not belong"),
    ({"app_key": "abc", "currency": "USD", "base_url": "http://shop.example.com"}, r"base_url: must be https"),
    ({"app_key": "abc", "currency": "USD", "qps": 0}, r"qps: must be more than 0"),
    ({"app_key": "abc", "currency": "USD", "read_timeout": "5"}, r"read_timeout must be float"),
])
def test_wrong_or_missing_settings_are_refused_by_name(tmp_path, table, match):
    with pytest.raises(SettingsError, match=match):
        TikTokShopConfig.from_settings(settings_with(tmp_path, table))


def test_the_entry_point_builds_the_adapter(fake, tmp_path):
    set_secret("tiktok_shop_app_secret", fake.app_secret)
    set_secret("tiktok_shop_access_token", fake.access_token)
    s = settings_with(tmp_path, {"app_key": fake.app_key, "currency": "USD", "base_url": fake.url})
    p = create_platform(PlatformContext(settings=s, show_dir=tmp_path, clock=ManualClock(), data_dir=tmp_path))
    assert isinstance(p, TikTokShopPlatform) and p.read_product("LIP-001").price == 1290
    p.close()


def test_a_missing_secret_names_where_to_put_it(fake, tmp_path, monkeypatch):
    monkeypatch.delenv("CONTROLROOM_TIKTOK_ACCESS_TOKEN", raising=False)
    set_secret("tiktok_shop_app_secret", fake.app_secret)
    set_secret("tiktok_shop_access_token", "")
    with pytest.raises(MissingSecret) as e:
        TikTokShopPlatform(config(fake.url, access_token_name="tts_token_entry"), data_dir=tmp_path)
    assert "tts_token_entry" in str(e.value) and "CONTROLROOM_TIKTOK_ACCESS_TOKEN" in str(e.value)


def test_the_ledger_survives_a_restart(fake, tmp_path):
    p = make(fake, tmp_path)
    p.set_price("LIP-001", 1190, idempotency_key="restart-1")
    p.close()
    q = make(fake, tmp_path)
    q.set_price("LIP-001", 1190, idempotency_key="restart-1")     # the same key after a restart
    assert [a for a in fake.applied if a[0] == "update_price"] == [("update_price", ("LIP-001", 1190))]
    q.close()


def test_secrets_stay_out_of_logs_the_ledger_and_errors(fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    p = make(fake, tmp_path)
    p.read_products()
    p.set_price("LIP-001", 1190, idempotency_key="sec-1")
    fake.faults.add("update_price", "refused")
    with pytest.raises(TikTokError) as e:
        p.set_price("LIP-001", 1090, idempotency_key="sec-2")
    p.close()
    blobs = [r.getMessage() for r in caplog.records] + [str(e.value), repr(p)]
    blobs += [f.read_bytes().decode("latin-1") for f in tmp_path.glob("*.sqlite*")]
    for secret in (fake.app_secret, fake.access_token):
        assert not [b for b in blobs if secret in b]
    assert json.dumps([r.getMessage() for r in caplog.records])       # the records were produced
