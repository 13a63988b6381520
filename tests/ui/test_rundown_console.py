"""Countdown offers of the plan through the real console (simulated shop), interlocks and all."""
from __future__ import annotations

import time

import pytest

from controlroom.clock import ManualClock
from controlroom.rundown.model import Offer, Rundown, Segment


@pytest.fixture
def rt(make_runtime):
    rt = make_runtime(clock=ManualClock(), rooms={"console": "controlroom.commerce.room",
                                                  "rundown": "controlroom.rundown.room"})
    rt.new_show()
    rt.start()
    return rt


def wait_for(fn, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if fn():
            return True
        time.sleep(0.01)
    return False


def test_offer_goes_live_and_reverts_through_the_console(rt):
    console, runner, clock = rt.console, rt.rundown.runner, rt.clock
    plan = Rundown((Segment("1", "精华讲解", "product", 600, products=("SER-002",),
                            offers=(Offer("SER-002", 17900, start_s=60, duration_s=180),)),))
    runner.load(plan)
    runner.start()
    clock.advance(60)
    rt.tick()
    assert wait_for(lambda: console.product("SER-002").price == 17900)
    assert [o.sku for o in console.offers()] == ["SER-002"]
    clock.advance(180)
    for _ in range(3):
        rt.tick()
    assert wait_for(lambda: console.product("SER-002").price == 19900 and not console.offers())
    runner._pool.shutdown(wait=True)
    ended = rt.journal.events(rt.session_id, kinds=["rundown.offer_ended"])
    assert len(ended) == 1 and ended[0].payload["console"] in ("already reverted", "sent", "ended by the console")
    assert rt.journal.events(rt.session_id, kinds=["rundown.offer_failed"]) == []
    started = rt.journal.events(rt.session_id, kinds=["console.offer_started"])
    assert started and started[0].actor == "rundown"


def test_offer_below_floor_is_blocked_and_raised(rt):
    console, runner, clock = rt.console, rt.rundown.runner, rt.clock
    plan = Rundown((Segment("1", "精华讲解", "product", 600, products=("SER-002",),
                            offers=(Offer("SER-002", 990, start_s=0, duration_s=180),)),))   # 9.90 元: a lost zero
    runner.load(plan)
    runner.start()
    rt.tick()
    assert wait_for(lambda: rt.journal.events(rt.session_id, kinds=["rundown.offer_failed"]))
    failed = rt.journal.events(rt.session_id, kinds=["rundown.offer_failed"])[0].payload
    assert failed["sku"] == "SER-002" and "blocked" in failed["error"]
    assert console.product("SER-002").price == 19900
    assert wait_for(lambda: rt.journal.events(rt.session_id, kinds=["alert.raised"]))


def test_cue_screen_shows_the_console_price_stock_and_offer(rt, qtbot):
    from ui.bridge import QtBridge
    from ui.cue_screen import CueScreen
    console, runner, clock = rt.console, rt.rundown.runner, rt.clock
    bridge = QtBridge(rt.bus)
    screen = CueScreen(rt, bridge)
    qtbot.addWidget(screen)
    runner.goto("8")                           # the serum block of the sample show
    runner.start()
    # the host is shown the product being explained (讲解中) while viewers can buy it: list it, explain it
    console.list_product("SER-002", wait=True)
    console.pin_product("SER-002", wait=True)
    console.start_offer("SER-002", 17900, 150, actor="operator", wait=True)
    console.set_displayed_stock("SER-002", 37, wait=True)
    qtbot.wait(20)
    screen.refresh()
    pv = screen.product()
    assert (pv.sku, pv.live_fen, pv.list_fen, pv.stock) == ("SER-002", 17900, 29900, 37)
    assert pv.offer_left_s == pytest.approx(150) and pv.offer_fen == 17900
    bridge.close()
