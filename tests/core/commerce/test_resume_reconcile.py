"""Reconcile after a resume is an action of its own, with a key no earlier run used.

Issue 11 (seen while making the resume exact): the reconcile's idempotency key was made of the session,
the SKU and the price (`restore-{sid}-{sku}-p{price}`). The same fix after a SECOND resume reused it, so a
shop that keeps its idempotency cache (a real one; the rehearsal's shop that lives on across restarts)
answered from the cache without applying anything, while the journal said "reconciled"."""
from __future__ import annotations

import pytest

from controlroom.commerce import service as console_service
from tests.fakes import FakeShop


def _idle(svc):
    assert svc.lanes.wait_idle(10)


def _kill_and_resume(rt, make_runtime, shop, clock):
    """The app dies (the shop lives on and is changed behind the console's back), a new one resumes."""
    sid = rt.session_id
    rt.abandon()
    rt2 = make_runtime(rt.data_dir, clock=clock, platform=shop, show_dir=rt.show_dir,
                       rooms={"console": "controlroom.commerce.room"})
    rt2.resume(sid)
    _idle(rt2.console)
    return rt2


def _reconciled(rt):
    return [e.payload for e in rt.journal.events(rt.session_id, kinds=["console.reconciled"])]


def test_a_reconcile_after_a_second_resume_is_applied_not_answered_from_the_cache(setup, make_runtime):
    rt, svc, shop, clock = setup
    svc.change_price("B", 17900, wait=True)
    assert shop.products["B"].price == 17900
    for n in (1, 2):
        # the shop's own back office puts the old price back while no console runs
        shop.set_price("B", 19900, idempotency_key=f"back-office-{n}")
        clock.advance(30)
        rt = _kill_and_resume(rt, make_runtime, shop, clock)
        assert shop.products["B"].price == 17900, f"resume {n}: the journal's price is back on the shop"
        rec = _reconciled(rt)
        assert len(rec) == n and rec[-1]["fixed"] == {"price": [19900, 17900]}
        assert rec[-1]["readback"]["price"] == 17900
    keys = [r["key"] for r in _reconciled(rt)]
    assert len(set(keys)) == 2, f"each resume's fix has a key of its own: {keys}"
    assert [a for a in shop.applied if a[0] == "set_price"] == [
        ("set_price", "B", 17900), ("set_price", "B", 19900), ("set_price", "B", 17900),
        ("set_price", "B", 19900), ("set_price", "B", 17900)], "every fix reached the shop"


def test_keys_say_which_run_of_the_session_made_them(setup, make_runtime):
    """Unique by construction, not by chance: the key carries the session's run (0 for the run that started
    it, then one more per resume, counted from the journal's session.resumed events), so two runs of a
    session never share a key even if their random part collided."""
    rt, svc, shop, clock = setup
    t0 = svc.change_price("B", 17900, wait=True)
    assert f"-r0-" in t0.key
    rt2 = _kill_and_resume(rt, make_runtime, shop, clock)
    t1 = rt2.console.change_price("B", 18900, wait=True)
    rt3 = _kill_and_resume(rt2, make_runtime, shop, clock)
    t2 = rt3.console.change_price("B", 17900, wait=True)
    assert f"-r1-" in t1.key and f"-r2-" in t2.key
    assert shop.products["B"].price == 17900


@pytest.fixture
def same_random_part(monkeypatch):
    class _Fixed:
        hex = "0" * 32
    monkeypatch.setattr(console_service.uuid, "uuid4", lambda: _Fixed())


def test_two_runs_with_the_same_random_part_still_differ(same_random_part, setup, make_runtime):
    rt, svc, shop, clock = setup
    svc.change_price("B", 17900, wait=True)
    for n in (1, 2):
        shop.set_price("B", 19900, idempotency_key=f"back-office-{n}")
        rt = _kill_and_resume(rt, make_runtime, shop, clock)
        assert shop.products["B"].price == 17900, f"resume {n}"
