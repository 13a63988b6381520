"""The Shopify adapter against its conformance fake (shopify_fake.py): the port contract with faults,
X-Shopify-Access-Token, the cost bucket (waiting for it before a call that would overrun it, riding out
THROTTLED answers), decimal-string money, inventorySetQuantities with compare-and-swap and @idempotent,
amount-off codes, console-run offers with a compare-at price, settings refused by name, secrets kept out."""
from __future__ import annotations

import json
import logging
import time

import pytest
import requests

from controlroom.adapters import PlatformContext, create_platform
from controlroom.clock import ManualClock
from controlroom.platform import CouponSpec, OfferSpec, PlatformRateLimited
from controlroom.secrets import set_secret
from controlroom.settings import Settings, SettingsError
from plugins.shop_common.config import MissingSecret
from plugins.shopify import ShopifyConfig, ShopifyError, ShopifyPlatform
from plugins.shopify import adapter as docs
from tests.plugins.contract import PlatformContract
from tests.plugins.shops.harness import FakeShopHarness
from tests.plugins.shops.late_retry import LateRetryContract
from tests.plugins.shops.graphql_mini import operation_cost, parse
from tests.plugins.shops.shopify_fake import ShopifyFake

READ_TIMEOUT = 0.3
SHOP = "fake-store.myshopify.com"


def config(url: str, **kw) -> ShopifyConfig:
    base = dict(shop=SHOP, currency="USD", base_url=url, connect_timeout=0.5, read_timeout=READ_TIMEOUT,
                max_attempts=3, backoff_base=0.01, backoff_max=0.05, retry_budget=2.0, readback_attempts=3,
                readback_interval=0.01)
    base.update(kw)
    return ShopifyConfig(**base)


def stock_shop(f: ShopifyFake) -> ShopifyFake:
    f.add_product("Velvet Matte Lipstick", [dict(sku="LIP-001", price=1290, compare_at=2590, stock=800)])
    f.add_product("Hyaluronic Serum 30ml", [dict(sku="SER-002", price=2990, compare_at=4990, stock=600),
                                           dict(sku="SER-002-M", price=1590, stock=300)])
    return f


@pytest.fixture
def fake():
    f = stock_shop(ShopifyFake())
    yield f
    f.close()


def make(fake: ShopifyFake, tmp_path, **kw) -> ShopifyPlatform:
    set_secret("shopify_access_token", fake.token)
    return ShopifyPlatform(config(fake.url, **kw), data_dir=tmp_path)


@pytest.fixture
def platform(fake, tmp_path):
    p = make(fake, tmp_path)
    yield p
    p.close()


# ---- the port contract ----------------------------------------------------------------------------
WIRE = {"list_product": "productUpdate", "unlist_product": "productUpdate", "set_price": "productVariantsBulkUpdate",
        "set_stock": "inventorySetQuantities", "read_product": "productVariants", "read_products": "productVariants",
        "issue_coupon": "discountCodeBasicCreate", "stop_coupon": "discountCodeDeactivate",
        "read_coupon": "codeDiscountNode", "metrics": "orders"}


class TestShopifyContract(PlatformContract, LateRetryContract):
    @pytest.fixture
    def harness(self, fake, platform, tmp_path):
        platform.ensure_shop()          # the shop's currency and location are settled once, as in a show
        return FakeShopHarness(platform=platform, sku="SER-002", other_sku="LIP-001", fake=fake, wire=WIRE,
                               hold=READ_TIMEOUT * 3, live_secrets=lambda: (fake.token,),
                               reopen=lambda: make(fake, tmp_path))


