"""Health signals on a fake clock: thresholds, edges, resets, missing data."""
from __future__ import annotations

import pytest

from controlroom.stream.config import Thresholds
from controlroom.stream.ports import StreamEvent, StreamStatus
from controlroom.stream.signals import DEGRADED, FAILED, HEALTHY, UNKNOWN, HealthMonitor


def st(active=True, rec=False, b=0, cong=0.0, sk=0, tot=0, rsk=0, rtot=0):
    return StreamStatus(active, rec, b, cong, sk, tot, rsk, rtot)


def live_monitor(th=None):
    m = HealthMonitor("m", th or Thresholds(screenshot_interval_s=0))
    t = 0.0
    m.event(t, StreamEvent("STREAM_STARTED"))
    for i in range(8):
        t = i * 0.25
        m.status(t, t, st(b=i * 10000, tot=i * 8, rtot=i * 8))
    return m, t


def test_healthy_live_stream_has_bitrate():
    m, t = live_monitor()
    h = m.assess(t)
    assert h.level == HEALTHY and h.live
    assert h.values["bitrate_kbps"] == pytest.approx(320.0)


def test_timeout_onset_is_send_time_and_answer_clears():
    m, t = live_monitor()
    m.timed_out(t + 0.25, t + 1.0)
    h = m.assess(t + 1.0)
    assert h.level == FAILED and h.cause == "encoder_frozen" and h.failed_since == t + 0.25
    m.status(t + 1.0, t + 1.05, st(b=100000, tot=100, rtot=100))
    assert m.assess(t + 1.05).level == HEALTHY


def test_unavailable_is_dead():
    m, t = live_monitor()
    m.unavailable(t + 0.25, t + 0.26)
    assert m.assess(t + 0.3).cause == "encoder_dead"


def test_events_lost_is_dead():
    m, t = live_monitor()
    m.event(t + 0.1, StreamEvent("EVENTS_LOST"))
    assert m.assess(t + 0.1).cause == "encoder_dead"


def test_reconnecting_event_fails_at_once_with_event_onset_and_reset_bytes_are_not_a_crash():
    m, t = live_monitor()
    m.event(t + 0.1, StreamEvent("STREAM_RECONNECTING"))
    m.status(t + 0.25, t + 0.25, st(rec=True, b=0))       # bytes reset to 0: negative delta
    h = m.assess(t + 0.3)
    assert h.level == FAILED and h.cause == "ingest" and h.failed_since == t + 0.1
    assert h.values["bytes_resets"] == 1
    m.event(t + 1.0, StreamEvent("STREAM_RECONNECTED"))
    for i in range(1, 6):
        m.status(t + 1 + i * 0.25, t + 1 + i * 0.25, st(b=i * 10000, tot=i * 8, rtot=200 + i))
    assert m.assess(t + 2.3).level == HEALTHY


@pytest.mark.parametrize("flat,expect", [(1.49, HEALTHY), (1.5, FAILED)])
def test_bytes_flat_threshold_edge(flat, expect):
    m, t = live_monitor()
    b = 70000
    m.status(t + 0.25, t + 0.25, st(b=b + 1, tot=100, rtot=100))
    t0 = t + 0.25
    m.status(t0 + flat, t0 + flat, st(b=b + 1, tot=100, rtot=100))
    h = m.assess(t0 + flat)
    assert h.signals["bitrate"].level == expect
    if expect == FAILED:
        assert h.failed_since == t0


@pytest.mark.parametrize("c,expect", [(0.29, HEALTHY), (0.3, DEGRADED), (0.79, DEGRADED), (0.8, FAILED)])
def test_congestion_edges(c, expect):
    m, t = live_monitor()
    m.status(t + 0.25, t + 0.25, st(b=90000, cong=c, tot=80, rtot=80))
    assert m.assess(t + 0.25).signals["congestion"].level == expect


def test_missing_stats_are_unknown_never_failed():
    m, t = live_monitor()
    m.status(t + 0.25, t + 0.25, StreamStatus(True, False, None, None, None, None, None, None))
    h = m.assess(t + 0.25)
    assert h.level == UNKNOWN and "congestion" in h.missing and h.failed_since is None


