"""The four real-shop adapters against a misbehaving network: each conformance fake behind
tests/plugins/misbehaving.MisbehavingShop (real HTTP on 127.0.0.1). Whatever the bytes do, a call ends within
the action's deadline, a body is never read whole past a bound, nothing goes to an address nobody configured,
no parser crash escapes, and a write whose answer was lost lands exactly once (the adapter reads the shop
before it would send again)."""
from __future__ import annotations

import json
import math
import tracemalloc
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from controlroom.clock import SystemClock
from controlroom.platform import PlatformError, PlatformRateLimited, PlatformTimeout, deadline
from controlroom.secrets import set_secret
from plugins.douyin import DouyinPlatform
from plugins.shopify import ShopifyPlatform
from plugins.tiktok_shop import TikTokShopPlatform
from plugins.wechat_channels import WechatChannelsPlatform
from tests.fakes import LocalServer, Reply
from tests.plugins.misbehaving import MisbehavingShop, elapsed
from tests.plugins.shops import test_douyin as dy, test_shopify as sf, test_tiktok_shop as tt, test_wechat_channels as wx
from tests.plugins.shops.douyin_fake import DouyinFake
from tests.plugins.shops.shopify_fake import ShopifyFake
from tests.plugins.shops.tiktok_fake import TikTokShopFake
from tests.plugins.shops.wechat_fake import WechatFake


@dataclass
class Case:
    fake: Any
    make: Callable[[str, Any], Any]      # (base url, tmp_path) -> adapter
    sku: str
    price: int                           # a new price for it, in 分 / cents
    write: str                           # what identifies the set-price request on the wire
    secrets: tuple[str, ...]


def douyin() -> Case:
    f = DouyinFake(app_key=dy.APP_KEY, app_secret=dy.SECRET, shop_id=dy.SHOP_ID, products=dy.products(), hold=0.9)
    set_secret("douyin_app_secret", dy.SECRET)
    return Case(f, lambda url, d: DouyinPlatform(dy.config(url), data_dir=d), "LIP-001", 5900, "/sku/editPrice",
                (dy.SECRET,))


def wechat() -> Case:
    f = WechatFake(appid=wx.APPID, secret=wx.SECRET, products=wx.products(), hold=0.9)
    set_secret("wechat_channels_secret", wx.SECRET)
    return Case(f, lambda url, d: WechatChannelsPlatform(wx.config(url), data_dir=d), "CUP-001", 8900,
                "/product/auditfree", (wx.SECRET,))


def tiktok() -> Case:
    f = tt.stock_shop(TikTokShopFake())
    set_secret("tiktok_shop_app_secret", f.app_secret)
    set_secret("tiktok_shop_access_token", f.access_token)
    return Case(f, lambda url, d: TikTokShopPlatform(tt.config(url), data_dir=d), "LIP-001", 1190, "/prices/update",
                (f.app_secret, f.access_token))


def shopify() -> Case:
    f = sf.stock_shop(ShopifyFake())
    set_secret("shopify_access_token", f.token)
    return Case(f, lambda url, d: ShopifyPlatform(sf.config(url), data_dir=d), "LIP-001", 1190,
                "productVariantsBulkUpdate(", (f.token,))


@pytest.fixture(params=[douyin, wechat, tiktok, shopify], ids=["douyin", "wechat_channels", "tiktok_shop", "shopify"])
def shop(request, tmp_path):
    case = request.param()
    bad = MisbehavingShop(case.fake.url)
    adapter = case.make(bad.url, tmp_path)
    yield case, bad, adapter
    adapter.close()
    bad.close()
    case.fake.close()


def test_a_trickling_answer_ends_within_the_actions_deadline(shop):
    case, bad, adapter = shop
    bad.on("", "slow", pace=0.2)
    with deadline(1.0, SystemClock()):
        took, r = elapsed(adapter.read_product, case.sku)
    assert isinstance(r, PlatformError), r
    assert took < 1.8, f"a 1 s deadline held the call {took:.1f} s"


def test_a_50_mb_answer_is_not_read_whole(shop):
    case, bad, adapter = shop
    bad.on("", "big")
    tracemalloc.start()
    try:
        took, r = elapsed(adapter.read_product, case.sku)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(r, PlatformError), r
    assert peak < 20_000_000, f"{peak / 1e6:.0f} MB held for one answer"


