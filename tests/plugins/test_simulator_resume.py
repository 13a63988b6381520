"""The simulated room survives the app: bound to a session it journals its inputs, and a new shop object
resumed on that session (a restarted app) is the same room, figure for figure, then and after.
Its randomness is a pure function of (seed, step)."""
from __future__ import annotations

import sqlite3
from dataclasses import astuple

import numpy as np
import pytest

from controlroom.clock import ManualClock
from controlroom.journal import Journal
from controlroom.paths import SAMPLE_SHOW
from controlroom.platform import CouponSpec, PlatformUnavailable
from plugins.simulator import Faults, SimulatedShop
from plugins.simulator.catalog import load_catalog, load_show_info


def _shop(clock, seed=7, **kw) -> SimulatedShop:
    return SimulatedShop.from_show(SAMPLE_SHOW, clock=clock, seed=seed, peak_online=20_000, **kw)


def _figures(shop) -> tuple:
    m = shop.metrics()
    return astuple(m), [astuple(p) for p in shop.read_products()]


def _act(shop, t: int) -> None:
    """The same show-side and console inputs at the same seconds, whichever shop object runs the room."""
    script = {
        0: lambda: [shop.list_product(s, idempotency_key=f"l-{s}") for s in shop.skus[:8]],
        5: lambda: shop.set_segment("opening", ["SER-002"]),
        40: lambda: shop.set_price("SER-002", 17900, idempotency_key="p1"),
        60: lambda: shop.issue_coupon(CouponSpec("SER-002", 17900, 1500, 200), idempotency_key="c1"),
        90: lambda: shop.start_countdown("SER-002", 120),
        100: lambda: shop.pin_product("SER-002", idempotency_key="pin1"),
        130: lambda: shop.set_displayed_stock("LIP-001", 80, idempotency_key="d1"),
        150: lambda: shop.set_off_air(True),
        170: lambda: shop.set_off_air(False),
        200: lambda: shop.set_segment("product", ["LIP-001"]),
        230: lambda: shop.stop_coupon("CPN-0001", idempotency_key="c1-stop"),
        260: lambda: shop.unlist_product("CLN-006", idempotency_key="u1"),
        280: lambda: shop.set_stock("LIP-001", 40, idempotency_key="s1"),
    }
    fn = script.get(t)
    if fn is not None:
        fn()


def _run(shop, clock, start: int, end: int) -> list:
    out = []
    for t in range(start, end):
        _act(shop, t)
        clock.advance(1.0)
        out.append(_figures(shop))
    return out


def _session(tmp_path, clock):
    j = Journal(tmp_path / "journal.sqlite", clock=clock)
    sid = j.new_session("sim resume")
    return j, sid


@pytest.mark.parametrize("kill_at", [1, 95, 151, 299])
def test_a_resumed_shop_is_the_same_room_then_and_after(tmp_path, kill_at):
    clock = ManualClock()
    j, sid = _session(tmp_path / "a", clock)
    first = _shop(clock)
    first.open_session(j, sid, resumed=False)
    before = _run(first, clock, 0, kill_at)
    # The app dies: a new process, a new clock with the same wall time, a new shop object on the same journal.
    clock2 = ManualClock(clock.utcnow(), start_mono=50.0)
    j2 = Journal(tmp_path / "a" / "journal.sqlite", clock=clock2)
    second = _shop(clock2)
    second.open_session(j2, sid, resumed=True)
    assert _figures(second) == before[-1], "the resumed room stands exactly where the first one was"
    after = _run(second, clock2, kill_at, 360)

    ref_clock = ManualClock()
    jr, sidr = _session(tmp_path / "ref", ref_clock)
    ref = _shop(ref_clock)
    ref.open_session(jr, sidr, resumed=False)
    whole = _run(ref, ref_clock, 0, 360)
    assert before + after == whole
    assert second.write_log == ref.write_log
    for jj in (j, j2, jr):
        jj.close()


