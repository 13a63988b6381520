"""Issue 10's eight findings, each reproduced the way it was found: as an operator (rehearsal scripts
through the real CLI) or as an attacker (the service, the journal, the settings file). Each failed on
the code before the console was rebuilt; the names say which finding they cover."""
from __future__ import annotations

import shutil
import threading
import time
from dataclasses import replace

import pytest

from controlroom.commerce import commands as cmds
from controlroom.commerce.interlocks import InterlockSettings
from controlroom.commerce.service import Override, OverrideRefused, VerdictChanged
from controlroom.commerce.supervisor import set_supervisor_pin, verify_pin
from controlroom.paths import SAMPLE_SHOW
from controlroom.platform import CouponSpec, PlatformTimeout
from controlroom.runtime import Runtime
from controlroom.settings import Settings, SettingsError
from tests.core.commerce.rehearsal_helpers import autos, final_sku, line, rehearse, rundown_fired
from tests.core.commerce.test_console_service import idle, kinds, last  # noqa: F401
from tests.fakes import PIN, FakeShop


def _show(tmp_path, edit=None, name="show"):
    show = tmp_path / name
    shutil.copytree(SAMPLE_SHOW, show)
    if edit:
        p = show / "products.csv"
        p.write_text(edit(p.read_text(encoding="utf-8")), encoding="utf-8")
    return show


# ---- 1. stale verdicts ---------------------------------------------------------------------------------
def test_f1_rundown_offer_fired_against_a_live_coupon_is_judged_where_it_goes_live(tmp_path):
    """The serum's countdown offer (179 元 at 73:00 of the sample rundown) and a shop-wide 100−30 coupon are
    each fine alone; together they net 149 元 against a floor of 159 元. The offer is judged again as it fires."""
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 4300, "do": "coupon", "threshold": "100", "off": "30", "quantity": 500, "per_buyer_limit": 1},
        {"t": 4390, "do": "orders", "sku": "SER-002", "count": 5, "over_s": 0, "per_buyer": 1},
    ])
    assert rc == 0, err
    coupon = line(recs, 2)
    assert (coupon["verdict"], coupon["outcome"], coupon["net_price"]) == ("allow", "applied", "169.00")
    assert not autos(recs, "rundown_offer"), "the JSON stream keeps to the contract's auto kinds"
    fired = rundown_fired(tmp_path / "data", "SER-002")
    assert len(fired) == 1 and fired[0]["outcome"] == "refused" and fired[0]["t"] == 4380.0
    assert "149.00" in fired[0]["reason"] and "below the floor" in fired[0]["reason"]
    assert line(recs, 3)["filled"] == {"199.00": 5}, "nobody bought at 179 − 30"
    assert final_sku(final, "SER-002")["shop_price"] == "199.00"


def test_f1_an_offer_is_judged_with_the_coupons_already_live(tmp_path):
    """45 against 49: an offer of 55 元 on the lipstick with a live 100−20 coupon (2 × 55 − 20 = 90 for two)."""
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "coupon", "threshold": "100", "off": "20", "quantity": 100, "confirm": True},
        {"t": 2, "do": "offer", "sku": "LIP-001", "price": "55.00", "duration_s": 120, "quantity": 50,
         "confirm": True},
    ])
    assert rc == 0, err
    assert line(recs, 2)["outcome"] == "applied"
    offer = line(recs, 3)
    assert offer["verdict"] == "block" and "below_floor" in offer["rules"] and offer["net_price"] == "45.00"
    assert offer["outcome"] == "refused"
    assert final_sku(final, "LIP-001")["shop_price"] == "69.00"


def test_f1_a_ticket_left_open_while_an_offer_fired_is_judged_again_on_submit(tmp_path):
    """The coupon's ticket opens at 10 s (fine then) and is submitted at 4400 s, after the rundown's 179 元 offer
    went live: judged again, it is a block now, and it is not sent."""
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 10, "do": "coupon", "threshold": "100", "off": "30", "quantity": 500, "confirm_at": 4400},
    ])
    assert rc == 0, err
    fired = rundown_fired(tmp_path / "data", "SER-002")
    assert fired and fired[0]["outcome"] == "applied"
    coupon = line(recs, 2)
    assert coupon["t"] == 4400.0 and coupon["verdict"] == "block" and "below_floor" in coupon["rules"]
    assert coupon["outcome"] == "refused" and coupon["net_price"] == "149.00"


