"""The runner on a ManualClock: a 3-hour show in milliseconds, every control, offsets, crash resume."""
from __future__ import annotations

import pytest

from controlroom.bus import EventBus
from controlroom.clock import ManualClock
from controlroom.journal import Journal
from controlroom.paths import SAMPLE_SHOW
from controlroom.rundown import files
from controlroom.rundown.config import RundownSettings
from controlroom.rundown.model import Offer, Rundown, Segment
from controlroom.rundown.runner import Runner
from tests.fakes import FakeConsole


def plan(*segs) -> Rundown:
    return Rundown(tuple(segs))


def seg(cue, minutes, kind="product", **kw) -> Segment:
    return Segment(cue=str(cue), title=f"段 {cue}", kind=kind, planned_s=int(minutes * 60), **kw)


@pytest.fixture
def rig(tmp_path):
    clock = ManualClock()
    bus = EventBus()
    journal = Journal(tmp_path / "journal.sqlite", clock=clock, bus=bus)
    sid = journal.new_session("test show")
    yield clock, bus, journal, sid
    journal.close()


def make(rig, rundown, **kw) -> Runner:
    clock, bus, journal, sid = rig
    r = Runner(rundown, clock, journal=journal, bus=bus, session_id=sid, **kw)
    r.load(rundown, actor="system")
    return r


def test_three_hour_sample_show_runs_to_the_end_on_time(rig):
    clock, bus, journal, sid = rig
    rundown = files.load(SAMPLE_SHOW / "rundown.csv", skus=files.known_skus(SAMPLE_SHOW))
    segments_seen = []
    bus.subscribe(lambda t, p: segments_seen.append(p), "rundown.segment")
    r = make(rig, rundown, settings=RundownSettings(auto_offers=False), slot_minutes=180)
    r.start()
    for s in rundown.segments:
        clock.advance(s.planned_s)
        r.tick()
        assert abs(r.remaining()) < 1e-6
        r.next()
    assert r.status == "ended"
    assert len(segments_seen) == len(rundown)
    assert set(segments_seen[0]) == {"kind", "products", "cue", "title"}
    ended = journal.events(sid, kinds=["rundown.ended"])[-1].payload
    assert ended["actual_total_s"] == pytest.approx(rundown.total_s)
    assert abs(ended["offset_s"]) < 1e-3


def test_countdown_pause_resume_and_overtime(rig):
    clock = rig[0]
    r = make(rig, plan(seg(1, 10), seg(2, 5)))
    assert r.snapshot()["phase"] == "idle"
    r.start()
    clock.advance(60)
    assert r.remaining() == pytest.approx(540)
    assert r.snapshot()["display"] == "9:00"
    r.pause()
    clock.advance(300)                       # paused: the segment timer stands still...
    assert r.remaining() == pytest.approx(540)
    assert r.timeline()["offset_s"] == pytest.approx(300)   # ...but the show falls behind
    r.resume()
    clock.advance(540 - 5.05)
    snap = r.snapshot()
    assert snap["display"] == "0:05.1" and snap["phase"] == "danger"
    clock.advance(5.05 + 12.4)
    snap = r.snapshot()
    assert snap["remaining_s"] == pytest.approx(-12.4)
    assert snap["display"] == "-0:12" and snap["phase"] == "overtime"
    r.tick()
    r.tick()
    assert len(r.journal.events(r.session_id, kinds=["rundown.overtime"])) == 1


def test_phases_follow_segment_thresholds(rig):
    clock = rig[0]
    r = make(rig, plan(seg(1, 5, warning_s=60, danger_s=10)))
    r.start()
    phases = []
    for step in (0, 239, 1, 49, 1, 9.5, 0.5):
        clock.advance(step)
        phases.append(r.snapshot()["phase"])
    assert phases == ["normal", "normal", "warning", "warning", "danger", "danger", "overtime"]


