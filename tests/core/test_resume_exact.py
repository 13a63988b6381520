"""An exact resume (issue 11, finding 3): after a SIGKILL at any moment, the resumed show's series, tiles,
alert state and segments continue from the journal, and the recap of the crashed-and-resumed show equals the
recap of the same show (same seed, same script) run without a crash.

The show is tests/core/resume_show.py: the real runtime on a ManualClock in a child process, killed at a
random simulated second (and a random moment inside it), resumed by a new process from the journal alone.
"""
from __future__ import annotations

import os
import random
import sys
from datetime import datetime
from pathlib import Path

import pytest

from controlroom.journal import Journal
from controlroom.recap.report import build_recap
from tests.core import resume_show as rs

SEED = rs.SEED
KILL_SEED = int(os.environ.get("RESUME_KILL_SEED", "20261122"))

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


# ---- running shows -----------------------------------------------------------------------------------
_child = rs.spawn
_kill_at = rs.kill_at
_run_to_end = rs.run_to_end


def figures(data_dir: Path) -> dict:
    """What the recap says: headline, segments, products, and the metrics room's alerts."""
    with Journal(data_dir / "journal.sqlite") as j:
        sid = j.sessions()[-1].id
        r = build_recap(j, sid)
        alerts = [(round(e.utc.timestamp() - rs.BASE_UTC.timestamp(), 3), e.payload.get("rule"),
                   e.payload.get("sku"), e.payload.get("severity"), e.payload.get("title"))
                  for e in j.events(sid, kinds=["alert.raised"])]
    return {
        "headline": {m.key: m.value for m in r.headline},
        "segments": [(s.index, s.title, s.actual_start_s, s.actual_s, s.new_viewers, s.acu, s.pcu, s.gmv,
                      s.orders, s.conversion, s.callout) for s in r.segments],
        "products": [(p.sku, p.gmv, p.paid_gmv, p.orders, p.units, p.impressions, p.clicks, p.add_to_cart)
                     for p in r.products],
        "alerts": alerts,
    }


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("uninterrupted")
    show = rs.begin(d, SEED)
    try:
        show.run()
        show.finish()
    finally:
        show.close()
    return figures(d)


KILL_AT = 530   # ten seconds into the failover drill: viewers are falling, an alert is building


@pytest.fixture(scope="module")
def killed_once(tmp_path_factory) -> dict:
    """One kill mid-show; the resume runs in this process so every report after it can be inspected."""
    d = tmp_path_factory.mktemp("killed_once")
    _kill_at(_child(d, "new"), KILL_AT, random.Random(KILL_SEED))
    with Journal(d / "journal.sqlite") as j:
        sid = j.sessions()[-1].id
        pre = j.samples(sid, metric="gmv")
        pre_gmv, pre_orders = pre[-1]["value"], j.samples(sid, metric="orders")[-1]["value"]
        pre_alerts = len(j.events(sid, kinds=["alert.raised"]))
    reports = []
    show = rs.resume(d, SEED)
    try:
        reports.append((show.now_s(), show.metrics.report))
        resumed_at = show.now_s()
        show.run(on_second=lambda s, t: reports.append((t, s.metrics.report)))
        show.finish()
        raised = [e for e in show.rt.journal.events(show.sid, kinds=["alert.raised"])][pre_alerts:]
    finally:
        show.close()
    return {"dir": d, "pre_gmv": pre_gmv, "pre_orders": pre_orders, "resumed_at": resumed_at,
            "reports": reports, "raised_after": raised, "figures": figures(d)}


# ---- finding 3, symptom by symptom -------------------------------------------------------------------
def test_tiles_continue_from_the_journal_after_a_kill(killed_once):
    """The tiles restarted at GMV ¥0 with "-¥90,429" for the last minute."""
    at, first = killed_once["reports"][0]
    assert first is not None, "the resumed room reports at once, from the journal"
    assert first.show.gmv >= killed_once["pre_gmv"] > 0
    assert first.show.orders >= killed_once["pre_orders"] > 0
    for t, rep in killed_once["reports"]:
        for w, k in rep.windows.items():
            assert k.gmv >= 0 and k.orders >= 0 and k.unique_viewers >= 0, (t, w, k)
        assert rep.show.gmv >= killed_once["pre_gmv"], (t, rep.show.gmv)


def test_no_false_viewers_drop_alert_after_a_resume(killed_once, uninterrupted):
    """A false critical "viewers down 97 %" fired after the resume."""
    after = killed_once["resumed_at"]
    raised = [(e.payload.get("rule"), e.payload.get("severity"), e.payload.get("title"))
              for e in killed_once["raised_after"]]
    assert not [r for r in raised if r[0] == "viewers_drop" and r[1] == "critical"], raised
    expected = [(a[1], a[3], a[4]) for a in uninterrupted["alerts"] if a[0] > after]
    assert raised == expected, "the alerts after the resume are the ones the uninterrupted show raised"


def test_recap_after_a_kill_reports_the_whole_show(killed_once, uninterrupted):
    """The recap said GMV ¥199 and 1 order where the tile had shown ¥111,355 before the kill."""
    head = killed_once["figures"]["headline"]
    assert head["gmv"] >= killed_once["pre_gmv"]
    assert head["orders"] >= killed_once["pre_orders"]
    assert (head["gmv"], head["orders"]) == (uninterrupted["headline"]["gmv"], uninterrupted["headline"]["orders"])