def test_dropped_frames_rolling_window_not_cumulative():
    th = Thresholds(screenshot_interval_s=0)
    m = HealthMonitor("m", th)
    m.event(0, StreamEvent("STREAM_STARTED"))
    # 60 % dropped for a while, then clean for > 10 s: the window forgets
    for i in range(40):
        m.status(i * 0.25, i * 0.25, st(b=i * 1000, sk=i * 6, tot=i * 10, rtot=i))
    assert m.assess(10).signals["frames"].level == FAILED
    for i in range(40, 120):
        m.status(i * 0.25, i * 0.25, st(b=i * 1000, sk=240, tot=i * 10, rtot=i))
    assert m.assess(30).signals["frames"].level == HEALTHY


def test_counter_reset_after_reconnect_is_not_negative():
    m, t = live_monitor()
    m.status(t + 0.25, t + 0.25, st(b=100, sk=0, tot=1, rtot=1))
    assert m.assess(t + 0.25).values["drop_pct"] is None


def test_black_and_frozen_picture():
    th = Thresholds(black_after_s=3.0, frozen_after_s=10.0)
    m = HealthMonitor("m", th)
    m.answered(0, 0)
    m.status(0, 0, st(active=False))
    for i in range(4):
        m.fingerprint(float(i), bytes([3] * 144))
    assert m.assess(2.9).signals["picture"].level == DEGRADED
    assert m.assess(3.0).signals["picture"].level == FAILED
    assert m.assess(3.0).cause == "picture"
    m2 = HealthMonitor("m", th)
    m2.answered(0, 0)
    m2.status(0, 0, st(active=False))
    for i in range(12):
        m2.fingerprint(float(i), bytes([100] * 144))
    assert m2.assess(10.5).signals["picture"].level == FAILED
    m2.fingerprint(12.0, bytes([150] * 144))
    assert m2.assess(12.0).signals["picture"].level == HEALTHY


def test_no_screenshot_is_unknown():
    m = HealthMonitor("m", Thresholds())
    m.status(0, 0, st(active=False))
    m.fingerprint(0, None)
    assert m.assess(0).signals["picture"].level == UNKNOWN


def test_intentional_stop_is_standby_not_failure_but_unexpected_stop_fails():
    m, t = live_monitor()
    m.event(t, StreamEvent("STREAM_STOPPING"))
    m.event(t, StreamEvent("STREAM_STOPPED"))
    h = m.assess(t)
    assert h.level == HEALTHY and not h.live and not h.active
    m2, t2 = live_monitor()
    m2.event(t2, StreamEvent("STREAM_STOPPED"))
    assert m2.assess(t2).level == FAILED


def test_probe_stall():
    m, t = live_monitor()
    m.probe_enabled = True
    m.probe(t, t)
    assert m.assess(t + 1.9).signals["probe"].level == HEALTHY
    assert m.assess(t + 2.0).signals["probe"].level == FAILED


def test_probe_without_a_first_frame_is_unknown_not_failed():
    """A probe still joining (or pointed at a wrong URL) has never delivered: an alarm, never a switch."""
    m, t = live_monitor()
    m.probe_enabled = True
    m.probe(t, None)
    h = m.assess(t + 1.0)
    assert h.signals["probe"].level == UNKNOWN and "probe" in h.missing and h.level == UNKNOWN
    assert m.assess(t + 30.0).signals["probe"].level == UNKNOWN
    m.probe(t + 31.0, t + 31.0)
    assert m.assess(t + 32.0).signals["probe"].level == HEALTHY
    assert m.assess(t + 33.0).signals["probe"].level == FAILED


def test_probe_unavailable_is_unknown():
    m, t = live_monitor()
    m.probe_enabled = True
    m.probe_unavailable(t, "ffmpeg not found")
    sig = m.assess(t + 10).signals["probe"]
    assert sig.level == UNKNOWN and sig.word == "ffmpeg not found"
