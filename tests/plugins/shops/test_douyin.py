"""The 抖店 adapter against its conformance fake (douyin_fake.py): the port contract with faults, the
documented signing, tokens that expire, throttling, settings refused by name, secrets kept out."""
from __future__ import annotations

import hashlib
import hmac
import logging

import pytest

from controlroom.adapters import PlatformContext, create_platform
from controlroom.clock import ManualClock
from controlroom.platform import PlatformError, PlatformRateLimited
from controlroom.secrets import set_secret
from controlroom.settings import Settings, SettingsError
from plugins.douyin import DouyinConfig, DouyinPlatform
from plugins.douyin.signing import param_json, sign, sign_string
from plugins.shop_common.config import MissingSecret
from plugins.shop_common.transport import ShopProtocolError
from tests.plugins.contract import PlatformContract
from tests.plugins.shops.harness import FakeShopHarness
from tests.plugins.shops.late_retry import LateRetryContract
from tests.plugins.shops.douyin_fake import DouyinFake, FakeProduct

APP_KEY = "7012345678901234567"
SECRET = "dy-app-secret-Vx93-never-log-me"
SHOP_ID = 880011
READ_TIMEOUT = 0.3


def products() -> list[FakeProduct]:
    return [FakeProduct(3600000000000000001, "丝绒雾面口红 Velvet Matte Lipstick", 12900,
                        [dict(sku_id=1700000000000000001, code="LIP-001", price=6900, stock_num=800)]),
            FakeProduct(3600000000000000002, "玻尿酸补水精华 Hyaluronic Serum 30ml", 29900,
                        [dict(sku_id=1700000000000000002, code="SER-002", price=19900, stock_num=600),
                         dict(sku_id=1700000000000000003, code="SER-002-M", price=9900, stock_num=300)])]


def config(url: str, **kw) -> DouyinConfig:
    base = dict(app_key=APP_KEY, shop_id=str(SHOP_ID), base_url=url, connect_timeout=0.5,
                read_timeout=READ_TIMEOUT, max_attempts=3, backoff_base=0.01, backoff_max=0.05, retry_budget=2.0,
                throttle_wait=0.05, readback_attempts=2, readback_interval=0.01)
    base.update(kw)
    return DouyinConfig(**base)


@pytest.fixture
def fake():
    f = DouyinFake(app_key=APP_KEY, app_secret=SECRET, shop_id=SHOP_ID, products=products(), hold=READ_TIMEOUT * 3)
    yield f
    f.close()


@pytest.fixture
def platform(fake, tmp_path):
    set_secret("douyin_app_secret", SECRET)
    p = DouyinPlatform(config(fake.url), data_dir=tmp_path)
    yield p
    p.close()


# ---- the port contract ----------------------------------------------------------------------------
WIRE = {"list_product": "product.setOnline", "unlist_product": "product.setOffline", "set_price": "sku.editPrice",
        "set_stock": "sku.syncStock", "read_product": "product.detail", "read_products": "product.listV2",
        "metrics": "order.searchList"}


class TestDouyinContract(PlatformContract, LateRetryContract):
    @pytest.fixture
    def harness(self, fake, platform, tmp_path):
        platform.read_product("SER-002")      # the SKU's ids are looked up once, as in a show
        platform.read_product("LIP-001")
        return FakeShopHarness(platform=platform, sku="SER-002", other_sku="LIP-001", fake=fake, wire=WIRE,
                               hold=READ_TIMEOUT * 3, secrets=(SECRET,),
                               live_secrets=lambda: (*fake.tokens, *fake.refresh_tokens),
                               reopen=lambda: DouyinPlatform(config(fake.url), data_dir=tmp_path))