def test_a_retry_after_the_crash_is_answered_not_applied_twice(tmp_path):
    clock = ManualClock()
    j, sid = _session(tmp_path, clock)
    first = _shop(clock)
    first.open_session(j, sid, resumed=False)
    cid = first.issue_coupon(CouponSpec(None, 9900, 1000, 50), idempotency_key="coupon-once")
    clock.advance(30)
    second = _shop(clock)
    second.open_session(j, sid, resumed=True)
    assert second.issue_coupon(CouponSpec(None, 9900, 1000, 50), idempotency_key="coupon-once") == cid
    assert [c for c in second.write_log if c[1] == "issue_coupon"] == [(0.0, "issue_coupon", "coupon-once",
                                                                         (CouponSpec(None, 9900, 1000, 50),))]
    j.close()


def test_a_new_show_opens_a_new_room_and_an_ended_or_foreign_session_starts_from_zero(tmp_path):
    clock = ManualClock()
    j, sid = _session(tmp_path, clock)
    shop = _shop(clock)
    shop.open_session(j, sid, resumed=False)
    for s in shop.skus:
        shop.list_product(s, idempotency_key=f"l-{s}")
    clock.advance(600)
    assert shop.metrics().gmv > 0
    sid2 = j.new_session("second show")
    shop.open_session(j, sid2, resumed=False)
    assert shop.metrics().gmv == 0 and not any(p.listed for p in shop.read_products())
    # a catalog that changed since the show started cannot be replayed: the room says so and starts again
    items = load_catalog(SAMPLE_SHOW / "products.csv")[:-1]
    other = SimulatedShop(items, clock=clock, seed=7, show=load_show_info(SAMPLE_SHOW / "show.toml"))
    other.open_session(j, sid, resumed=True)
    opened = j.events(sid, kinds=["simulator.opened"])
    assert opened[-1].payload["restored"] is False and "catalog" in opened[-1].payload["reason"]
    assert other.metrics().gmv == 0
    # an ended show reopened for review: its room is over (no replay up to now), and nothing is journaled in it
    shop.open_session(j, sid, resumed=False)
    shop.list_product("SER-002", idempotency_key="l")
    clock.advance(60)
    j.end_session(sid)
    n = len(j.events(sid))
    clock.advance(3600)
    shop.open_session(j, sid, resumed=True)
    assert shop.metrics().views == 0
    shop.list_product("SER-002", idempotency_key="after-the-end")
    assert len(j.events(sid)) == n
    j.close()


def test_a_write_the_journal_refuses_is_not_applied(tmp_path):
    clock = ManualClock()
    j, sid = _session(tmp_path, clock)
    shop = _shop(clock)
    shop.open_session(j, sid, resumed=False)
    ro = sqlite3.connect(tmp_path / "journal.sqlite")
    ro.execute("BEGIN EXCLUSIVE")   # another writer holds the file: the journal cannot commit
    try:
        j._db.execute("PRAGMA busy_timeout=50")
        with pytest.raises(PlatformUnavailable, match="cannot journal"):
            shop.list_product("SER-002", idempotency_key="l")
    finally:
        ro.rollback()
        ro.close()
    assert not shop.read_product("SER-002").listed
    shop.list_product("SER-002", idempotency_key="l")   # the key was not burnt
    assert shop.read_product("SER-002").listed
    j.close()


def test_draws_are_a_function_of_seed_and_step_only():
    """Philox keyed per step: the draws of step k do not depend on how many draws earlier steps made."""
    shop = SimulatedShop.from_show(SAMPLE_SHOW, clock=ManualClock(), seed=5)

    def draws(k: int, extra: int) -> np.ndarray:
        shop._key(shop._bits, shop._bits_state, k - 1)
        shop._rng.poisson(3.0, size=extra)           # however much step k-1 drew ...
        shop._key(shop._bits, shop._bits_state, k)
        return shop._rng.poisson(50.0, size=8)       # ... step k draws the same

    assert (draws(10, 1) == draws(10, 999)).all()
    assert not (draws(10, 1) == draws(11, 1)).all()
    other = SimulatedShop.from_show(SAMPLE_SHOW, clock=ManualClock(), seed=6)
    other._key(other._bits, other._bits_state, 10)
    assert not (draws(10, 0) == other._rng.poisson(50.0, size=8)).all()