def test_add_and_remove_time(rig):
    clock = rig[0]
    r = make(rig, plan(seg(1, 10), seg(2, 10)))
    r.start()
    clock.advance(100)
    r.add_time(60)
    assert r.remaining() == pytest.approx(560)
    r.add_time(-60)
    r.add_time(-60)
    assert r.remaining() == pytest.approx(440)
    assert r.timeline()["offset_s"] == pytest.approx(-60)    # ahead by the minute taken off
    changes = r.journal.events(r.session_id, kinds=["rundown.time_changed"])
    assert [e.payload["delta_s"] for e in changes] == [60, -60, -60]
    assert changes[-1].payload["added_s"] == -60 and changes[-1].payload["cue"] == "1"


def test_next_previous_goto(rig):
    clock = rig[0]
    r = make(rig, plan(seg(1, 3, kind="opening"), seg(2, 20), seg(3, 5, kind="closing")))
    r.goto("2")                              # before the show: only selects where to start
    assert r.status == "idle" and r.index == 1
    r.goto(0)
    r.start()
    clock.advance(200)                       # 20 s over the opening
    r.next()
    assert r.index == 1 and r.remaining() == pytest.approx(1200)
    ev = r.journal.events(r.session_id, kinds=["rundown.segment"])[-1].payload
    assert ev["from_cue"] == "1" and ev["from_actual_s"] == pytest.approx(200) and ev["from_planned_s"] == 180
    assert ev["planned_start_s"] == 180 and ev["actual_start_s"] == pytest.approx(200)
    assert ev["offset_s"] == pytest.approx(20)
    clock.advance(30)
    r.previous()
    assert r.index == 0 and r.remaining() == pytest.approx(180)   # going back restarts that segment
    r.goto("3")
    assert r.index == 2
    r.next()
    assert r.status == "ended"
    r.previous()                             # a mistaken "next" at the end is undone
    assert r.status == "running" and r.index == 2
    with pytest.raises(KeyError):
        r.goto("99")


def test_toggle_cycles_start_pause_resume(rig):
    r = make(rig, plan(seg(1, 3)))
    r.toggle()
    assert r.status == "running"
    r.toggle()
    assert r.status == "paused"
    r.toggle()
    assert r.status == "running"


def test_projection_buffers_absorb_delay(rig):
    clock = rig[0]
    rundown = plan(seg(1, 20), seg(2, 5, kind="break"), seg(3, 20), seg(4, 5, flex=True), seg(5, 10))
    r = make(rig, rundown)
    r.start()
    t0 = r.show_start
    clock.advance(20 * 60 + 3 * 60)          # 3 minutes over segment 1
    tl = r.timeline()
    assert tl["offset_s"] == pytest.approx(180)
    assert tl["absorbed_s"] == pytest.approx(180)
    assert tl["projected_end"] == pytest.approx(tl["planned_end"])
    assert tl["starts"][1] == pytest.approx(23 * 60)          # the break starts late...
    assert tl["starts"][2] == pytest.approx(25 * 60)          # ...and shrinks: segment 3 is back on plan
    clock.advance(9 * 60)                    # now 12 min over: both buffers (10 min) are used up
    tl = r.timeline()
    assert tl["offset_s"] == pytest.approx(12 * 60)
    assert tl["projected_end"] - tl["planned_end"] == pytest.approx(2 * 60)
    snap = r.snapshot()
    assert snap["projected_end_offset_s"] == pytest.approx(120) and "behind" in snap["offset_text"]
    r.next()                                 # in the break: its own remaining time is slack too
    clock.advance(60)
    tl = r.timeline()
    assert tl["offset_s"] == pytest.approx(12 * 60)
    assert tl["projected_end"] - tl["planned_end"] == pytest.approx(12 * 60 - 4 * 60 - 5 * 60)
    assert r.show_start == t0


