"""The console's parts: lanes, typed commands and events, the snapshot, absurd input, the console's own offer cap,
the run-of-show's offers preflighted when the rundown loads."""
from __future__ import annotations

import threading
import time

import pytest

from controlroom.commerce import commands as cmds
from controlroom.commerce import events as ev
from controlroom.commerce.lanes import Lanes
from controlroom.commerce.views import ConsoleSnapshot
from controlroom.platform import CouponSpec
from tests.core.commerce.test_console_service import feed, idle, kinds, last, poll
from tests.fakes import FakeShop  # noqa: F401


def test_lanes_keep_order_per_lane_and_run_lanes_side_by_side():
    lanes = Lanes(4)
    gate = threading.Event()
    order = []
    lanes.submit("A", lambda: gate.wait(5))                        # lane A is stuck
    for i in range(3):
        lanes.submit("B", lambda i=i: order.append(("B", i)))
    deadline = time.monotonic() + 5
    while len(order) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert order == [("B", 0), ("B", 1), ("B", 2)], "B never waits for A"
    lanes.submit("A", lambda: order.append(("A", "normal")))
    lanes.submit("A", lambda: order.append(("A", "urgent")), urgent=True)
    gate.set()
    assert lanes.wait_idle(5)
    assert order[3:] == [("A", "urgent"), ("A", "normal")], "timed work goes first in its lane"
    lanes.close()


def test_lanes_start_a_worker_for_a_ready_lane_when_the_others_are_stuck():
    lanes = Lanes(8)
    gate = threading.Event()
    for lane in "ABC":
        lanes.submit(lane, lambda: gate.wait(5))
    done = threading.Event()
    lanes.submit("D", done.set)
    assert done.wait(2)
    gate.set()
    lanes.close()


def test_commands_and_events_survive_the_journal_unchanged():
    for c in (cmds.ListProduct("A"), cmds.UnlistProduct("A", "x"), cmds.SetPrice("A", 100, True, "r"),
              cmds.RestorePrice("A", 100), cmds.StartOffer("A", 100, 60.0, 5, 1), cmds.StopOffer("A", "expired"),
              cmds.IssueCoupon(CouponSpec(None, 100, 10, 5, 2, "n")), cmds.StopCoupon("C1", "A"),
              cmds.PinProduct(None), cmds.SetDisplayedStock("A", 3), cmds.SetGift("A", 500), cmds.SetBundle("A", 900)):
        import json
        assert cmds.command_from_json(json.loads(json.dumps(c.to_json()))) == c
    e = ev.OfferStarted(key="k", sku="A", price=100, prev_price=200, duration_s=60.0, qty=5, offer_id="O1",
                        native=True, ends_utc=12.5, rules=["x"], readback={"sku": "A"})
    import json
    assert ev.decode(e.kind, json.loads(json.dumps(e.to_payload()))) == e
    assert ev.decode("console.nothing_we_follow", {}) is None


@pytest.mark.parametrize("cmd,field", [
    (cmds.SetPrice("A", float("nan")), "price"),
    (cmds.SetPrice("A", -100), "price"),
    (cmds.SetPrice("A", 10 ** 12), "price"),
    (cmds.SetPrice("A", 12.5), "price"),
    (cmds.StartOffer("A", 6000, float("inf")), "duration_s"),
    (cmds.StartOffer("A", 6000, 60, -1), "quantity"),
    (cmds.StartOffer("A", 6000, 60, 5, 0), "per_buyer_limit"),
    (cmds.IssueCoupon(CouponSpec("A", 10000, float("nan"), 5)), "off"),
    (cmds.IssueCoupon(CouponSpec("A", -1, 100, 5)), "threshold"),
    (cmds.SetDisplayedStock("A", -3), "shown"),
    (cmds.SetGift("A", True), "gift_value"),
])
def test_absurd_input_is_refused_with_the_field_named(setup, cmd, field):
    rt, svc, shop, clock = setup
    t = svc.request(cmd)
    assert t.verdict.verdict == "block" and f"invalid_input:{field}" in t.verdict.rules and not t.overridable


