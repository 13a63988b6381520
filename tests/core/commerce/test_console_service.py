"""The console service on a ManualClock with a small fake of the Platform port and a real journal."""
from __future__ import annotations

from dataclasses import replace

import pytest

from controlroom.commerce import commands as cmds
from controlroom.commerce.service import ConfirmationRequired, Override, OverrideRefused
from controlroom.platform import CouponSpec, SkuMetrics
from tests.fakes import PIN, PLAN, FakeShop

# the console rig (`setup`: runtime, console, FakeShop, clock) is in tests/core/commerce/conftest.py


def idle(svc):
    assert svc.lanes.wait_idle(10)


def kinds(rt, prefix=""):
    return [e.kind for e in rt.journal.events(rt.session_id) if e.kind.startswith(prefix)]


def last(rt, kind):
    return [e for e in rt.journal.events(rt.session_id) if e.kind == kind][-1]


def test_price_change_allowed_runs_in_worker_reads_back_and_journals(setup):
    rt, svc, shop, clock = setup
    t = svc.change_price("A", 7500, wait=True)
    assert t.verdict.verdict == "allow" and t.outcome.ok
    assert shop.products["A"].price == 7500
    assert all(n.startswith("console-lane") for n in shop.threads)
    ev = last(rt, "console.price_changed")
    assert ev.payload["key"] == t.key and ev.payload["prev_price"] == 8000 and ev.payload["price"] == 7500
    assert ev.payload["readback"]["price"] == 7500 and ev.payload["verdict"] == "allow"
    assert "latency_ms" in ev.payload
    assert "interlock.verdict" not in kinds(rt)  # an allowed verdict rides in the outcome event
    assert svc.product("A").price == 7500


def test_blocked_needs_supervisor_override_and_never_journals_pin(setup):
    rt, svc, shop, clock = setup
    t = svc.change_price("A", 800)  # 10x below: shifted decimal point
    assert t.verdict.verdict == "block" and t.future is None
    assert {"power_of_ten_change", "price_band"} <= set(t.verdict.rules)
    assert last(rt, "interlock.verdict").payload["verdict"] == "block"
    assert shop.products["A"].price == 8000
    with pytest.raises(OverrideRefused):
        svc.submit(t)
    with pytest.raises(OverrideRefused, match="wrong PIN"):
        svc.submit(t, override=Override("Wang", "000000", "loss leader approved by brand"))
    with pytest.raises(OverrideRefused, match="reason"):
        svc.submit(t, override=Override("Wang", PIN, ""))
    assert shop.products["A"].price == 8000
    svc.submit(t, override=Override("Wang", PIN, "flash deal agreed with brand")).result()
    assert shop.products["A"].price == 800
    ov = last(rt, "interlock.override")
    assert ov.actor == "Wang" and ov.payload["reason_text"] == "flash deal agreed with brand"
    text = rt.journal.engine.connect().exec_driver_sql("select group_concat(payload) from events").scalar()
    assert PIN not in text


def test_confirm_verdict_needs_second_confirmation(setup):
    rt, svc, shop, clock = setup
    t = svc.change_price("A", 4500)  # 55 % off list, within the band from 80
    assert t.verdict.verdict == "confirm" and t.verdict.rules == ["discount_50_70"]
    with pytest.raises(ConfirmationRequired):
        svc.submit(t)
    svc.submit(t, confirmed=True).result()
    assert shop.products["A"].price == 4500
    assert "interlock.confirmed" in kinds(rt)


def test_timeout_after_apply_is_read_back_as_applied_once(setup):
    """The answer is lost after the shop applied it: the console does not retry (the adapter owns retries);
    its read-back shows the commanded price, so the change is applied — once — and undoable."""
    rt, svc, shop, clock = setup
    shop.timeout_after_apply = 1
    t = svc.change_price("A", 7000, wait=True)
    assert t.outcome.ok and t.outcome.status == "applied" and t.outcome.attempts == 1
    assert [a for a in shop.applied if a[0] == "set_price"] == [("set_price", "A", 7000)]
    assert last(rt, "console.price_changed").payload["readback"]["price"] == 7000
    assert svc.last_price_change() == ("A", 8000, 7000)