def test_ahead_is_not_absorbed(rig):
    clock = rig[0]
    r = make(rig, plan(seg(1, 20), seg(2, 5, kind="break"), seg(3, 20)))
    r.start()
    clock.advance(15 * 60)
    r.next()                                 # 5 minutes early
    tl = r.timeline()
    assert tl["offset_s"] == pytest.approx(-300)
    assert tl["projected_end"] - tl["planned_end"] == pytest.approx(-300)
    assert r.snapshot()["offset_text"] == "0:05:00 ahead".replace("0:05:00", "5:00")


def test_cadence_during_the_show_uses_the_actual_timeline(rig):
    clock = rig[0]
    rundown = plan(seg(1, 3, kind="opening", price_anchor=True, interaction=True),
                   seg(2, 17, price_anchor=True), seg(3, 3, kind="interaction", interaction=True),
                   seg(4, 17, price_anchor=True, interaction=True))
    r = make(rig, rundown, slot_minutes=40)
    assert r.cadence() == []
    r.start()
    clock.advance(180)
    r.next()
    clock.advance(17 * 60 + 6 * 60)          # segment 2 overruns by 6 minutes
    rules = {w.rule for w in r.cadence()}
    assert rules == {"interaction_gap", "anchor_gap", "overrun"}


def test_drift_over_eight_hours_is_below_10ms(rig):
    clock = rig[0]
    r = Runner(plan(seg(1, 8 * 60)), clock)  # no journal: pure timer
    r.start()
    true_elapsed = 0
    step_us = [99_000, 101_000, 100_500, 99_700]   # an irregular ~100 ms tick
    i = 0
    while true_elapsed < 8 * 3600 * 1_000_000:
        d = step_us[i % 4]
        clock.advance(d / 1e6)
        true_elapsed += d
        i += 1
        if i % 1000 == 0:
            r.tick()
    drift = abs(r.remaining() - (8 * 3600 - true_elapsed / 1e6))
    assert drift <= 0.010


def test_messages_are_journaled_with_style(rig):
    r = make(rig, plan(seg(1, 3)))
    r.send_message("拉长讲解两分钟", "blink")
    assert r.snapshot()["message"]["text"] == "拉长讲解两分钟"
    with pytest.raises(ValueError):
        r.send_message("x", "shout")
    r.send_message("", "blackout")
    assert r.snapshot()["message"]["style"] == "blackout"
    r.clear_message()
    assert r.snapshot()["message"] is None
    kinds = [e.kind for e in r.journal.events(r.session_id, prefix="cue.")]
    assert kinds == ["cue.message", "cue.message", "cue.message_cleared"]


def test_countdown_offer_reverts_through_the_console_at_zero(rig):
    clock = rig[0]
    console = FakeConsole()
    offer = Offer("SER-002", 17900, start_s=60, duration_s=180)
    r = make(rig, plan(seg(1, 5, products=("SER-002",), offers=(offer,)), seg(2, 5)), console=lambda: console)
    r.start()
    clock.advance(59)
    r.tick()
    assert r.snapshot()["offers"] == []
    clock.advance(1)
    r.tick()
    (o,) = r.snapshot()["offers"]
    assert o["sku"] == "SER-002" and o["remaining_s"] == pytest.approx(180)
    r.next()                                  # the price is live: leaving the segment does not stop the clock
    clock.advance(180)
    r.tick()
    assert console.done.wait(2)
    r._pool.shutdown(wait=True)
    assert console.calls == [("start", "SER-002", 17900, 180, "rundown"), ("stop", "SER-002", "rundown")]
    kinds = [e.kind for e in r.journal.events(r.session_id, prefix="rundown.offer")]
    assert kinds == ["rundown.offer_started", "rundown.offer_ended"]