def test_f1_two_lanes_at_once_see_each_other(setup):
    """A coupon and an offer submitted together on different lanes: whichever goes second is judged with the
    first one in flight."""
    rt, svc, shop, clock = setup
    gate = threading.Event()
    real = shop.issue_coupon

    def slow_issue(spec, *, idempotency_key):
        gate.wait(5)
        return real(spec, idempotency_key=idempotency_key)
    shop.issue_coupon = slow_issue
    t1 = svc.request(cmds.IssueCoupon(CouponSpec(None, 10000, 3000, 100)))     # B: 199 − 30 = 169 ≥ 159
    assert t1.verdict.verdict == "allow"
    svc.submit(t1)
    time.sleep(0.05)                                                          # the coupon is in flight
    t2 = svc.request(cmds.StartOffer("B", 17900, 60, 10))                      # 179 − 30 = 149 < 159
    assert t2.verdict.verdict == "block" and "below_floor" in t2.verdict.rules
    gate.set()
    idle(svc)


def test_f1_submit_rejudges_and_shows_a_worse_verdict_again(setup):
    rt, svc, shop, clock = setup
    t = svc.request(cmds.IssueCoupon(CouponSpec("B", 10000, 3000, 100)))
    assert t.verdict.verdict == "allow"
    svc.start_offer("B", 17900, 120, wait=True)
    with pytest.raises(VerdictChanged) as e:
        svc.submit(t)
    assert e.value.ticket.verdict.verdict == "block" and t.state == "reverify" and t.future is None
    with pytest.raises(OverrideRefused):
        svc.submit(t, confirmed=True)          # a block stays a block: confirming is not enough
    assert not shop.coupons


# ---- 2. the breaker knows a promotion from a mistake -------------------------------------------------------
def _sim_show(make_runtime, tmp_path, seed, name):
    from controlroom.clock import ManualClock
    clock = ManualClock()
    rt = make_runtime(tmp_path / name, clock=clock, seed=seed, alert_sinks=False,
                      rooms={"console": "controlroom.commerce.room", "rundown": "controlroom.rundown.room"})
    rt.new_show("breaker")
    rt.start()
    for sku in ("SER-002", "LIP-001", "MSK-004"):
        assert rt.console.list_product(sku, wait=True).outcome.ok
    rt.console.pin_product("SER-002", wait=True)
    rt.rundown.runner.goto("8")        # the serum's own segment: the hero product being explained
    rt.rundown.runner.start()
    return rt, clock


def _run(rt, clock, seconds):
    for _ in range(seconds):
        clock.advance(1.0)
        rt.tick()
        rt.console.lanes.wait_idle(10)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_f2_a_healthy_cut_above_floor_in_its_own_segment_never_trips(tmp_path, seed, make_runtime):
    rt, clock = _sim_show(make_runtime, tmp_path, seed, f"cut{seed}")
    try:
        _run(rt, clock, 240)                                      # the room fills, the serum sells
        assert rt.console.change_price("SER-002", 16900, confirmed=True, wait=True).outcome.ok   # −15 %, floor 159
        _run(rt, clock, 180)
        assert "interlock.breaker_tripped" not in kinds(rt)
        p = rt.console.product("SER-002")
        assert p.listed and p.price == 16900
    finally:
        rt.close()


@pytest.mark.parametrize("seed", [1, 2])
def test_f2_a_planned_flash_offer_selling_fast_within_its_quantity_never_trips(tmp_path, seed, make_runtime):
    rt, clock = _sim_show(make_runtime, tmp_path, seed, f"offer{seed}")
    try:
        _run(rt, clock, 240)
        t = rt.console.start_offer("SER-002", 17900, 180, 3000, per_buyer_limit=3, confirmed=True, wait=True)
        assert t.outcome.ok
        before = rt.platform.metrics().skus["SER-002"].orders
        _run(rt, clock, 120)
        sold = rt.platform.metrics().skus["SER-002"].orders - before
        assert sold > 20, "the offer sells (well above the minutes before)"
        assert "interlock.breaker_tripped" not in kinds(rt)
        assert rt.console.product("SER-002").listed and rt.console.offers()
    finally:
        rt.close()