def test_the_console_sends_once_and_reports_a_failure(setup):
    rt, svc, shop, clock = setup
    shop.unavailable = 10
    t = svc.list_product("L", wait=True)
    assert not t.outcome.ok and t.outcome.status == "failed" and t.outcome.attempts == 1
    assert shop.unavailable == 9, "one call: retries belong to the adapter"
    assert "console.action_failed" in kinds(rt)


def test_readback_mismatch_locks_sku_until_resolved(setup):
    rt, svc, shop, clock = setup
    shop.lie_price["A"] = 700
    t = svc.change_price("A", 7000, wait=True)
    assert not t.outcome.ok and t.outcome.mismatch and t.outcome.status == "uncertain"
    assert svc.product("A").locked
    assert "console.readback_mismatch" in kinds(rt)
    assert any(e.kind == "alert.raised" and e.payload["rule"] == "readback_mismatch"
               for e in rt.journal.events(rt.session_id))
    t2 = svc.change_price("A", 7100)
    assert t2.verdict.verdict == "block" and t2.verdict.rules == ["sku_locked"] and not t2.overridable
    assert svc.unlist_product("A", wait=True).outcome is not None  # the safe direction stays open
    del shop.lie_price["A"]
    svc.resolve_lock("A", actor="lead", note="platform fixed")
    assert not svc.product("A").locked
    assert last(rt, "console.sku_unlocked").actor == "lead"


def test_revert_last_price_one_key(setup):
    rt, svc, shop, clock = setup
    svc.change_price("B", 17900, wait=True)
    svc.change_price("A", 7000, wait=True)
    svc.revert_last_price(wait=True)
    assert shop.products["A"].price == 8000
    svc.revert_last_price(wait=True)
    assert shop.products["B"].price == 19900


def test_countdown_offer_reverts_by_itself_at_zero(setup):
    rt, svc, shop, clock = setup
    t = svc.start_offer("A", 6900, 180, qty=50, actor="rundown", wait=True)
    assert t.outcome.ok and shop.products["A"].price == 6900
    assert svc.offers()[0].remaining_s == pytest.approx(180)
    clock.advance(179)
    svc.tick()
    assert shop.products["A"].price == 6900 and svc.product("A").offer_remaining_s == pytest.approx(1)
    clock.advance(1.0)
    svc.tick()
    idle(svc)
    assert shop.products["A"].price == 8000 and svc.offers() == []
    stop = last(rt, "console.offer_stopped")
    assert stop.payload["reason"] == "expired" and stop.actor == "system"


def test_offer_qty_over_stock_blocked(setup):
    rt, svc, shop, clock = setup
    t = svc.start_offer("B", 17900, 60, qty=51)
    assert t.verdict.verdict == "block" and "offer_qty_over_stock" in t.verdict.rules


def test_coupon_rules_and_issue(setup):
    rt, svc, shop, clock = setup
    assert svc.issue_coupon(CouponSpec(None, 0, 1000, None)).verdict.rules == ["coupon_no_min_no_cap"]
    assert "coupon_amount_ge_threshold" in svc.issue_coupon(CouponSpec("A", 5000, 5000, 10)).verdict.rules
    # stacked on A: 80 - 45 = 35 < floor 40
    t = svc.issue_coupon(CouponSpec("A", 8000, 4500, 100))
    assert "below_floor" in t.verdict.rules and t.verdict.net_price == 3500
    t = svc.issue_coupon(CouponSpec("B", 19900, 2000, 100), wait=True)
    assert t.outcome.ok and t.outcome.result in shop.coupons
    assert svc.product("B").net_price == 17900
    svc.stop_coupon(t.outcome.result, wait=True)
    assert not shop.coupons[t.outcome.result].active


