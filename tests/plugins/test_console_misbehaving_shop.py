"""The console (ConsoleService, wait=True) over the generic JSON gateway while the shop misbehaves: a
well-behaved tests.fakes.HttpShop behind tests/plugins/misbehaving.MisbehavingShop, real HTTP on
127.0.0.1. Each action ends within [console] action_deadline_s, one SKU's trouble never holds another,
and the journaled outcome is what the shop shows."""
from __future__ import annotations

import threading
import time

import pytest

from controlroom.commerce.tickets import APPLIED_, FAILED, UNCERTAIN
from plugins.http_platform import HttpPlatform
from tests.fakes import HttpShop
from tests.plugins.misbehaving import MisbehavingShop
from tests.plugins.test_http_platform import fast_config

pytest.importorskip("controlroom.commerce.room")

DEADLINE = 2.0


@pytest.fixture
def show(tmp_path, data_dir, make_runtime):
    (data_dir / "settings.toml").write_text(f"[console]\naction_deadline_s = {DEADLINE}\nreadback_reserve_s = 0.5\n",
                                            encoding="utf-8")
    shop = HttpShop(unit="yuan", products=[
        dict(sku="SKU1", title="保温杯", list_price=5990, price=2990, stock=100),
        dict(sku="SKU2", title="雨伞", list_price=3990, price=1990, stock=100)])
    bad = MisbehavingShop(shop.url)
    show_dir = tmp_path / "show"
    show_dir.mkdir()
    rt = make_runtime(platform=HttpPlatform(fast_config(bad.url, price_unit="yuan", read_timeout=1.0,
                                                        retry_budget=4.0)),
                      rooms={"console": "controlroom.commerce.room"}, show_dir=show_dir)
    rt.new_show("misbehaving shop")
    rt.start()
    yield rt, shop, bad
    rt.close()
    bad.close()
    shop.close()


def timed(fn, *a, **kw):
    t0 = time.monotonic()
    r = fn(*a, **kw)
    return time.monotonic() - t0, r


def journal_text(rt) -> str:
    return (rt.settings.path.parent / "journal.sqlite").read_bytes().decode("utf-8", "replace") \
        if (rt.settings.path.parent / "journal.sqlite").exists() else ""


def test_a_trickling_answer_on_one_sku_ends_in_time_and_does_not_hold_another(show):
    rt, shop, bad = show
    console = rt.console
    bad.on("PUT /products/SKU1/price", "slow", pace=0.5)       # the write lands; its answer trickles
    done = {}

    def slow_one():
        done["SKU1"] = timed(console.change_price, "SKU1", 2490, confirmed=True, wait=True)

    t = threading.Thread(target=slow_one)
    t.start()
    time.sleep(0.2)
    took2, t2 = timed(console.change_price, "SKU2", 1790, confirmed=True, wait=True)
    t.join(30)
    assert not t.is_alive()
    took1, t1 = done["SKU1"]
    assert t2.outcome.status == APPLIED_ and took2 < 1.5, (took2, t2.outcome)
    assert took1 < DEADLINE + 1.0, f"SKU1's action took {took1:.1f} s against a {DEADLINE:g} s deadline"
    # the shop has the new price: the console says so (read back), not "failed"
    assert shop.products["SKU1"]["price"] == 2490
    assert t1.outcome.status in (APPLIED_, UNCERTAIN), t1.outcome
    assert t1.outcome.status != FAILED


@pytest.mark.parametrize("retry_after", ["1e9", "tomorrow", "-5", "nan"])
def test_a_429_with_an_absurd_retry_after_ends_in_time_as_not_applied(show, retry_after):
    rt, shop, bad = show
    console = rt.console
    shop.fault("set_price", times=100, status=429, headers={"Retry-After": retry_after})
    took, t = timed(console.change_price, "SKU1", 2490, confirmed=True, wait=True)
    assert took < DEADLINE + 1.0, f"{took:.1f} s"
    assert t.outcome.status == FAILED, t.outcome                 # throttled: nothing applied, and it says so
    assert shop.products["SKU1"]["price"] == 2990
    assert "SKU1" not in console.locked()


def test_an_answer_cut_mid_body_is_applied_not_failed(show):
    rt, shop, bad = show
    console = rt.console
    bad.on("PUT /products/SKU1/price", "cut")                   # every answer cut: only a read-back can tell
    took, t = timed(console.change_price, "SKU1", 2490, confirmed=True, wait=True)
    assert took < DEADLINE + 1.0
    assert shop.products["SKU1"]["price"] == 2490
    assert t.outcome.status == APPLIED_, t.outcome
    assert console.product("SKU1").price == 2490


def test_a_redirected_write_goes_nowhere_and_is_not_called_applied(show):
    rt, shop, bad = show
    console = rt.console
    other = HttpShop(unit="yuan")
    try:
        bad.on("/products/SKU1", "redirect", location=other.url)
        took, t = timed(console.change_price, "SKU1", 2490, confirmed=True, wait=True)
        assert took < DEADLINE + 1.0
        assert other.requests == []
        assert t.outcome.status != APPLIED_, t.outcome
        assert shop.products["SKU1"]["price"] == 2990
    finally:
        other.close()
