"""The console driving the real-shop adapters end to end: Runtime + console room + the 抖店 / 微信小店
adapter + its conformance fake on 127.0.0.1. A price reaches the shop in 分 and is read back; a refusal
and a lying read-back are journaled — and no secret (app secret, access token) is in the journal."""
from __future__ import annotations

import pytest

from controlroom.secrets import set_secret
from plugins.douyin import DouyinPlatform
from plugins.wechat_channels import WechatChannelsPlatform
from tests.plugins.shops import test_douyin as dy
from tests.plugins.shops import test_wechat_channels as wx
from tests.plugins.shops.douyin_fake import DouyinFake
from tests.plugins.shops.wechat_fake import WechatFake

pytest.importorskip("controlroom.commerce.room")


def douyin(tmp_path):
    fake = DouyinFake(app_key=dy.APP_KEY, app_secret=dy.SECRET, shop_id=dy.SHOP_ID, products=dy.products())
    set_secret("douyin_app_secret", dy.SECRET)
    return fake, DouyinPlatform(dy.config(fake.url), data_dir=tmp_path / "data"), "SER-002", \
        lambda: fake.sku("SER-002")[1]["price"], "sku.editPrice", (dy.SECRET,), lambda: fake.tokens


def wechat(tmp_path):
    fake = WechatFake(appid=wx.APPID, secret=wx.SECRET, products=wx.products())
    set_secret("wechat_channels_secret", wx.SECRET)
    return fake, WechatChannelsPlatform(wx.config(fake.url), data_dir=tmp_path / "data"), "CUP-001", \
        lambda: fake.sku("CUP-001")[1]["sale_price"], "product/auditfree", (wx.SECRET,), lambda: fake.tokens


@pytest.fixture(params=["douyin", "wechat_channels"])
def show(request, tmp_path, make_runtime):
    fake, platform, sku, shop_price, price_api, secrets, tokens = (douyin if request.param == "douyin" else wechat)(tmp_path)
    show_dir = tmp_path / "show"              # no products.csv: the console starts from the shop's read-back
    show_dir.mkdir()
    rt = make_runtime(platform=platform, rooms={"console": "controlroom.commerce.room"}, show_dir=show_dir)
    rt.new_show("real shop show")
    rt.start()
    yield rt, fake, sku, shop_price, price_api, secrets, tokens, tmp_path / "data"
    rt.close()                                # before the fake shop goes away
    fake.close()


def journal_bytes(data_dir) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("journal.sqlite*"))


def test_a_price_change_reaches_the_shop_and_no_secret_reaches_the_journal(show):
    rt, fake, sku, shop_price, price_api, secrets, tokens, data = show
    console = rt.console
    before = console.product(sku).price
    t = console.change_price(sku, before - 1000, confirmed=True, wait=True)
    assert t.outcome.ok, t.outcome
    assert shop_price() == before - 1000 and console.product(sku).price == before - 1000
    fake.fail(price_api, "refused", times=1)                  # a refusal: its message goes to the journal
    t = console.change_price(sku, before - 2000, confirmed=True, wait=True)
    assert not t.outcome.ok
    fake.expire_tokens()                                       # a renewal mid-show
    assert console.change_price(sku, before - 3000, confirmed=True, wait=True).outcome.ok
    journal = journal_bytes(data)
    assert journal
    for s in (*secrets, *tokens()):
        assert s.encode() not in journal, "a secret reached the journal"


def test_a_lying_read_back_locks_the_sku(show):
    rt, fake, sku, shop_price, price_api, secrets, tokens, data = show
    console = rt.console
    fake.lie_price(sku, 1)
    t = console.change_price(sku, console.product(sku).price - 1000, confirmed=True, wait=True)
    assert not t.outcome.ok and t.outcome.mismatch
    assert sku in console.locked()
    assert rt.platform.last_mismatch.actual == 1


def test_a_flash_offer_runs_as_the_shop_can(show):
    """抖店 has no flash-sale API: the console runs a timed price change through set_price. 微信小店 runs a
    native 限时抢购: the product's own price stays, the shop holds the offer."""
    rt, fake, sku, shop_price, price_api, secrets, tokens, data = show
    console = rt.console
    assert console.list_product(sku, confirmed=True, wait=True).outcome.ok
    own = console.product(sku).price
    offer_price = own * 7 // 10
    t = console.start_offer(sku, offer_price, 600, qty=20, confirmed=True, wait=True)
    assert t.outcome.ok, t.outcome
    native = rt.platform.capabilities.native_offers
    if native:
        assert shop_price() == own                                  # untouched: the task holds the offer price
        (task,) = fake.tasks.values()
        assert task["skus"][0]["sale_price"] == offer_price and task["skus"][0]["sale_stock"] == 20
    else:
        assert shop_price() == offer_price                          # the console's timed price change
    assert console.stop_offer(sku, wait=True).outcome.ok
    assert shop_price() == own
    if native:
        assert all(t["stopped"] for t in fake.tasks.values())
