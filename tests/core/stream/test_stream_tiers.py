"""The tiered hold (issue 13): signals a blip cannot produce are HARD and fail over after hard_confirm_s
(≤ 150 ms); everything else is SOFT and keeps hold_s. The pure cores first (HealthMonitor, FailoverMachine
on hand-made healths), then the guard on the fake Switcher and a ManualClock."""
from __future__ import annotations

import pytest

from controlroom.stream.config import Thresholds
from controlroom.stream.failover import FAILING_OVER, ON_BACKUP, ON_PRIMARY
from controlroom.stream.ports import StreamEvent
from controlroom.stream.signals import FAILED, HEALTHY, Health
from tests.core.stream.test_stream_failover import H, M, armed
from tests.core.stream.test_stream_guard import Rig
from tests.core.stream.test_stream_signals import live_monitor, st


# ---- HealthMonitor: which evidence is hard ----------------------------------------------------------

def test_reconnecting_event_is_hard_from_its_onset():
    m, t = live_monitor()
    m.event(t + 0.1, StreamEvent("STREAM_RECONNECTING"))
    h = m.assess(t + 0.12)
    assert h.level == FAILED and h.hard_since == t + 0.1 and h.cause == "ingest"


def test_reconnecting_reported_by_a_status_reading_is_hard_too():
    m, t = live_monitor()
    m.status(t + 0.25, t + 0.26, st(rec=True, b=0))
    assert m.assess(t + 0.3).hard_since == t + 0.25


def test_unasked_stop_is_hard_but_a_stop_with_stopping_first_is_not_a_failure():
    m, t = live_monitor()
    m.event(t + 0.1, StreamEvent("STREAM_STOPPED"))          # no STOPPING: reconnect gave up
    assert m.assess(t + 0.2).hard_since == t + 0.1
    m2, t2 = live_monitor()
    m2.event(t2, StreamEvent("STREAM_STOPPING"))
    m2.event(t2, StreamEvent("STREAM_STOPPED"))
    assert m2.assess(t2).level == HEALTHY


def test_not_active_in_a_poll_alone_is_soft():
    """A status reading can race an operator's stop: only OBS's own events are hard."""
    m, t = live_monitor()
    m.status(t + 0.25, t + 0.26, st(active=False, b=0))
    h = m.assess(t + 0.3)
    assert h.level == FAILED and h.hard_since is None


def test_connection_refused_is_hard_from_the_loss():
    m, t = live_monitor()
    m.event(t + 0.1, StreamEvent("EVENTS_LOST"))             # the event socket closed
    h = m.assess(t + 0.11)
    assert h.level == FAILED and h.cause == "encoder_dead" and h.hard_since is None   # not yet confirmed
    m.refused(t + 0.12, t + 0.121)                            # nothing listens any more: the process is gone
    h = m.assess(t + 0.13)
    assert h.hard_since == t + 0.1 and h.failed_since == t + 0.1


def test_closed_and_not_answering_again_is_hard():
    m, t = live_monitor()
    m.unavailable(t + 0.1, t + 0.1, "connection reset", closed=True)   # reset by the peer
    assert m.assess(t + 0.11).hard_since is None
    m.timed_out(t + 0.11, t + 0.86)                           # the reconnect is not answered either
    assert m.assess(t + 0.9).hard_since == t + 0.1


def test_timeouts_alone_are_soft_a_frozen_obs_may_thaw():
    m, t = live_monitor()
    for k in range(5):
        m.timed_out(t + 0.25 + k * 0.75, t + 1.0 + k * 0.75)
    h = m.assess(t + 4.0)
    assert h.level == FAILED and h.cause == "encoder_frozen" and h.hard_since is None


def test_an_answer_clears_the_hard_evidence():
    m, t = live_monitor()
    m.event(t + 0.1, StreamEvent("EVENTS_LOST"))
    m.refused(t + 0.12, t + 0.12)
    m.answered(t + 0.2, t + 0.2)                              # OBS's websocket server restarted, it is back
    m.status(t + 0.25, t + 0.26, st(b=200000, tot=100, rtot=100))
    h = m.assess(t + 0.3)
    assert h.hard_since is None and h.level != FAILED


@pytest.mark.parametrize("soft", ["congestion", "bytes_flat", "probe"])
def test_soft_signals_stay_soft(soft):
    th = Thresholds(screenshot_interval_s=0)
    m, t = live_monitor(th)
    if soft == "congestion":
        for k in range(1, 12):
            m.status(t + k * 0.25, t + k * 0.25, st(b=80000 + k * 10000, cong=0.95, tot=100 + k, rtot=100 + k))
    elif soft == "bytes_flat":
        for k in range(1, 12):
            m.status(t + k * 0.25, t + k * 0.25, st(b=70000, tot=100, rtot=100))
    else:
        m.probe_enabled = True
        m.probe(t, t)
        for k in range(1, 12):
            m.status(t + k * 0.25, t + k * 0.25, st(b=80000 + k * 10000, tot=100 + k, rtot=100 + k))
            m.probe(t + k * 0.25, t)
    h = m.assess(t + 3.0)
    assert h.level == FAILED and h.hard_since is None, h.reasons