def test_faults_never_reach_the_journal_or_the_replay(tmp_path):
    clock = ManualClock()
    j, sid = _session(tmp_path, clock)
    shop = _shop(clock, faults=Faults(timeout_next=1, timeout_after_apply=False))
    shop.open_session(j, sid, resumed=False)
    with pytest.raises(Exception):
        shop.list_product("SER-002", idempotency_key="t")   # timed out before it was applied
    assert j.events(sid, kinds=["simulator.input"]) == []
    shop.list_product("SER-002", idempotency_key="t")
    assert [e.payload["op"] for e in j.events(sid, kinds=["simulator.input"])] == ["list_product"]
    j.close()


# ---- a rehearsal's room: no audience of its own, scripted buyers (the world's inputs) -------------------
def _rehearse(shop, t: int) -> list:
    """A rehearsal's world: the audience is switched off and scripted buyers buy, some beyond an offer's
    per-buyer limit and its quantity (what the room remembers per buyer must survive the kill)."""
    from controlroom.platform import OfferSpec
    out = []
    if t == 0:
        shop.audience = False
        for s in shop.skus[:3]:
            shop.list_product(s, idempotency_key=f"l-{s}")
    if t == 10:
        out.append(shop.start_offer(OfferSpec("LIP-001", 3900, 300.0, quantity=12, per_buyer_limit=2),
                                    idempotency_key="offer-1"))
    if 12 <= t < 200 and t % 7 == 0:
        for b in ("ann", "bo", "cy"):
            out.append(shop.place_order("LIP-001", 3 if b == "ann" else 1, buyer=b))
    if t == 50:
        shop.start_lucky_bag("福袋", 60)
    if t == 120:
        out.append(shop.place_order(shop.skus[1], 2, buyer="ann"))
    return out


def _rehearsal_run(shop, clock, start: int, end: int) -> tuple[list, list]:
    figures, orders = [], []
    for t in range(start, end):
        orders.append(_rehearse(shop, t))
        clock.advance(1.0)
        figures.append(_figures(shop))
    return figures, orders


@pytest.mark.parametrize("kill_at", [5, 40, 90, 150])
def test_a_resumed_rehearsal_room_replays_its_buyers_and_no_audience(tmp_path, kill_at):
    """A rehearsal's buyers (`place_order`) and its `audience = False` are the world's inputs: journaled, so
    a room resumed from the journal by a new shop object has the same sales, per-buyer counts, offer sold
    and silence — and refuses the buyer who reached the offer's limit before the kill."""
    clock = ManualClock()
    j, sid = _session(tmp_path / "a", clock)
    first = _shop(clock)
    first.open_session(j, sid, resumed=False)
    fig_a, ord_a = _rehearsal_run(first, clock, 0, kill_at)
    clock2 = ManualClock(clock.utcnow(), start_mono=50.0)
    j2 = Journal(tmp_path / "a" / "journal.sqlite", clock=clock2)
    second = _shop(clock2)
    second.open_session(j2, sid, resumed=True)
    assert _figures(second) == fig_a[-1]
    assert second.audience is False
    fig_b, ord_b = _rehearsal_run(second, clock2, kill_at, 240)

    ref_clock = ManualClock()
    jr, sidr = _session(tmp_path / "ref", ref_clock)
    ref = _shop(ref_clock)
    ref.open_session(jr, sidr, resumed=False)
    fig_r, ord_r = _rehearsal_run(ref, ref_clock, 0, 240)
    assert ord_a + ord_b == ord_r
    assert fig_a + fig_b == fig_r
    m = ref.metrics()
    assert m.online == 0 and m.views == 0, "no audience of its own: the only buyers are the script's"
    assert m.orders > 0 and second.metrics().skus["LIP-001"].orders == m.skus["LIP-001"].orders
    inputs = [e.payload["op"] for e in j2.events(sid, prefix="simulator.") if e.kind == "simulator.input"]
    assert "set_audience" in inputs and "place_order" in inputs
    for jj in (j, j2, jr):
        jj.close()