# ---- signing (the documented string; see plugins/douyin/signing.py for the sources) ---------------
def test_signing_worked_example_from_the_documented_parameters():
    # The values of the API guide's common-parameter table: app_key 3409409348479354011, method
    # product.getGoodsCategory, param_json {"cid":"12","page":"1"}, timestamp 2020-09-15 14:48:13, v 2.
    secret = "example-app-secret"
    pj = param_json({"page": "1", "cid": "12"})
    assert pj == '{"cid":"12","page":"1"}'
    literal = ("example-app-secret" "app_key3409409348479354011" "methodproduct.getGoodsCategory"
               'param_json{"cid":"12","page":"1"}' "timestamp2020-09-15 14:48:13" "v2" "example-app-secret")
    assert sign_string("3409409348479354011", secret, "product.getGoodsCategory", pj, "2020-09-15 14:48:13") == literal
    assert sign("3409409348479354011", secret, "product.getGoodsCategory", pj, "2020-09-15 14:48:13") == \
        hmac.new(secret.encode(), literal.encode(), hashlib.sha256).hexdigest()
    assert sign("3409409348479354011", secret, "product.getGoodsCategory", pj, "2020-09-15 14:48:13", "md5") == \
        hashlib.md5(literal.encode()).hexdigest()


def test_param_json_sorts_keys_at_every_level_and_keeps_text_as_is():
    assert param_json({"b": 1, "a": {"z": [2, {"y": 1, "x": "中文/url"}], "c": None}}) == \
        '{"a":{"c":null,"z":[2,{"x":"中文/url","y":1}]},"b":1}'


def test_a_wrong_signature_is_refused_with_the_platform_code(fake, tmp_path):
    set_secret("douyin_app_secret", "not-the-app-secret")
    p = DouyinPlatform(config(fake.url), data_dir=tmp_path)
    with pytest.raises(PlatformError) as e:
        p.read_product("SER-002")
    assert not e.value.retryable
    assert "40003" in str(e.value) and "isv.signature-invalid" in str(e.value)
    assert ("token.create", "isv.signature-invalid") in fake.rejected
    p.close()


def test_md5_signing_is_accepted_end_to_end(fake, tmp_path):
    set_secret("douyin_app_secret", SECRET)
    p = DouyinPlatform(config(fake.url, sign_method="md5"), data_dir=tmp_path)
    p.set_price("SER-002", 18900, idempotency_key="md5-1")
    assert fake.sku("SER-002")[1]["price"] == 18900
    assert all(r.query["sign_method"] == "md5" for r in fake.requests)
    p.close()


def test_every_call_is_signed_as_documented(fake, platform):
    platform.set_price("SER-002", 18900, idempotency_key="k")
    assert fake.rejected == []
    for r in fake.requests:
        assert r.method == "POST" and r.query["v"] == "2" and r.query["app_key"] == APP_KEY
        assert r.query["method"] == r.path.strip("/").replace("/", ".")
        body = r.body.decode()
        assert body == param_json(__import__("json").loads(body))          # canonical on the wire
        assert SECRET not in r.raw_path and SECRET not in body


def test_a_stale_clock_is_refused_as_the_platform_does(fake, tmp_path):
    set_secret("douyin_app_secret", SECRET)
    import time
    p = DouyinPlatform(config(fake.url), data_dir=tmp_path, wall=lambda: time.time() - 3600)
    with pytest.raises(PlatformError, match="isv.timestamp-invalid"):
        p.read_product("SER-002")
    p.close()


# ---- tokens -----------------------------------------------------------------------------------
def test_an_expired_token_is_renewed_and_the_call_goes_through(fake, platform):
    platform.read_product("SER-002")
    assert fake.granted == 1
    fake.expire_tokens()
    platform.set_price("SER-002", 17900, idempotency_key="after-expiry")
    assert fake.sku("SER-002")[1]["price"] == 17900
    assert fake.granted == 2
    assert ("sku.detail", "isv.access-token-expired") in fake.rejected or \
        ("product.detail", "isv.access-token-expired") in fake.rejected or \
        ("sku.editPrice", "isv.access-token-expired") in fake.rejected
    # renewal uses the refresh token it was given (token.refresh), not a new authorization
    assert [r.query["method"] for r in fake.requests if r.query["method"].startswith("token.")] == \
        ["token.create", "token.refresh"]