def test_list_with_no_stock_blocked_and_pin_checks_banned_terms(setup):
    rt, svc, shop, clock = setup
    shop._set("L", stock=0)
    svc._sync("test")
    assert "list_no_stock" in svc.list_product("L").verdict.rules
    t = svc.pin_product("A", text="全网最低价，快抢")
    assert t.verdict.verdict == "confirm" and "banned_terms" in t.verdict.rules
    svc.submit(t, confirmed=True).result()
    assert svc.pinned().sku == "A"


def feed(shop, sku, orders, units=None, gmv=None):
    units = orders if units is None else units
    shop.sku_metrics[sku] = SkuMetrics(sku, orders=orders, units=units, gmv=gmv if gmv is not None else units * 8000)


def poll(svc, clock, dt=1.0):
    clock.advance(dt)
    svc._poll()


def _rate_run(svc, shop, clock, planned: float | None, pause_action: str = "pause"):
    svc.settings = replace(svc.settings, pause_action=pause_action, planned_orders_per_min=planned or 0.0)
    svc.breaker.settings = svc.settings
    n = 0
    for _ in range(61):      # a calm minute: 1 order every 6 s = 10/min
        feed(shop, "A", n)
        poll(svc, clock)
        n += 1 if _ % 6 == 0 else 0
    svc.change_price("A", 7000, wait=True)
    gmv = shop.sku_metrics["A"].gmv
    for _ in range(60):      # now 2 orders a second: 120/min > 5x the planned 10
        n += 2
        gmv += 2 * 7000
        feed(shop, "A", n, gmv=gmv)
        poll(svc, clock)
    idle(svc)


def test_breaker_order_rate_against_the_plan_pauses_not_unlists(setup):
    rt, svc, shop, clock = setup
    _rate_run(svc, shop, clock, planned=10)
    trip = last(rt, "interlock.breaker_tripped")
    assert trip.payload["rule"] == "order_rate" and trip.payload["values"]["orders"] > 50
    assert shop.products["A"].listed, "the default pauses: the product being explained stays on sale"
    assert shop.products["A"].price == 8000 and last(rt, "console.price_changed").actor == "breaker"


def test_breaker_never_unlists_a_product_selling_fast_at_its_own_price(setup):
    """Found in the walkthrough: after the breaker put the cut back, orders kept coming fast at the plan's own price;
    the put-back had armed the breaker again and, with no change left to undo, the second trip took the product
    being explained off sale. A fast rate at the product's own price is demand, not a mis-price: the breaker alerts
    and leaves it on sale (pause_action = "unlist" still takes it off, as configured)."""
    rt, svc, shop, clock = setup
    _rate_run(svc, shop, clock, planned=10)
    assert shop.products["A"].price == 8000
    n, gmv = shop.sku_metrics["A"].orders, shop.sku_metrics["A"].gmv
    for _ in range(120):     # still 2 orders a second, now at the own price
        n += 2
        gmv += 2 * 8000
        feed(shop, "A", n, gmv=gmv)
        poll(svc, clock)
    idle(svc)
    assert shop.products["A"].listed, "the product being explained was taken off sale at its own price"
    assert shop.products["A"].price == 8000
    assert "console.unlisted" not in kinds(rt)


def test_breaker_unlists_when_configured(setup):
    rt, svc, shop, clock = setup
    _rate_run(svc, shop, clock, planned=10, pause_action="unlist")
    assert not shop.products["A"].listed
    assert last(rt, "console.unlisted").actor == "breaker"


def test_no_planned_rate_no_rate_trip(setup):
    rt, svc, shop, clock = setup
    _rate_run(svc, shop, clock, planned=None)
    assert "interlock.breaker_tripped" not in kinds(rt)
    assert shop.products["A"].listed and shop.products["A"].price == 7000