def test_f2_the_default_pause_ends_the_offer_and_keeps_the_product_listed(setup):
    """A sale below floor that nobody approved trips at once; by default the offer is paused — back to the price
    before it — and the product being explained stays on sale and pinned."""
    rt, svc, shop, clock = setup
    svc.pin_product("A", wait=True)
    assert svc.start_offer("A", 6000, 300, wait=True).outcome.ok
    from tests.core.commerce.test_console_service import feed, poll
    feed(shop, "A", 1, gmv=6000)
    poll(svc, clock)
    feed(shop, "A", 2, gmv=6000 + 3000)           # a unit sold at 30 元 < floor 40: a mistake somewhere
    poll(svc, clock)
    idle(svc)
    trip = last(rt, "interlock.breaker_tripped")
    assert trip.payload["rule"] == "sale_below_floor" and trip.payload["pause_action"] == "pause"
    assert shop.products["A"].price == 8000 and shop.products["A"].listed and shop.products["A"].pinned
    assert last(rt, "console.offer_stopped").payload["reason"] == "breaker:sale_below_floor"


# ---- 3. one blocked row does not drop the plan ------------------------------------------------------------
def test_f3_one_blocked_row_keeps_every_other_floor(tmp_path):
    show = _show(tmp_path, lambda t: t.replace("BRS-012,化妆刷套装 Brush Set,129,79,18,59",
                                               "BRS-012,化妆刷套装 Brush Set,129,50,18,59"))   # below its floor
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "price", "sku": "LIP-001", "price": "45.00", "confirm": True},
        {"t": 2, "do": "list", "sku": "BRS-012"},
    ], show=show)
    assert rc == 0, err
    cut = line(recs, 2)
    assert cut["verdict"] == "block" and "below_floor" in cut["rules"] and cut["outcome"] == "refused"
    brush = line(recs, 3)
    assert brush["verdict"] == "block" and brush["rules"] == ["plan_blocked"] and brush["outcome"] == "refused"
    assert final_sku(final, "LIP-001")["shop_price"] == "69.00" and not final_sku(final, "BRS-012")["listed"]


def test_f3_an_unreadable_plan_is_journaled_and_alerted(tmp_path, manual_clock, make_runtime):
    show = tmp_path / "show"
    show.mkdir()
    (show / "products.csv").write_text("sku,title\nA,x\n", encoding="utf-8")   # not a plan: no prices
    rt = make_runtime(clock=manual_clock, platform=FakeShop(), show_dir=show,
                      rooms={"console": "controlroom.commerce.room"})
    try:
        rt.new_show("no plan")
        assert "console.plan_failed" in kinds(rt)
        assert any(e.kind == "alert.raised" and e.payload["rule"] == "plan_unreadable"
                   for e in rt.journal.events(rt.session_id))
        assert rt.console.snapshot().plan_error
        t = rt.console.change_price("A", 4500)
        assert "no_floor" in t.verdict.rules and t.verdict.verdict != "allow"
    finally:
        rt.close()


# ---- 4. an offer's quantity is a cap, with a per-buyer limit ----------------------------------------------
def test_f4_a_20_unit_offer_sells_20(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "price", "sku": "LIP-001", "price": "80.00"},
        {"t": 5, "do": "offer", "sku": "LIP-001", "price": "65.00", "duration_s": 180, "quantity": 20,
         "per_buyer_limit": 1},
        {"t": 10, "do": "orders", "sku": "LIP-001", "count": 49, "over_s": 30, "per_buyer": 1},
    ])
    assert rc == 0, err
    assert line(recs, 4)["filled"] == {"65.00": 20, "80.00": 29}
    end = autos(recs, "offer_end", "LIP-001")
    assert end and "sold out" in end[0]["reason"] and end[0]["t"] < 40
    assert final_sku(final, "LIP-001")["sold"] == 49


def test_f4_the_per_buyer_limit_reaches_the_shop(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "offer", "sku": "LIP-001", "price": "59.00", "duration_s": 60, "quantity": 100,
         "per_buyer_limit": 1, "confirm": True},
        {"t": 2, "do": "orders", "sku": "LIP-001", "count": 10, "over_s": 5, "per_buyer": 2},
    ])
    assert rc == 0, err
    assert line(recs, 3)["filled"] == {"59.00": 10, "69.00": 10}   # one each at the flash price