def test_a_token_is_renewed_before_it_runs_out(tmp_path):
    clock = ManualClock()
    fake = DouyinFake(app_key=APP_KEY, app_secret=SECRET, shop_id=SHOP_ID, products=products(),
                      token_ttl=3600, clock=clock.monotonic)
    set_secret("douyin_app_secret", SECRET)
    p = DouyinPlatform(config(fake.url, token_refresh_margin=300), data_dir=tmp_path, clock=clock)
    p.read_product("SER-002")
    clock.advance(3600 - 299)                      # inside the margin: renew first, never send a stale one
    p.read_product("SER-002")
    assert fake.granted == 2
    assert not any(sub == "isv.access-token-expired" for _, sub in fake.rejected)
    p.close()
    fake.close()


def test_a_wrong_shop_is_a_credentials_refusal_naming_the_fix(fake, tmp_path):
    set_secret("douyin_app_secret", SECRET)
    p = DouyinPlatform(config(fake.url, shop_id="999"), data_dir=tmp_path)
    with pytest.raises(PlatformError, match="50001.*shop_id is wrong") as e:
        p.read_products()
    assert not e.value.retryable
    p.close()


# ---- throttling and answers -------------------------------------------------------------------------
def test_throttled_like_the_platform_reads_ride_it_out(fake, tmp_path):
    set_secret("douyin_app_secret", SECRET)
    p = DouyinPlatform(config(fake.url, throttle_wait=0.6, max_attempts=4, retry_budget=3.0), data_dir=tmp_path)
    p.read_product("SER-002")
    fake.qps = 2                                         # per method per second, as the platform counts
    for _ in range(5):
        p.read_product("SER-002")                        # 60000 answers are waited out inside the budget
    assert ("product.detail", "isv.traffic-limited") in fake.rejected
    p.close()


def test_throttling_that_lasts_is_rate_limited_with_the_configured_wait(fake, platform):
    fake.fail("sku.editPrice", "rate_limited", times=50)
    with pytest.raises(PlatformRateLimited) as e:
        platform.set_price("SER-002", 18800, idempotency_key="t")
    assert e.value.retry_after == pytest.approx(0.05)
    assert "60000" in str(e.value) and "isv.traffic-limited" in str(e.value)


def test_an_answer_lost_after_applying_is_reconciled_not_resent(fake, platform):
    platform.read_product("SER-002")
    fake.fail("sku.editPrice", "apply_then_timeout", times=1)
    platform.set_price("SER-002", 18700, idempotency_key="lost")     # no answer: read, it landed, done
    assert [m for m, _ in fake.applied] == ["sku.editPrice"]
    assert len([r for r in fake.requests if r.query["method"] == "sku.editPrice"]) == 1


def test_a_timeout_before_applying_is_sent_again_after_reading(fake, platform):
    platform.read_product("SER-002")
    fake.fail("sku.editPrice", "timeout", times=1)
    platform.set_price("SER-002", 18600, idempotency_key="hung")
    assert [m for m, _ in fake.applied] == ["sku.editPrice"] and fake.sku("SER-002")[1]["price"] == 18600
    assert len([r for r in fake.requests if r.query["method"] == "sku.editPrice"]) == 2


