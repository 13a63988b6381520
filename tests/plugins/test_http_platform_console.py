"""The console driving the HTTP platform end to end: Runtime + console room + HttpPlatform + a real
fake shop on 127.0.0.1. A price reaches the shop in its unit; a lying read-back locks the SKU."""
from __future__ import annotations

import pytest

from plugins.http_platform import HttpPlatform
from tests.fakes import HttpShop as FakeShop
from tests.plugins.test_http_platform import fast_config

pytest.importorskip("controlroom.commerce.room")


@pytest.fixture
def show(tmp_path, make_runtime):
    shop = FakeShop(unit="yuan")
    show_dir = tmp_path / "show"          # no products.csv: the console starts from the shop's read-back
    show_dir.mkdir()
    rt = make_runtime(platform=HttpPlatform(fast_config(shop.url, price_unit="yuan")),
                      rooms={"console": "controlroom.commerce.room"}, show_dir=show_dir)
    rt.new_show("HTTP show")
    rt.start()
    yield rt, shop
    rt.close()                            # before the fake shop goes away
    shop.close()


def test_price_change_goes_out_in_yuan_and_is_read_back(show):
    rt, shop = show
    console = rt.console
    assert console.product("SKU1").price == 2990
    t = console.change_price("SKU1", 2490, confirmed=True, wait=True)
    assert t.outcome.ok, t.outcome
    assert shop.wire_values[-1] == ("set_price", "price", "24.90")
    assert shop.products["SKU1"]["price"] == 2490
    assert console.product("SKU1").price == 2490
    assert [r.headers.get("idempotency-key") for r in shop.op_requests("set_price")] == [t.outcome.key]


def test_lying_readback_locks_the_sku(show):
    rt, shop = show
    console = rt.console
    shop.lie("SKU1", "price", 249)
    t = console.change_price("SKU1", 2290, confirmed=True, wait=True)
    assert not t.outcome.ok and t.outcome.mismatch
    assert "SKU1" in console.locked()
    assert rt.platform.last_mismatch.actual == 249