# ---- 5. lanes and one deadline ---------------------------------------------------------------------------
def test_f5_a_hanging_sku_does_not_hold_another_skus_revert(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 2, "do": "fault", "sku": "LIP-001", "kind": "hang", "for_s": 60},
        {"t": 3, "do": "price", "sku": "LIP-001", "price": "65.00"},
        {"t": 4, "do": "offer", "sku": "SER-002", "price": "189.00", "duration_s": 3},
    ])
    assert rc == 0, err
    end = autos(recs, "offer_end", "SER-002")
    assert end and end[0]["outcome"] == "applied" and end[0]["t"] <= 7.0 + 1.0
    hung = line(recs, 4)
    assert hung["outcome"] == "uncertain" and hung["t"] <= 3 + 5.0, "one deadline per action (5 s)"
    assert final_sku(final, "SER-002")["shop_price"] == "199.00"


def test_f5_a_rate_limit_with_a_long_retry_after_ends_the_action_at_once(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "LIP-001"},
        {"t": 1, "do": "fault", "sku": "LIP-001", "kind": "rate_limit", "for_s": 30},
        {"t": 2, "do": "price", "sku": "LIP-001", "price": "65.00"},
    ])
    assert rc == 0, err
    r = line(recs, 3)
    assert r["outcome"] == "failed" and r["t"] <= 2 + 5.0


def test_f5_http_429_retry_after_30_is_bounded_by_the_deadline(tmp_path, make_runtime):
    from plugins.http_platform import HttpPlatform
    from tests.fakes import HttpShop
    from tests.plugins.test_http_platform import fast_config
    shop = HttpShop(unit="fen")
    show = tmp_path / "show"
    show.mkdir()
    rt = make_runtime(platform=HttpPlatform(fast_config(shop.url, retry_budget=60.0, max_attempts=4)),
                      rooms={"console": "controlroom.commerce.room"}, show_dir=show)
    try:
        rt.new_show("429")
        shop.fault("set_price", status=429, headers={"Retry-After": "30"}, times=100)
        t0 = time.monotonic()
        t = rt.console.change_price("SKU1", 2490, confirmed=True, wait=True)
        took = time.monotonic() - t0
        assert t.outcome.status == "failed" and "429" in t.outcome.error
        assert took < rt.console.config.action_deadline_s, took
        assert len(shop.op_requests("set_price")) == 1, "no wait past the deadline, no retries stacked on retries"
    finally:
        rt.close()
        shop.close()


# ---- 6. outcomes that are true ------------------------------------------------------------------------------
def test_f6_applied_then_500_is_applied_and_undoable(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 1, "do": "fault", "sku": "SER-002", "kind": "apply_then_error", "for_s": 10},
        {"t": 2, "do": "price", "sku": "SER-002", "price": "189.00"},
        {"t": 20, "do": "restart"},
    ])
    assert rc == 0, err
    assert line(recs, 3)["outcome"] == "applied"
    s = final_sku(final, "SER-002")
    assert s["shop_price"] == s["console_price"] == "189.00" and not s["locked"]


def test_f6_no_answer_is_uncertain_locked_then_settled_by_a_read_back(tmp_path):
    rc, recs, final, err = rehearse(tmp_path, [
        {"t": 0, "do": "list", "sku": "SER-002"},
        {"t": 1, "do": "fault", "sku": "SER-002", "kind": "hang", "for_s": 20},
        {"t": 2, "do": "price", "sku": "SER-002", "price": "189.00"},
        {"t": 10, "do": "price", "sku": "SER-002", "price": "185.00"},
        {"t": 40, "do": "price", "sku": "SER-002", "price": "185.00"},
    ])
    assert rc == 0, err
    assert line(recs, 3)["outcome"] == "uncertain" and autos(recs, "lock", "SER-002")
    assert line(recs, 4)["rules"] == ["sku_locked"] and line(recs, 4)["outcome"] == "refused"
    settled = autos(recs, "reconcile", "SER-002")
    assert settled and settled[0]["t"] >= 21 and settled[0]["outcome"] == "failed"   # the hang applied nothing
    assert line(recs, 5)["outcome"] == "applied"
    assert final_sku(final, "SER-002")["shop_price"] == "185.00"


