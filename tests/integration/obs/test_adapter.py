"""ObsSwitcher against a real OBS 29 (obs-websocket 5.1), inside the private network namespace."""
from __future__ import annotations

import logging
import signal
import time

import pytest

from controlroom.stream.ports import (
    StreamStatus, Switcher, SwitcherRequestFailed, SwitcherTimeout, SwitcherUnavailable,
)
from tests.integration.obs.harness import BACKUP_SCENE, MAIN_SCENE, STREAM_KEY, Testbed, wait_until


@pytest.fixture(scope="module")
def rig(bed_root):
    bed = Testbed(bed_root / "adapter")
    try:
        a = bed.start_ingest("a")
        b = bed.start_ingest("b")
        obs = bed.start_obs("solo", a.server)
        yield bed, a, b, obs
    finally:
        bed.close()


def _kinds(sw, timeout=3.0, want=()):
    """Drain events until every kind in `want` has been seen (or the timeout)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += [e.kind for e in sw.drain_events()]
        if all(k in seen for k in want):
            break
        time.sleep(0.02)
    return seen


def test_connect_status_and_secrecy(rig, caplog):
    _, _, _, obs = rig
    caplog.set_level(logging.DEBUG)
    sw = obs.switcher(connect_timeout=2.0)
    assert isinstance(sw, Switcher)
    try:
        sw.connect(2.0)
        st = sw.status(1.0)
        assert isinstance(st, StreamStatus)
        assert st.output_active is False and st.program_scene == MAIN_SCENE
        assert st.render_total_frames is not None and st.render_total_frames > 0
        assert obs.password not in repr(sw)
        assert obs.password not in caplog.text
        assert obs.password not in str(vars(sw))
    finally:
        sw.close()


def test_wrong_password_is_unavailable_without_leaking(rig):
    _, _, _, obs = rig
    from controlroom.stream.obs_adapter import ObsSwitcher
    bad = "not-the-password-42"
    sw = ObsSwitcher("solo", "127.0.0.1", obs.ws_port, bad)
    with pytest.raises(SwitcherUnavailable) as ei:
        sw.status(1.0)
    assert bad not in str(ei.value) and obs.password not in str(ei.value)
    # During the backoff the same failure is reported at once, without touching OBS.
    t0 = time.monotonic()
    with pytest.raises(SwitcherUnavailable):
        sw.status(1.0)
    assert time.monotonic() - t0 < 0.1
    sw.close()


def test_stream_events_targets_and_request_errors(rig):
    _, a, b, obs = rig
    sw = obs.switcher()
    try:
        sw.connect(2.0)
        sw.drain_events()
        sw.start_stream(1.0)
        seen = _kinds(sw, want=("STREAM_STARTING", "STREAM_STARTED"))
        assert seen.index("STREAM_STARTING") < seen.index("STREAM_STARTED")
        wait_until(lambda: a.publishing(STREAM_KEY), 5, what="ingest A sees the publisher")
        with pytest.raises(SwitcherRequestFailed) as ei:
            sw.start_stream(1.0)           # already active: OBS answers with an error status
        assert ei.value.code is not None
        b0 = sw.status(1.0).output_bytes
        time.sleep(1.0)
        st = sw.status(1.0)
        assert st.output_active and st.output_bytes > b0
        sw.stop_stream(1.0)
        assert "STREAM_STOPPED" in _kinds(sw, want=("STREAM_STOPPED",))
        # Re-target to the second ingest and stream there.
        sw.set_stream_target(b.server, STREAM_KEY, 1.0)
        sw.start_stream(1.0)
        wait_until(lambda: b.publishing(STREAM_KEY), 5, what="ingest B sees the publisher")
        assert not a.publishing(STREAM_KEY)
        settings = sw.request("GetStreamServiceSettings", None, 1.0)
        assert settings["streamServiceSettings"]["server"] == b.server
        sw.stop_stream(1.0)
        _kinds(sw, want=("STREAM_STOPPED",))
        sw.set_stream_target(a.server, STREAM_KEY, 1.0)
    finally:
        sw.close()


def test_fingerprint_follows_the_program_scene(rig):
    _, _, _, obs = rig
    sw = obs.switcher()
    try:
        sw.set_program_scene(MAIN_SCENE, 1.0)
        main1 = sw.program_fingerprint(1.0)
        assert main1 is not None and len(main1) == 16 * 9
        time.sleep(0.5)
        main2 = sw.program_fingerprint(1.0)
        assert main1 != main2, "the test pattern moves: two screenshots differ"
        sw.drain_events()
        sw.set_program_scene(BACKUP_SCENE, 1.0)
        assert "SCENE_CHANGED" in _kinds(sw, want=("SCENE_CHANGED",))
        backup = sw.program_fingerprint(1.0)
        mean = lambda fp: sum(fp) / len(fp)  # noqa: E731
        assert abs(mean(backup) - mean(main2)) > 20, "Backup (orange) is brighter than Main (blue)"
        assert sw.status(1.0).program_scene == BACKUP_SCENE
        sw.set_program_scene(MAIN_SCENE, 1.0)
    finally:
        sw.close()


def test_frozen_obs_times_out_quickly_and_recovers(rig):
    _, _, _, obs = rig
    sw = obs.switcher()
    try:
        sw.status(1.0)
        obs.proc.signal(signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            with pytest.raises(SwitcherTimeout):
                sw.status(0.5)
            assert time.monotonic() - t0 < 0.8
            # The next call reconnects (the old client was discarded) and times out again, bounded.
            t0 = time.monotonic()
            with pytest.raises(SwitcherTimeout):
                sw.status(0.5)
            assert time.monotonic() - t0 < 0.8
        finally:
            obs.proc.signal(signal.SIGCONT)
        st, _ = wait_until(lambda: _try_status(sw), 5, what="status after SIGCONT")
        assert st.program_scene == MAIN_SCENE   # a fresh client: no stale reply answered this call
    finally:
        sw.close()


def _try_status(sw):
    try:
        return sw.status(0.5)
    except (SwitcherTimeout, SwitcherUnavailable):
        return None


def test_killed_obs_reports_events_lost_then_reconnects(rig):
    bed, _, _, obs = rig
    sw = obs.switcher()
    try:
        sw.connect(2.0)
        sw.drain_events()
        obs.proc.kill()
        t0 = time.monotonic()
        assert "EVENTS_LOST" in _kinds(sw, timeout=2.0, want=("EVENTS_LOST",))
        assert time.monotonic() - t0 < 1.0
        with pytest.raises(SwitcherUnavailable):
            sw.status(0.5)
        bed.restart_obs(obs)
        st, waited = wait_until(lambda: _try_status(sw), 10, what="reconnect after restart")
        assert st.output_active is False
        sw.start_stream(1.0)
        assert "STREAM_STARTED" in _kinds(sw, want=("STREAM_STARTED",))   # events are back too
        sw.stop_stream(1.0)
    finally:
        sw.close()