def test_a_console_run_offer_ends_when_its_quantity_has_sold(setup):
    """FakeShop has no flash-offer API: the offer is a timed price change and the console is its cap."""
    rt, svc, shop, clock = setup
    feed(shop, "A", 0)
    poll(svc, clock)
    assert svc.start_offer("A", 7000, 300, qty=5, wait=True).outcome.ok
    assert shop.products["A"].price == 7000
    feed(shop, "A", 3, gmv=3 * 7000)
    poll(svc, clock)
    assert svc.product("A").offer_sold == 3 and svc.offers()
    feed(shop, "A", 5, gmv=5 * 7000)
    poll(svc, clock)
    idle(svc)
    assert shop.products["A"].price == 8000 and not svc.offers()
    assert last(rt, "console.offer_stopped").payload["reason"] == "sold_out"


def test_one_snapshot_for_every_screen_published_when_it_changes(setup):
    rt, svc, shop, clock = setup
    seen: list[ConsoleSnapshot] = []
    rt.bus.subscribe(lambda topic, snap: seen.append(snap), "console.snapshot")
    svc.start_offer("B", 17900, 120, qty=20, per_buyer_limit=2, wait=True)
    svc.set_displayed_stock("B", 12, wait=True)
    svc.pin_product("B", wait=True)
    idle(svc)
    snap = seen[-1]
    assert isinstance(snap, ConsoleSnapshot) and snap.journal_ok and snap.version > 0
    b = snap.product("B")
    assert (b.title, b.list_price, b.price, b.own_price, b.stock, b.shown_stock) == ("Serum B", 29900, 17900, 19900, 50, 12)
    assert (b.listed, b.pinned, b.locked, b.uncertain) == (True, True, False, False)
    assert (b.offer_price, b.offer_quantity, b.offer_per_buyer_limit) == (17900, 20, 2)
    assert b.offer_remaining_s == pytest.approx(120) and b.net_price == 17900 and b.floor == 15900
    assert snap.pinned.sku == "B"
    clock.advance(30)
    assert svc.snapshot().product("B").offer_remaining_s == pytest.approx(90)
    with pytest.raises(Exception):
        b.price = 1   # immutable


def test_rundown_offers_are_preflighted_when_the_rundown_loads(tmp_path, make_runtime):
    import shutil
    from controlroom.clock import ManualClock
    from controlroom.paths import SAMPLE_SHOW
    show = tmp_path / "show"
    shutil.copytree(SAMPLE_SHOW, show)
    rundown = show / "rundown.csv"   # the sample's mask offer at 49 元: 50.5 % off its 99 元 list price
    rundown.write_text(rundown.read_text("utf-8").replace("MSK-004=52@", "MSK-004=49@"), "utf-8")
    rt = make_runtime(clock=ManualClock(), alert_sinks=False, show_dir=show,
                      rooms={"console": "controlroom.commerce.room", "rundown": "controlroom.rundown.room"})
    try:
        rt.new_show("preflight")
        pre = last(rt, "console.rundown_preflight").payload["offers"]
        by = {o["sku"]: o for o in pre}
        assert set(by) == {"MSK-004", "SER-002", "EYE-007", "PRF-009"}
        assert by["SER-002"]["verdict"] == "allow" and by["MSK-004"]["verdict"] == "confirm"
        assert "discount_50_70" in by["MSK-004"]["rules"]
    finally:
        rt.close()


def test_gift_and_bundle_are_judged_terms(setup):
    rt, svc, shop, clock = setup
    t = svc.set_gift("A", 5000)                       # worth 62 % of the 80 元 item
    assert t.verdict.verdict == "confirm" and "gift_ratio" in t.verdict.rules
    assert svc.set_gift("A", 1500, wait=True).outcome.ok
    assert "console.gift_set" in kinds(rt)
    assert "bundle_over_85" in svc.set_bundle("A", 9000).verdict.rules