def test_f6_a_500_the_shop_applied_is_read_back_as_applied_and_in_undo(setup):
    rt, svc, shop, clock = setup
    from controlroom.platform import PlatformUnavailable
    real = shop.set_price

    def applied_then_500(sku, price, *, idempotency_key):
        real(sku, price, idempotency_key=idempotency_key)
        raise PlatformUnavailable("HTTP 500 after applying")
    shop.set_price = applied_then_500
    t = svc.change_price("A", 7000, wait=True)
    assert t.outcome.status == "applied" and svc.last_price_change() == ("A", 8000, 7000)
    shop.set_price = real
    svc.revert_last_price(wait=True)
    assert shop.products["A"].price == 8000


def test_f6_reconcile_after_a_second_restart_uses_fresh_keys(setup, make_runtime):
    rt, svc, shop, clock = setup
    svc.change_price("B", 17900, wait=True)
    sid = rt.session_id
    rt.abandon()                             # the first process is gone, and its writer lock with it
    for restart in range(2):
        shop._set("B", price=19900)          # the shop lost the change again
        rt2 = make_runtime(rt.data_dir, clock=clock, platform=shop, show_dir=rt.show_dir,
                           rooms={"console": "controlroom.commerce.room"})
        try:
            rt2.resume(sid)
            idle(rt2.console)
            assert shop.products["B"].price == 17900, f"restart {restart + 1}: the shop was put back"
        finally:
            rt2.close()
    keys = [e.payload["key"] for e in rt.journal.events(sid) if e.kind == "console.reconciled"]
    assert len(keys) == 2 and len(set(keys)) == 2


def test_f6_a_full_disk_sends_nothing_and_stops_the_console_until_it_can_write(setup):
    rt, svc, shop, clock = setup
    seen = []
    rt.bus.subscribe(lambda topic, p: seen.append(p), "console.journal")
    j = rt.journal
    from controlroom.journal import JournalWriteError
    pages = j._db.execute("PRAGMA page_count").fetchone()[0]
    j._db.execute(f"PRAGMA max_page_count={pages}")        # what SQLite says when the disk is full
    try:
        for size in (100_000, 10_000, 1_000, 100):          # fill what room is left
            while True:
                try:
                    j.append(rt.session_id, "test.filler", "test", {"blob": "x" * size})
                except JournalWriteError:
                    break
        t = svc.change_price("A", 7000, wait=True)
        assert t.outcome is None or t.outcome.status == "refused"
        assert [a for a in shop.applied if a[0] == "set_price"] == [], "nothing reached the shop"
        assert not svc.journal_ok and seen and seen[-1]["ok"] is False
        t2 = svc.request(cmds.ListProduct("L"))
        assert t2.verdict.rules == ["journal_unavailable"] and not t2.overridable
        assert svc.snapshot().journal_ok is False
    finally:
        j._db.execute(f"PRAGMA max_page_count={pages * 1000}")
    clock.advance(2)
    svc.tick()
    assert svc.journal_ok and seen[-1]["ok"] is True
    assert svc.change_price("A", 7000, wait=True).outcome.ok


# ---- 7. the supervisor ---------------------------------------------------------------------------------------
def test_f7_a_pin_set_in_the_running_app_works_at_once_and_the_old_one_stops(setup):
    rt, svc, shop, clock = setup
    t = svc.change_price("A", 800)
    set_supervisor_pin(rt.settings, "735194")        # changed while the app runs
    with pytest.raises(OverrideRefused, match="wrong PIN"):
        svc.submit(t, override=Override("Wang", PIN, "loss leader approved"))
    svc.submit(t, override=Override("Wang", "735194", "loss leader approved")).result()
    assert shop.products["A"].price == 800


def test_f7_the_pin_is_saved_beside_a_nested_platform_table(tmp_path):
    p = tmp_path / "settings.toml"
    p.write_text('[platform]\nkind = "http"\n\n[platform.http]\nbase_url = "http://127.0.0.1:9"\n'
                 'price_unit = "yuan"\n\n[interlocks]\nprice_band_pct = 40\n', encoding="utf-8")
    s = Settings(p)
    set_supervisor_pin(s, "735194")
    again = Settings(p)
    assert again.data["platform"] == {"kind": "http", "http": {"base_url": "http://127.0.0.1:9", "price_unit": "yuan"}}
    assert again.section("interlocks", InterlockSettings).price_band_pct == 40
    assert verify_pin(again.data["supervisor"]["pin_hash"], "735194")