def test_breaker_sale_below_floor_reverts_when_configured(setup):
    rt, svc, shop, clock = setup
    svc.settings = replace(svc.settings, pause_action="revert")
    svc.change_price("A", 7000, wait=True)
    feed(shop, "A", 1, gmv=7000)
    poll(svc, clock)
    feed(shop, "A", 2, gmv=7000 + 3000)   # one sale at 30 元 < floor 40
    poll(svc, clock)
    idle(svc)
    assert last(rt, "interlock.breaker_tripped").payload["rule"] == "sale_below_floor"
    assert shop.products["A"].price == 8000


def test_failover_pauses_offers_and_holds_coupons(setup):
    rt, svc, shop, clock = setup
    svc.start_offer("A", 6900, 100, wait=True)
    svc.schedule_coupon(CouponSpec("B", 19900, 2000, 100), 5)
    clock.advance(10)
    rt.journal.append(rt.session_id, "stream.failover", "guard", {"reason": "test"})
    assert svc.offers()[0].paused and svc.offers()[0].remaining_s == pytest.approx(90)
    clock.advance(60)
    svc.tick()
    assert shop.products["A"].price == 6900 and not shop.coupons   # frozen, held
    rt.journal.append(rt.session_id, "stream.returned", "guard", {})
    svc.tick()
    idle(svc)
    assert shop.coupons  # released on return
    assert svc.offers()[0].remaining_s == pytest.approx(90)
    assert "console.offer_paused" in kinds(rt) and "console.offer_resumed" in kinds(rt)


def test_crash_recovery_rebuilds_from_journal(setup, tmp_path, make_runtime):
    rt, svc, shop, clock = setup
    svc.change_price("B", 17900, wait=True)
    svc.unlist_product("A", wait=True)
    svc.start_offer("B", 15900, 300, wait=True)
    shop.lie_price["L"] = 5
    svc.list_product("L", wait=True)
    del shop.lie_price["L"]
    sid = rt.session_id
    clock.advance(100)
    # a new process on the same journal, a platform that forgot everything
    from controlroom.journal import Journal
    rt.abandon()  # killed: the writer lock goes with the process
    shop2 = FakeShop()
    rt2 = make_runtime(rt.data_dir, clock=clock, platform=shop2, show_dir=rt.show_dir,
                       rooms={"console": "controlroom.commerce.room"})
    try:
        rt2.resume(sid)
        svc2 = rt2.console
        idle(svc2)
        assert svc2.product("L").locked
        assert not svc2.product("A").listed and not shop2.products["A"].listed
        offers = svc2.offers()
        assert offers[0].sku == "B" and offers[0].remaining_s == pytest.approx(200, abs=1)
        assert shop2.products["B"].price == 15900
        assert svc2.last_price_change() == ("B", 19900, 17900)
        assert svc2.plan_row("A").floor_price == 4000
        clock.advance(200)
        svc2.tick()
        idle(svc2)
        assert shop2.products["B"].price == 17900
    finally:
        rt2.close()


def test_unknown_sku_and_invalid_offer(setup):
    rt, svc, shop, clock = setup
    assert svc.change_price("ZZZ", 100).verdict.rules[0] == "invalid_input"
    assert svc.start_offer("A", 6900, 0).verdict.verdict == "block"


def test_plan_import_row_by_row(setup, tmp_path):
    """A blocked row keeps its SKU from being listed (reasons shown); every other row keeps its floors."""
    rt, svc, shop, clock = setup
    bad = tmp_path / "bad.csv"
    bad.write_text(PLAN + "A,dup,100,70,20,40,100,3,,,,no\n", encoding="utf-8")
    results = svc.import_plan(bad)
    assert [r.verdict.verdict for r in results if r.sku == "A"] == ["block", "block"]
    assert svc.plan_row("B").floor_price == 15900
    t = svc.list_product("A")
    assert t.verdict.rules == ["plan_blocked"] and not t.overridable and "appears 2 times" in t.verdict.words
    assert svc.product("A").plan_blocked
    assert svc.change_price("B", 15000).verdict.rules == ["below_floor"]