# ---- FailoverMachine: the two holds ----------------------------------------------------------------

def Hh(name, since, hard_since, cause="ingest", **kw):
    h = H(name, FAILED, since=since, cause=cause, **kw)
    from dataclasses import replace
    return replace(h, hard_since=hard_since)


@pytest.mark.parametrize("dt,switch", [(0.149, False), (0.15, True)])
def test_hard_failure_fails_over_after_the_short_confirmation(dt, switch):
    m = armed()
    m.h["main"] = Hh("main", 10.0, 10.0, active=True)
    m.step(10.0 + dt)
    assert (m.m.state == FAILING_OVER) is switch


@pytest.mark.parametrize("dt,switch", [(1.99, False), (2.0, True)])
def test_soft_failure_keeps_hold_s(dt, switch):
    m = armed()
    m.h["main"] = Hh("main", 10.0, None, active=True)
    m.step(10.0 + dt)
    assert (m.m.state == FAILING_OVER) is switch


def test_hard_confirmation_is_settable():
    m = M(hard_confirm_s=0.05)
    m.step(0)
    m.h["main"] = Hh("main", 10.0, 10.0, active=True)
    m.step(10.05)
    assert m.m.state == FAILING_OVER


def test_the_journal_says_which_tier_switched():
    m = armed()
    m.h["main"] = Hh("main", 9.0, 10.0, active=True)        # soft since 9.0, hard since 10.0
    m.step(10.2)
    sw = [n for n in m.notes if n.kind == "stream.switching"][0].payload
    assert sw["trigger"]["tier"] == "hard" and sw["trigger"]["hold_s"] == 0.15


def test_a_hard_blip_that_clears_within_the_confirmation_never_switches():
    m = armed()
    m.h["main"] = Hh("main", 10.0, 10.0, active=True)
    m.step(10.1)
    m.h["main"] = H("main", live_since=0.0)
    for k in range(100):
        m.step(10.15 + k * 0.05)
    assert m.m.state == ON_PRIMARY


def test_manual_hold_still_blocks_a_hard_failure():
    m = armed()
    m.m.set_hold(0, True, "op")
    m.h["main"] = Hh("main", 10.0, 10.0, active=True)
    m.step(11.0)
    assert m.m.state == ON_PRIMARY and "stream.held" in m.kinds()


# ---- the guard on the fake Switcher ---------------------------------------------------------------

def test_guard_ingest_killed_switches_within_the_confirmation(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    r.obs["main"].break_ingest()
    took = r.until(lambda: r.guard.state()["state"] == ON_BACKUP, 3, step=0.01)
    assert 0.15 <= took <= 0.35, took
    trig = r.events("stream.failover")[0].payload["trigger"]
    assert trig["tier"] == "hard" and trig["cause"] == "ingest"


def test_guard_primary_killed_switches_within_the_confirmation(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    r.obs["main"].kill()
    took = r.until(lambda: r.guard.state()["state"] == ON_BACKUP, 3, step=0.01)
    assert 0.15 <= took <= 0.35, took
    fo = r.events("stream.failover")[0].payload
    assert fo["trigger"]["tier"] == "hard" and fo["trigger"]["cause"] == "encoder_dead"


def test_guard_frozen_primary_keeps_the_soft_hold(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    r.obs["main"].frozen = True
    took = r.until(lambda: r.guard.state()["state"] == ON_BACKUP, 6, step=0.01)
    assert 2.0 <= took <= 3.0, took
    assert r.events("stream.failover")[0].payload["trigger"]["tier"] == "soft"


def test_guard_reconnects_at_once_after_a_loss_to_confirm_it(tmp_path):
    """The confirmation needs a prompt second look: the first reconnect after a loss is not delayed."""
    r = Rig(tmp_path)
    r.live_primary()
    calls = len(r.obs["main"].calls)
    r.obs["main"].kill()
    r.run(0.06, step=0.01)
    assert ("connect",) in r.obs["main"].calls[calls:]


def test_a_link_error_that_is_not_a_closure_never_becomes_hard():
    """A garbled reply or a failed handshake is not evidence that OBS is gone."""
    m, t = live_monitor()
    m.unavailable(t + 0.1, t + 0.1, "bad reply")
    m.timed_out(t + 0.11, t + 0.86)
    m.unavailable(t + 0.9, t + 0.9, "handshake failed")
    assert m.assess(t + 1.0).hard_since is None


def test_no_alarm_at_every_start_for_what_was_simply_not_seen_yet(tmp_path):
    """An instance not connected yet, a first screenshot not taken yet: not missing data. The headless guard
    sent a WARNING to the webhooks at every start because of it."""
    r = Rig(tmp_path)
    r.live_primary()
    r.run(3.0)
    assert r.events("stream.alarm") == []
    r.obs["spare"].missing_next = 1                  # a real gap still raises its alarm
    r.run(1.0)
    assert [e.payload["instance"] for e in r.events("stream.alarm")] == ["spare"]