def test_the_actions_deadline_bounds_a_hanging_write(fake, tmp_path):
    from controlroom.clock import SystemClock
    from controlroom.platform import PlatformTimeout, deadline
    import time
    set_secret("douyin_app_secret", SECRET)
    fake.hold = 3.0
    p = DouyinPlatform(config(fake.url, read_timeout=2.0, max_attempts=4, retry_budget=10.0), data_dir=tmp_path)
    p.read_product("SER-002")
    fake.fail("sku.editPrice", "timeout", times=50)
    t = time.monotonic()
    with deadline(0.6, SystemClock()), pytest.raises(PlatformTimeout):
        p.set_price("SER-002", 18000, idempotency_key="dl")
    assert time.monotonic() - t < 1.3            # not 2 s per attempt × 4: the deadline cuts every wait
    sent = len([r for r in fake.requests if r.query["method"] == "sku.editPrice"])
    with deadline(0, SystemClock()), pytest.raises(PlatformTimeout, match="not sent"):
        p.set_price("SER-002", 17000, idempotency_key="dl-0")
    assert len([r for r in fake.requests if r.query["method"] == "sku.editPrice"]) == sent
    p.close()


def test_the_actions_deadline_ends_the_read_back(fake, tmp_path):
    from controlroom.clock import SystemClock
    from controlroom.platform import deadline
    import time
    set_secret("douyin_app_secret", SECRET)
    p = DouyinPlatform(config(fake.url, readback_attempts=30, readback_interval=0.1), data_dir=tmp_path)
    fake.lie_price("SER-002", 1)
    t = time.monotonic()
    with deadline(0.8, SystemClock()):
        p.set_price("SER-002", 18000, idempotency_key="rb")
    assert time.monotonic() - t < 1.4 and p.last_mismatch.actual == 1
    p.close()


def test_a_price_in_yuan_from_the_shop_is_refused_not_guessed(fake, platform, monkeypatch):
    orig = fake._price_of
    monkeypatch.setattr(fake, "_price_of", lambda s: "199.00" if s["code"] == "SER-002" else orig(s))
    with pytest.raises(ShopProtocolError, match="price"):
        platform.read_product("SER-002")


def test_price_goes_out_in_fen(fake, platform):
    platform.set_price("SER-002", 18990, idempotency_key="p")
    (method, params), = [a for a in fake.applied if a[0] == "sku.editPrice"]
    assert params["price"] == 18990 and type(params["price"]) is int
    assert params["sku_id"] == 1700000000000000002 and params["product_id"] == 3600000000000000002


def test_listing_is_per_product_and_reads_back(fake, platform):
    platform.list_product("SER-002", idempotency_key="l")
    assert platform.read_product("SER-002-M").listed          # a 抖店 product is listed as a whole
    assert not platform.read_product("LIP-001").listed


def test_metrics_count_orders_since_the_adapter_started(fake, platform):
    fake.sell("SER-002", 2)
    fake.sell("LIP-001", 1, paid=False)
    m = platform.metrics()
    assert (m.orders, m.paid_orders, m.gmv, m.paid_gmv) == (2, 1, 2 * 19900 + 6900, 2 * 19900)
    assert m.skus["SER-002"].units == 2 and m.skus["LIP-001"].paid_orders == 0


def test_offers_are_the_consoles_a_timed_price_change(fake, platform):
    from controlroom.platform import OfferSpec
    caps = platform.capabilities
    assert not caps.native_offers and not caps.offer_quantity_cap and not caps.offer_per_buyer_limit
    with pytest.raises(PlatformError, match="no flash-sale") as e:
        platform.start_offer(OfferSpec("SER-002", 12900, 600, quantity=100), idempotency_key="o1")
    assert not e.value.retryable and fake.writes == 0
    with pytest.raises(PlatformError, match="no flash-sale"):
        platform.read_offer("any")


def test_the_ledger_survives_a_restart(fake, tmp_path):
    set_secret("douyin_app_secret", SECRET)
    p = DouyinPlatform(config(fake.url), data_dir=tmp_path)
    p.set_price("SER-002", 18900, idempotency_key="restart-1")
    p.set_price("SER-002", 17900, idempotency_key="restart-2")
    p.close()
    p = DouyinPlatform(config(fake.url), data_dir=tmp_path)
    p.set_price("SER-002", 18900, idempotency_key="restart-1")    # a late retry after a crash: not applied
    assert fake.sku("SER-002")[1]["price"] == 17900
    assert [m for m, _ in fake.applied] == ["sku.editPrice", "sku.editPrice"]
    p.close()