# ---- authentication --------------------------------------------------------------------------------------
def test_the_token_goes_in_the_header_and_a_wrong_one_is_refused(fake, tmp_path):
    p = make(fake, tmp_path)
    p.read_product("LIP-001")
    assert all(r.headers["x-shopify-access-token"] == fake.token and fake.token not in r.raw_path
               for r in fake.requests)
    p.close()
    set_secret("shopify_access_token", "shpat_not_the_token_77")
    q = ShopifyPlatform(config(fake.url), data_dir=tmp_path)
    with pytest.raises(ShopifyError) as e:
        q.read_product("LIP-001")
    assert "401" in str(e.value) and not e.value.retryable and "shpat_not_the_token_77" not in str(e.value)
    q.close()


# ---- the cost bucket ("GraphQL Admin API rate limits") ---------------------------------------------------
def test_every_document_fits_under_the_single_query_limit():
    for name in ("Q_SHOP", "Q_VARIANT", "Q_VARIANTS", "Q_COUPON", "Q_COUPON_BY_CODE", "Q_ORDERS", "M_PRICE",
                 "M_STATUS", "M_STOCK", "M_COUPON", "M_COUPON_STOP"):
        assert operation_cost(parse(getattr(docs, name)), {}) <= 1000, name


def test_a_client_that_ignores_the_bucket_is_throttled(tmp_path):
    # what the pacing below prevents: 12-point reads against a 40-point bucket refilling 50/s
    f = stock_shop(ShopifyFake(bucket_max=40, restore_rate=50))
    try:
        body = {"query": docs.Q_VARIANT, "variables": {"q": 'sku:"LIP-001"', "loc": f.locations[0]["id"]}}
        answers = [requests.post(f"{f.url}/admin/api/2026-04/graphql.json", json=body, timeout=2,
                                 headers={"X-Shopify-Access-Token": f.token}).json() for _ in range(8)]
        throttled = [a for a in answers if a.get("errors")]
        assert throttled and throttled[0]["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert throttled[0]["extensions"]["cost"]["throttleStatus"]["restoreRate"] == 50.0
    finally:
        f.close()


def test_the_adapter_waits_for_the_bucket_instead_of_being_throttled(tmp_path):
    f = stock_shop(ShopifyFake(bucket_max=40, restore_rate=50))
    try:
        p = make(f, tmp_path)
        p.read_product("LIP-001")               # learns the bucket and the document's cost
        for _ in range(10):
            assert p.read_product("LIP-001").price == 1290
        assert f.throttled == 0 and p.client.waited > 0.5   # 10 × 20 points at 50/s: it had to wait
        p.close()
    finally:
        f.close()


def test_a_throttled_answer_is_ridden_out_with_the_wait_it_names(fake, platform):
    platform.read_product("LIP-001")
    fake.drain(0)
    platform.client.bucket = None              # as if the adapter had not seen the bucket lately
    t0 = time.monotonic()
    assert platform.read_product("LIP-001").price == 1290
    assert fake.throttled == 1 and time.monotonic() - t0 >= 0.1   # ~12 points at 100/s


def test_a_bucket_that_cannot_refill_in_time_is_rate_limited(tmp_path):
    f = stock_shop(ShopifyFake(bucket_max=600, restore_rate=50))
    try:
        p = make(f, tmp_path, retry_budget=1.0)
        p.read_product("LIP-001")
        f.drain(0)
        with pytest.raises(PlatformRateLimited) as e:
            p.read_products()                      # 502 points, 10 s of refilling
        assert e.value.retryable and e.value.retry_after >= 9.0
        p.close()
    finally:
        f.close()


# ---- money, stock, listing ------------------------------------------------------------------------------
def test_prices_travel_as_decimal_strings(fake, platform):
    platform.set_price("LIP-001", 1190, idempotency_key="money-1")
    m = next(r.json for r in fake.requests if "productVariantsBulkUpdate" in r.json["query"])
    assert m["variables"]["variants"][0]["price"] == "11.90"
    assert platform.read_product("LIP-001").price == 1190


def test_a_shop_in_another_currency_is_refused(tmp_path):
    f = stock_shop(ShopifyFake(currency="CAD"))
    try:
        p = make(f, tmp_path)
        with pytest.raises(ShopifyError) as e:
            p.read_product("LIP-001")
        assert "CAD" in str(e.value) and "USD" in str(e.value) and not e.value.retryable
        p.close()
    finally:
        f.close()


def test_stock_is_set_with_compare_and_swap_and_an_idempotency_key(fake, platform):
    platform.set_stock("LIP-001", 700, idempotency_key="stock-1")
    m = next(r.json for r in fake.requests if "inventorySetQuantities" in r.json["query"])
    assert "@idempotent(key: $key)" in m["query"] and m["variables"]["key"].startswith("stock-1")
    q = m["variables"]["input"]["quantities"][0]
    assert (q["quantity"], q["changeFromQuantity"]) == (700, 800)
    assert platform.read_product("LIP-001").stock == 700


def test_a_sale_between_read_and_write_is_read_again_not_overwritten_blindly(fake, platform):
    fake.before["inventorySetQuantities"] = lambda: fake.sell("LIP-001", 1)
    platform.set_stock("LIP-001", 700, idempotency_key="stock-cas")
    sets = [r.json["variables"]["input"]["quantities"][0] for r in fake.requests
            if "inventorySetQuantities" in r.json["query"]]
    assert [s["changeFromQuantity"] for s in sets] == [800, 799]     # stale once, then against the new figure
    assert platform.read_product("LIP-001").stock == 700


def test_2026_04_refuses_inventory_writes_without_an_idempotency_key(fake, tmp_path):
    p = make(fake, tmp_path, idempotent_directive=False)
    with pytest.raises(ShopifyError) as e:
        p.set_stock("LIP-001", 700, idempotency_key="no-directive")
    assert "@idempotent" in str(e.value)
    p.close()


def test_listing_is_per_product(fake, platform):
    platform.unlist_product("SER-002", idempotency_key="draft-1")
    assert platform.read_product("SER-002-M").listed is False and platform.read_product("LIP-001").listed


def test_several_locations_need_the_one_the_show_sells_from(tmp_path):
    f = stock_shop(ShopifyFake(locations=2))
    try:
        p = make(f, tmp_path)
        with pytest.raises(ShopifyError) as e:
            p.read_product("LIP-001")
        assert "location_id" in str(e.value) and "gid://shopify/Location/2" in str(e.value)
        p.close()
        q = make(f, tmp_path, location_id="gid://shopify/Location/1")
        assert q.read_product("LIP-001").stock == 800
        q.close()
    finally:
        f.close()


# ---- coupons and offers -----------------------------------------------------------------------------------
def test_a_coupon_is_an_amount_off_code_with_its_limits(fake, platform):
    cid = platform.issue_coupon(CouponSpec("LIP-001", threshold=3000, amount=500, total_qty=200), idempotency_key="cp-1")
    d = fake.discounts[cid]
    assert (d["amount"], d["minimum"], d["usage_limit"], d["once"]) == (500, 3000, 200, True)
    assert d["variants"] == [fake.by_sku("LIP-001").id]
    with pytest.raises(ShopifyError, match="per_buyer_limit 2"):
        platform.issue_coupon(CouponSpec(None, 0, 500, None, per_buyer_limit=2), idempotency_key="cp-2")


def test_offers_are_the_consoles_timed_price_change(fake, platform):
    """No flash-sale API: the adapter refuses offer calls (nothing applied) and says so in its capabilities;
    the console times the price change and caps the quantity itself."""
    from controlroom.platform import PlatformError
    assert platform.capabilities.native_offers is False and platform.capabilities.offer_quantity_cap is False
    before = platform.read_product("LIP-001")
    with pytest.raises(PlatformError):
        platform.start_offer(OfferSpec("LIP-001", 990, 600.0), idempotency_key="of-a")
    assert platform.read_product("LIP-001") == before


def test_metrics_count_orders_since_the_adapter_started(fake, platform):
    fake.sell("LIP-001", 2)
    fake.sell("SER-002", 1, paid=False)
    m = platform.metrics()
    assert (m.orders, m.paid_orders, m.gmv, m.paid_gmv) == (2, 1, 2 * 1290 + 2990, 2 * 1290)
    assert m.skus["LIP-001"].units == 2 and m.online == 0


# ---- settings, entry point, secrets ---------------------------------------------------------------------
def settings_with(tmp_path, table: dict) -> Settings:
    return Settings(tmp_path / "settings.toml", data={"platform": {"kind": "shopify", "shopify": table}})


@pytest.mark.parametrize("table, match", [
    ({"currency": "USD"}, r"shop: missing"),
    ({"shop": SHOP}, r"currency: missing"),
    ({"shop": "fake-store.com", "currency": "USD"}, r"shop: expected the shop's myshopify domain"),
    ({"shop": SHOP, "currency": "USD", "locaton_id": "x"}, r"unknown keys: locaton_id"),
    ({"shop": SHOP, "currency": "JPY"}, r"currency: JPY has no 1/100 unit"),
    ({"shop": SHOP, "currency": "USD", "api_version": "2026-05"}, r"api_version: expected a quarterly version"),
    ({"shop": SHOP, "currency": "USD", "access_token": "shpat_x"}, r"access_token: secrets do not belong"),
    ({"shop": SHOP, "currency": "USD", "location_id": "42"}, r"location_id: expected gid://shopify/Location"),
    ({"shop": SHOP, "currency": "USD", "base_url": "http://evil.example.com"}, r"base_url: must be https"),
])
def test_wrong_or_missing_settings_are_refused_by_name(tmp_path, table, match):
    with pytest.raises(SettingsError, match=match):
        ShopifyConfig.from_settings(settings_with(tmp_path, table))


def test_the_entry_point_builds_the_adapter(fake, tmp_path):
    set_secret("shopify_access_token", fake.token)
    s = settings_with(tmp_path, {"shop": SHOP, "currency": "USD", "base_url": fake.url})
    p = create_platform(PlatformContext(settings=s, show_dir=tmp_path, clock=ManualClock(), data_dir=tmp_path))
    assert isinstance(p, ShopifyPlatform) and p.read_product("LIP-001").price == 1290
    p.close()


def test_a_missing_token_names_where_to_put_it(fake, tmp_path, monkeypatch):
    monkeypatch.delenv("CONTROLROOM_SHOPIFY_ACCESS_TOKEN", raising=False)
    with pytest.raises(MissingSecret) as e:
        ShopifyPlatform(config(fake.url, access_token_name="no_such_entry"), data_dir=tmp_path)
    assert "no_such_entry" in str(e.value) and "CONTROLROOM_SHOPIFY_ACCESS_TOKEN" in str(e.value)


def test_the_token_may_come_from_the_environment(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("CONTROLROOM_SHOPIFY_ACCESS_TOKEN", fake.token)
    p = ShopifyPlatform(config(fake.url, access_token_name="no_such_entry"), data_dir=tmp_path)
    assert p.read_product("LIP-001").stock == 800
    p.close()


def test_secrets_stay_out_of_logs_the_ledger_and_errors(fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    p = make(fake, tmp_path)
    p.read_products()
    p.set_stock("LIP-001", 10, idempotency_key="sec-1")
    fake.faults.add("productVariantsBulkUpdate", "refused")
    with pytest.raises(ShopifyError) as e:
        p.set_price("LIP-001", 1090, idempotency_key="sec-2")
    p.close()
    blobs = [r.getMessage() for r in caplog.records] + [str(e.value), repr(p)]
    blobs += [f.read_bytes().decode("latin-1") for f in tmp_path.glob("*.sqlite*")]
    assert not [b for b in blobs if fake.token in b]
    assert json.dumps(blobs)
