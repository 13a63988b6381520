"""The console driving the TikTok Shop and Shopify adapters end to end: Runtime + console room + the
adapter + its conformance fake on 127.0.0.1. A price reaches the shop as a decimal string and is read
back in cents; a refusal and a lying read-back are journaled — and no secret is in the journal."""
from __future__ import annotations

import pytest

from controlroom.secrets import set_secret
from plugins.shopify import ShopifyPlatform
from plugins.tiktok_shop import TikTokShopPlatform
from tests.plugins.shops import test_shopify as sh
from tests.plugins.shops import test_tiktok_shop as tt
from tests.plugins.shops.shopify_fake import ShopifyFake
from tests.plugins.shops.tiktok_fake import TikTokShopFake

pytest.importorskip("controlroom.commerce.room")


def tiktok(tmp_path):
    fake = tt.stock_shop(TikTokShopFake())
    set_secret("tiktok_shop_app_secret", fake.app_secret)
    set_secret("tiktok_shop_access_token", fake.access_token)
    return (fake, TikTokShopPlatform(tt.config(fake.url), data_dir=tmp_path / "data"),
            lambda: fake.find_sku("SER-002")[1].price, "update_price", (fake.app_secret, fake.access_token))


def shopify(tmp_path):
    fake = sh.stock_shop(ShopifyFake())
    set_secret("shopify_access_token", fake.token)
    return (fake, ShopifyPlatform(sh.config(fake.url), data_dir=tmp_path / "data"),
            lambda: fake.by_sku("SER-002").price, "productVariantsBulkUpdate", (fake.token,))


@pytest.fixture(params=["tiktok_shop", "shopify"])
def show(request, tmp_path, make_runtime):
    fake, platform, shop_price, price_api, secrets = (tiktok if request.param == "tiktok_shop" else shopify)(tmp_path)
    show_dir = tmp_path / "show"              # no products.csv: the console starts from the shop's read-back
    show_dir.mkdir()
    rt = make_runtime(platform=platform, rooms={"console": "controlroom.commerce.room"}, show_dir=show_dir)
    rt.new_show("real shop show")
    rt.start()
    yield rt, fake, shop_price, price_api, secrets, tmp_path / "data"
    rt.close()                                # before the fake shop goes away
    fake.close()


def journal_bytes(data_dir) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("journal.sqlite*"))


def test_a_price_change_reaches_the_shop_and_no_secret_reaches_the_journal(show):
    rt, fake, shop_price, price_api, secrets, data = show
    console = rt.console
    before = console.product("SER-002").price
    t = console.change_price("SER-002", before - 1000, confirmed=True, wait=True)
    assert t.outcome.ok, t.outcome
    assert shop_price() == before - 1000 and console.product("SER-002").price == before - 1000
    fake.faults.add(price_api, "refused")                      # a refusal: its message goes to the journal
    t = console.change_price("SER-002", before - 1100, confirmed=True, wait=True)   # 62 % off list: confirmed
    assert not t.outcome.ok and ("12052073" in t.outcome.error or "INVALID" in t.outcome.error)
    journal = journal_bytes(data)
    assert journal
    for s in secrets:
        assert s.encode() not in journal, "a secret reached the journal"


def test_a_lying_read_back_locks_the_sku(show):
    rt, fake, shop_price, price_api, secrets, data = show
    console = rt.console
    fake.lie_price("SER-002", 1)
    t = console.change_price("SER-002", console.product("SER-002").price - 1000, confirmed=True, wait=True)
    assert not t.outcome.ok and t.outcome.mismatch
    assert "SER-002" in console.locked()
    assert rt.platform.last_mismatch.actual == 1