def test_f7_five_wrong_pins_lock_overrides_for_five_minutes_journaled(setup, make_runtime):
    rt, svc, shop, clock = setup
    t = svc.change_price("A", 800)
    for _ in range(5):
        with pytest.raises(OverrideRefused, match="wrong PIN"):
            svc.submit(t, override=Override("Guess", "000000", "trying my luck"))
    with pytest.raises(OverrideRefused, match="locked"):
        svc.submit(t, override=Override("Wang", PIN, "the real supervisor"))
    assert "interlock.overrides_locked" in kinds(rt)
    assert shop.products["A"].price == 8000
    # the lockout survives a restart
    rt.abandon()                             # the first process is gone, and its writer lock with it
    rt2 = make_runtime(rt.data_dir, clock=clock, platform=shop, show_dir=rt.show_dir,
                       rooms={"console": "controlroom.commerce.room"})
    try:
        rt2.resume(rt.session_id)
        t2 = rt2.console.change_price("A", 800)
        with pytest.raises(OverrideRefused, match="locked"):
            rt2.console.submit(t2, override=Override("Wang", PIN, "the real supervisor"))
        clock.advance(301)
        rt2.console.submit(t2, override=Override("Wang", PIN, "the real supervisor")).result()
        assert shop.products["A"].price == 800
    finally:
        rt2.close()


def test_f7_new_pins_are_longer_and_costlier():
    from controlroom.commerce.supervisor import hash_pin
    with pytest.raises(ValueError, match="at least 6"):
        hash_pin("4321")
    h = hash_pin("735194")
    assert int(h.split("$")[1]) >= 2 ** 15


# ---- 8. nan and inf never switch a safety off ------------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "inf", "-3", "1e9"])
def test_f8_a_planned_rate_that_is_not_a_number_blocks_its_row(tmp_path, manual_clock, value):
    from controlroom.commerce.plan import check_plan, read_plan
    p = tmp_path / "plan.csv"
    p.write_text("sku,title,list_price,live_price,floor_price,stock,planned_orders_per_min\n"
                 f"A,x,100,80,40,10,{value}\nB,y,100,80,40,10,12\n", encoding="utf-8")
    plan = read_plan(p)
    a, b = plan.rows
    assert a.planned_orders_per_min is None and [f for f, _ in a.invalid] == ["planned_orders_per_min"]
    assert b.planned_orders_per_min == 12.0
    r = check_plan(plan)
    assert r[0].verdict.verdict == "block" and "invalid_input:planned_orders_per_min" in r[0].verdict.rules
    assert r[1].verdict.verdict == "allow"


@pytest.mark.parametrize("line,where", [
    ("[interlocks]\nbreaker_rate_multiple = nan\n", r"\[interlocks\] breaker_rate_multiple must be a finite"),
    ("[interlocks]\nbreaker_rate_multiple = inf\n", r"\[interlocks\] breaker_rate_multiple must be a finite"),
    ("[interlocks]\nplanned_orders_per_min = -1.0\n", r"\[interlocks\] planned_orders_per_min must be at least"),
    ("[interlocks]\nprice_band_pct = true\n", r"\[interlocks\] price_band_pct must be int"),
    ('[interlocks]\npower_of_ten_factors = ["a"]\n', r"\[interlocks\] power_of_ten_factors\[0\] must be int"),
    ("[interlock]\nprice_band_pct = 40\n", r"\[interlock\] is not a settings section; did you mean \[interlocks\]"),
    ("[console]\naction_deadline_s = nan\n", r"\[console\] action_deadline_s must be a finite"),
    ("[interlocks]\nbreaker_min_orders = 2.5\n", r"\[interlocks\] breaker_min_orders must be int"),
])
def test_f8_settings_refuse_what_would_switch_a_safety_off(tmp_path, line, where):
    p = tmp_path / "settings.toml"
    p.write_text(line, encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings\.toml.*" + where):
        Runtime.create(tmp_path, platform=FakeShop(), rooms={"console": "controlroom.commerce.room"})