# ---- settings and secrets ---------------------------------------------------------------------------
def settings_with(tmp_path, table: dict, kind: str = "douyin") -> Settings:
    return Settings(tmp_path / "settings.toml", data={"platform": {"kind": kind, "douyin": table}})


@pytest.mark.parametrize("table,match", [
    ({"shop_id": "1"}, r"\[platform.douyin\] app_key: missing"),
    ({"app_key": APP_KEY}, r"\[platform.douyin\] shop_id: missing"),
    ({"app_key": "123", "shop_id": "1"}, r"app_key: must be the 19-digit app key"),
    ({"app_key": APP_KEY, "shop_id": "shop-1"}, r"shop_id: must be the numeric shop ID"),
    ({"app_key": APP_KEY, "shop_id": "1", "sign_method": "sha1"}, r"sign_method: must be one of"),
    ({"app_key": APP_KEY, "shop_id": "1", "app_secret": "x"}, r"unknown keys: app_secret"),
    ({"app_key": APP_KEY, "shop_id": "1", "read_timeout": "5"}, r"read_timeout must be float"),
    ({"app_key": APP_KEY, "shop_id": "1", "page_size": 500}, r"page_size: 抖店 pages hold at most 100"),
    ({"app_key": APP_KEY, "shop_id": "1", "grant": "password"}, r"grant: must be one of"),
])
def test_wrong_or_missing_settings_are_refused_by_name(tmp_path, table, match):
    with pytest.raises(SettingsError, match=match):
        DouyinConfig.from_settings(settings_with(tmp_path, table))


def test_the_entry_point_builds_the_adapter(fake, tmp_path):
    set_secret("douyin_app_secret", SECRET)
    s = settings_with(tmp_path, {"app_key": APP_KEY, "shop_id": str(SHOP_ID), "base_url": fake.url})
    p = create_platform(PlatformContext(s, tmp_path, ManualClock(), tmp_path))
    assert isinstance(p, DouyinPlatform)
    assert p.read_product("LIP-001").price == 6900
    assert (tmp_path / "shop_ledger.sqlite").exists()
    p.close()


def test_a_missing_secret_names_where_to_put_it(fake, tmp_path, monkeypatch):
    monkeypatch.delenv("CONTROLROOM_DOUYIN_APP_SECRET", raising=False)
    with pytest.raises(MissingSecret, match="keyring entry 'dy_nowhere' or the environment variable DY_NOWHERE"):
        DouyinPlatform(config(fake.url, app_secret_name="dy_nowhere", app_secret_env="DY_NOWHERE"),
                       data_dir=tmp_path)


def test_the_secret_comes_from_the_environment_too(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("DY_SECRET_ENV", SECRET)
    p = DouyinPlatform(config(fake.url, app_secret_name="", app_secret_env="DY_SECRET_ENV"), data_dir=tmp_path)
    assert p.read_product("LIP-001").stock == 800
    p.close()


def test_secrets_stay_out_of_logs_the_ledger_and_errors(fake, platform, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)              # urllib3 logs every request line, access_token included
    platform.set_price("SER-002", 18900, idempotency_key="s1")
    fake.expire_tokens()
    fake.fail("sku.editPrice", "unavailable", times=50)
    with pytest.raises(PlatformError) as e:
        platform.set_price("SER-002", 17900, idempotency_key="s2")
    secrets = (SECRET, *fake.tokens, *fake.refresh_tokens)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert any("access_token=***" in r.getMessage() for r in caplog.records)   # the request line, masked
    ledger = (tmp_path / "shop_ledger.sqlite").read_bytes()
    for s in secrets:
        assert s not in logged and s not in str(e.value) and s.encode() not in ledger