def test_offers_without_console_degrade_and_failures_are_journaled(rig):
    clock = rig[0]
    offer = Offer("SER-002", 17900, start_s=0, duration_s=60)
    r = make(rig, plan(seg(1, 5, offers=(offer,))))
    r.start()
    r.tick()
    clock.advance(60)
    r.tick()
    evs = r.journal.events(r.session_id, prefix="rundown.offer")
    assert [e.payload["console"] for e in evs] == ["absent", "absent"]

    console = FakeConsole(fail_stop=True)
    alerts = []
    r2 = make(rig, plan(seg(1, 5, offers=(offer,))), console=lambda: console, alert=lambda **kw: alerts.append(kw))
    r2.start()
    r2.tick()
    clock.advance(60)
    r2.tick()
    r2._pool.shutdown(wait=True)
    failed = r2.journal.events(r2.session_id, kinds=["rundown.offer_failed"])
    assert failed and "interlock" in failed[-1].payload["error"] and alerts[0]["sku"] == "SER-002"


def test_crash_resume_replays_exactly(rig, tmp_path):
    clock, bus, journal, sid = rig
    offer = Offer("SER-002", 17900, start_s=30, duration_s=600)
    rundown = plan(seg(1, 3, kind="opening"), seg(2, 20, offers=(offer,)), seg(3, 5, kind="break"), seg(4, 5))
    r = make(rig, rundown)
    r.start()
    clock.advance(200)
    r.next()
    clock.advance(45)
    r.tick()
    r.add_time(60)
    clock.advance(10)
    r.pause()
    clock.advance(7)
    r.resume()
    clock.advance(3)
    r.send_message("注意库存", "blink")
    before = r.snapshot()
    journal.close()

    clock.advance(30)                         # the app was dead for 30 s
    journal2 = Journal(tmp_path / "journal.sqlite", clock=clock, bus=bus)
    r2 = Runner(files.load(SAMPLE_SHOW / "rundown.csv"), clock, journal=journal2, bus=bus, session_id=sid)
    r2.replay(journal2.events(sid))
    after = r2.snapshot()
    assert after["status"] == "running" and after["index"] == 1
    assert [s["cue"] for s in after["segments"]] == ["1", "2", "3", "4"]   # the journaled plan, not the file
    assert after["remaining_s"] == pytest.approx(before["remaining_s"] - 30, abs=1e-3)
    assert after["offset_s"] == pytest.approx(before["offset_s"], abs=1e-3) == 20 + 60 + 7
    assert after["added_s"] == 60 and after["message"]["text"] == "注意库存"
    assert after["offers"][0]["remaining_s"] == pytest.approx(before["offers"][0]["remaining_s"] - 30, abs=1e-3)
    n_started = len(journal2.events(sid, kinds=["rundown.offer_started"]))
    r2.tick()
    assert len(journal2.events(sid, kinds=["rundown.offer_started"])) == n_started   # not started twice
    journal2.close()


def test_crash_resume_while_paused(rig, tmp_path):
    clock, bus, journal, sid = rig
    r = make(rig, plan(seg(1, 10), seg(2, 10)))
    r.start()
    clock.advance(100)
    r.pause()
    clock.advance(50)
    journal.close()
    j2 = Journal(tmp_path / "journal.sqlite", clock=clock, bus=bus)
    r2 = Runner(Rundown(()), clock, journal=j2, bus=bus, session_id=sid)
    r2.replay(j2.events(sid))
    assert r2.status == "paused" and r2.remaining() == pytest.approx(500)
    r2.resume()
    clock.advance(10)
    assert r2.remaining() == pytest.approx(490)
    j2.close()


def test_heartbeat_publishes_state_at_least_every_half_second(rig):
    clock, bus = rig[0], rig[1]
    states = []
    bus.subscribe(lambda t, p: states.append(p["mono"]), "rundown.state")
    r = make(rig, plan(seg(1, 10)))
    r.start()
    states.clear()
    for _ in range(50):
        clock.advance(0.1)
        r.tick()
    gaps = [b - a for a, b in zip(states, states[1:])]
    assert len(states) >= 10 and max(gaps) <= 0.5 + 1e-9