def test_no_segment_goes_negative_after_a_resume(killed_once, uninterrupted):
    """One segment showed GMV −¥101,700 and −358 orders."""
    for seg in killed_once["figures"]["segments"]:
        idx, title, *_rest, gmv, orders, _conv, _call = seg
        if gmv is not None:
            assert gmv >= 0 and orders >= 0, seg
    assert killed_once["figures"]["segments"] == uninterrupted["segments"]


def test_recap_of_the_resumed_show_equals_the_uninterrupted_one(killed_once, uninterrupted):
    assert killed_once["figures"] == uninterrupted


# ---- the done-when: five random kills ----------------------------------------------------------------
def test_resume_equals_uninterrupted_for_5_random_kills(tmp_path, uninterrupted):
    """One show killed five times at random moments, each time resumed by a new process from the journal;
    its recap equals the uninterrupted show's: headline, segments, products and alerts."""
    rng = random.Random(KILL_SEED + 1)
    kills = sorted(rng.sample(range(20, rs.TOTAL_S - 20), 5))
    d = tmp_path / "data"
    proc = _child(d, "new")
    for second in kills:
        _kill_at(proc, second, rng)
        proc = _child(d, "resume")
    _run_to_end(proc)
    got = figures(d)
    for part in ("headline", "segments", "products", "alerts"):
        assert got[part] == uninterrupted[part], f"{part} differ after kills at {kills}"


# ---- wall time while the app is dead is show time ----------------------------------------------------
def test_time_the_app_was_dead_is_a_hole_not_invented_figures(tmp_path, uninterrupted):
    """Killed at 590 s and back 40 s later (no scripted action falls in between): the room went on without
    the app, so the counters carry on exactly; the series has a hole there and nothing fills it; the rules
    and rolling windows do not compare across it; the recap's counts are the uninterrupted show's."""
    d = tmp_path / "data"
    _kill_at(_child(d, "new"), 590, random.Random(KILL_SEED + 2))
    _sid, last = rs.last_commit_s(d)
    with Journal(d / "journal.sqlite") as j:
        pre_gmv = j.samples(_sid, metric="gmv")[-1]["value"]
    show = rs.resume(d, SEED, down_s=40)
    try:
        back = show.now_s()
        first = show.metrics.report
        assert first.show.gmv >= pre_gmv
        reports = [(back, first)]
        show.run(on_second=lambda s, t: reports.append((t, s.metrics.report)))
        show.finish()
        shop_gmv = show.rt.platform.metrics().gmv
        sid = show.sid
        new_alerts = [e.payload for e in show.rt.journal.events(sid, kinds=["alert.raised"])
                      if e.utc.timestamp() - rs.BASE_UTC.timestamp() >= back]
        hole = [r for r in show.rt.journal.samples(sid, metric="gmv")
                if last < datetime.fromisoformat(r["utc"]).timestamp() - rs.BASE_UTC.timestamp() < back]
    finally:
        show.close()
    assert hole == [], "nothing invented for the time the app was dead"
    for t, rep in reports:
        for w, k in rep.windows.items():
            assert k.gmv >= 0 and k.orders >= 0 and k.unique_viewers >= 0, (t, w, k)
            if t - w < back <= t and back - last > 10:
                assert not k.complete, (t, w, "a window across the hole is not a whole window")
    assert not [a for a in new_alerts if a["rule"] == "viewers_drop"], new_alerts
    got = figures(d)
    assert got["headline"]["gmv"] == shop_gmv
    for key in ("gmv", "paid_gmv", "orders", "paid_orders", "unique_viewers", "views"):
        assert got["headline"][key] == uninterrupted["headline"][key], key
    assert got["products"] == uninterrupted["products"]
    counts = [(s[0], s[4], s[7], s[8]) for s in got["segments"]]   # index, new viewers, GMV, orders
    assert counts == [(s[0], s[4], s[7], s[8]) for s in uninterrupted["segments"]]


# ---- the console's circuit breakers come back armed ----------------------------------------------------
def test_an_armed_breaker_survives_the_kill(tmp_path):
    """A cut at 150 s arms the breaker; uninterrupted it trips at 253 s (against a planned rate). Killed at 190 s and resumed, the
    breaker still watches the cut with the same history, and trips at the same second."""
    def trips(driver):
        return [(round(e.utc.timestamp() - rs.BASE_UTC.timestamp()), e.kind, e.actor, e.payload.get("sku"))
                for e in driver.rt.journal.events(driver.sid)
                if e.kind in ("interlock.breaker_tripped", "console.unlisted")]

    ref = rs.begin(tmp_path / "ref", SEED, rs.BREAKER_SCRIPT)
    try:
        ref.run(until=320)
        expected = trips(ref)
    finally:
        ref.close()
    assert expected and expected[0][1] == "interlock.breaker_tripped", expected
    d = tmp_path / "data"
    _kill_at(_child(d, "new", "breaker", "320"), 190, random.Random(KILL_SEED + 3))
    show = rs.resume(d, SEED, rs.BREAKER_SCRIPT)
    try:
        show.run(until=320)
        assert trips(show) == expected
    finally:
        show.close()