def test_a_redirect_elsewhere_is_not_followed(shop):
    case, bad, adapter = shop
    other = LocalServer(lambda req: Reply(200, {"code": 0}))
    try:
        bad.on("", "redirect", location=other.url.replace("127.0.0.1", "localhost"))
        for call in (lambda: adapter.read_product(case.sku),
                     lambda: adapter.set_price(case.sku, case.price, idempotency_key="k-redirect")):
            took, r = elapsed(call)
            assert isinstance(r, PlatformError), r
            assert not any(s in str(r) for s in case.secrets)
        assert other.requests == [], "a request (and its credentials) went to an address nobody configured"
    finally:
        other.close()


def test_deeply_nested_json_is_the_ports_error_not_a_crash(shop):
    case, bad, adapter = shop
    bad.on("", "deep")
    took, r = elapsed(adapter.read_product, case.sku)
    assert isinstance(r, PlatformError), f"{type(r).__name__}: {r}"


def test_a_write_whose_answer_is_cut_mid_body_lands_once(shop):
    case, bad, adapter = shop
    before = adapter.read_product(case.sku)
    n = len(case.fake.applied)
    bad.on(case.write, "cut", times=1)
    took, r = elapsed(adapter.set_price, case.sku, case.price, idempotency_key="k-cut")
    assert not isinstance(r, BaseException) or r.may_have_applied, f"{type(r).__name__}: {r} (the write landed)"
    assert before.price != case.price
    assert adapter.read_product(case.sku).price == case.price
    assert len(case.fake.applied) == n + 1, case.fake.applied[n:]


@pytest.mark.parametrize("mode", ["big", "deep"])
def test_a_write_answered_with_an_unreadable_body_is_read_back_not_refused(shop, mode):
    """HTTP 200 came back (the shop took the write), then 50 MB or '[[[[…': not a refusal — the console
    reads it back (may_have_applied), or the adapter already found it landed."""
    case, bad, adapter = shop
    n = len(case.fake.applied)
    bad.on(case.write, mode, times=1)
    took, r = elapsed(adapter.set_price, case.sku, case.price, idempotency_key=f"k-{mode}")
    assert not isinstance(r, BaseException) or r.may_have_applied, f"{type(r).__name__}: {r} (the write landed)"
    assert adapter.read_product(case.sku).price == case.price
    assert len(case.fake.applied) == n + 1


@pytest.mark.parametrize("cost", [
    {"requestedQueryCost": "NaN", "throttleStatus": {"maximumAvailable": 1000, "currentlyAvailable": 0, "restoreRate": 50}},
    {"requestedQueryCost": 10, "throttleStatus": {"maximumAvailable": 1000, "currentlyAvailable": 0, "restoreRate": "NaN"}},
    {"requestedQueryCost": "lots", "throttleStatus": {"maximumAvailable": "x", "currentlyAvailable": "y", "restoreRate": "z"}},
    {"requestedQueryCost": 10, "throttleStatus": {"maximumAvailable": 1000, "currentlyAvailable": "-Infinity",
                                                  "restoreRate": 50}},
    {"requestedQueryCost": 1e300, "throttleStatus": {"maximumAvailable": 1000, "currentlyAvailable": 0, "restoreRate": 1e-300}},
], ids=["nan-cost", "nan-rate", "text", "minus-infinity", "absurd"])
def test_shopify_throttled_with_garbage_cost_figures_is_rate_limited_in_time(tmp_path, cost):
    """THROTTLED with cost figures that are text, NaN or absurd: rate limited (nothing applied) within the
    deadline — not a ValueError from float() or sleep(nan), not a loop hammering the shop."""
    body = json.dumps({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                       "extensions": {"cost": cost}}).replace('"NaN"', "NaN").replace('"-Infinity"', "-Infinity")
    srv = LocalServer(lambda req: Reply(200, body.encode()))
    set_secret("shopify_access_token", "shpat_redshop_cost_test_0001")
    adapter = ShopifyPlatform(sf.config(srv.url), data_dir=tmp_path)
    try:
        with deadline(2.0, SystemClock()):
            took, r = elapsed(adapter.read_product, "LIP-001")
        assert isinstance(r, PlatformRateLimited), f"{type(r).__name__}: {r}"
        assert math.isfinite(r.retry_after) and r.retry_after >= 0, r.retry_after
        assert took < 2.5 and len(srv.requests) <= 10, (took, len(srv.requests))
    finally:
        adapter.close()
        srv.close()
