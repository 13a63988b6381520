"""The viewer-side probe (controlroom.stream.probe) with a real ffmpeg: a second ffmpeg serves a moving
test pattern over HTTP on 127.0.0.1 (`-listen 1`, real time), the probe pulls it like a viewer.
Also: the stream key never reaches logs or the journal, ffmpeg missing is an alarm (UNKNOWN) and
never a switch, and the rooms build and stop the probe from probe_url."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from controlroom.clock import ManualClock
from controlroom.stream.guard import StreamGuard
from controlroom.stream.probe import StreamProbe, build_probe, mask_url
from tests.core.stream.test_stream_guard import Rig, make_config

KEY = "sk-live-7f3a9"
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    """A one-connection HTTP-FLV 'ingest' carrying a 10 fps pattern in real time."""
    return subprocess.Popen(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=96x54:rate=10",
         "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "5", "-f", "flv",
         "-listen", "1", f"http://127.0.0.1:{port}/live/{KEY}.flv"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _kill(p: subprocess.Popen) -> None:
    if p.poll() is None:
        os.kill(p.pid, signal.SIGKILL)
    p.wait(5)


def _until(pred, limit: float, what: str):
    t0 = time.monotonic()
    while not pred():
        assert time.monotonic() - t0 < limit, f"not within {limit} s: {what}"
        time.sleep(0.05)
    return time.monotonic() - t0


def test_mask_url_hides_keys_and_tokens():
    assert mask_url(f"rtmp://127.0.0.1:1935/live/{KEY}") == "rtmp://127.0.0.1:1935/live/***"
    m = mask_url(f"https://viewer:pw9@cdn.example.com/live/{KEY}.flv?auth_key=1700-abc&sign=zz")
    assert KEY not in m and "pw9" not in m and "1700-abc" not in m and "zz" not in m
    assert m.startswith("https://viewer:***@cdn.example.com/live/***.flv?")
    assert mask_url("rtmp://h/live") == "rtmp://h/live"          # nothing secret to hide


@needs_ffmpeg
def test_probe_sees_frames_a_stall_and_recovers_after_a_restart(caplog):
    caplog.set_level(logging.DEBUG)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/live/{KEY}.flv"
    server = _serve(port)
    probe = StreamProbe(url, rw_timeout_s=1.5, backoff_initial_s=0.1, backoff_max_s=0.4)
    try:
        time.sleep(0.3)
        probe.start()
        _until(lambda: probe.status()["frames"] >= 5, 15, "frames from the pattern")
        first = probe.last_frame_at()
        _until(lambda: probe.last_frame_at() > first, 3, "frames keep arriving")
        # freeze the 'ingest' (process stopped, socket open): frames stop at once
        os.kill(server.pid, signal.SIGSTOP)
        time.sleep(0.4)
        frozen_at = probe.last_frame_at()
        time.sleep(1.0)
        assert probe.last_frame_at() == frozen_at, "no frames while the ingest is frozen"
        # ffmpeg gives up after rw_timeout; its closing report must not count as fresh media
        _until(lambda: probe.status()["starts"] >= 2, 8, "ffmpeg restarted after the stall")
        assert probe.last_frame_at() == frozen_at
        _kill(server)
        server = _serve(port)               # the ingest comes back
        _until(lambda: (probe.last_frame_at() or 0) > frozen_at, 15, "frames again after the restart")
        pid = probe._popen.pid if probe._popen else None
    finally:
        probe.stop()
        _kill(server)
    assert probe._popen is None or probe._popen.poll() is not None
    if pid is not None:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)                  # the probe's own ffmpeg is gone (and reaped)
    st = probe.status()
    assert not st["running"] and st["starts"] >= 2
    assert KEY not in caplog.text and KEY not in str(st) and KEY not in repr(probe)


def test_missing_ffmpeg_is_an_alarm_never_a_switch(tmp_path):
    r = Rig(tmp_path, probe_url=f"rtmp://127.0.0.1:9/live/{KEY}")
    probe = StreamProbe(r.cfg.thresholds.probe_url, clock=r.clock, ffmpeg="ffmpeg-not-installed-here")
    r.guard = StreamGuard(r.cfg, r.obs, clock=r.clock, journal=r.journal, session_id=r.sid, bus=r.bus,
                          probe=probe)
    probe.start()
    try:
        _until(lambda: probe.error() is not None, 5, "the probe reports ffmpeg missing")
        assert "ffmpeg not found" in probe.error() and KEY not in probe.error()
        r.guard.start()
        r.guard.stop()
        r.live_primary()
        r.run(10.0)
        st = r.guard.state()
        assert st["state"] == "ON_PRIMARY" and not r.events("stream.failover")
        sig = st["instances"]["main"]["signals"]["probe"]
        assert sig["level"] == "UNKNOWN" and "ffmpeg not found" in sig["word"]
        alarms = [e.payload for e in r.events("stream.alarm")]
        assert any("probe" in a["missing"] for a in alarms)
        started = r.events("stream.guard_started")[0].payload
        assert started["probe"] == "rtmp://127.0.0.1:9/live/***"
        assert KEY not in str([e.payload for e in r.journal.events(r.sid)])
    finally:
        probe.stop()


def test_stalled_probe_fails_over_on_the_fake_clock(tmp_path):
    """The guard reads the probe's clock stamps: no frames for probe_stall_s -> FAILED, with its onset at
    the last frame, so the hold (2 s, from the onset) has run out when it is classified."""
    r = Rig(tmp_path, probe_url=f"rtmp://127.0.0.1:9/live/{KEY}")

    class Frames:
        at = None

        def last_frame_at(self):
            return self.at
    fr = Frames()
    r.guard = StreamGuard(r.cfg, r.obs, clock=r.clock, journal=r.journal, session_id=r.sid, bus=r.bus, probe=fr)
    r.obs["main"].operator_start()
    for _ in range(40):
        fr.at = r.clock.monotonic()
        r.run(0.05)
    assert r.guard.state()["state"] == "ON_PRIMARY"
    took = r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 8)
    assert 1.95 <= took <= 2.6
    fo = r.events("stream.failover")[0].payload
    assert any(x.startswith("probe") for x in fo["trigger"]["reasons"])


def test_build_probe_and_room_wiring(tmp_path):
    assert build_probe(make_config()) is None
    cfg = make_config(probe_url=f"rtmp://127.0.0.1:9/live/{KEY}", probe_stall_s=2.0)
    clock = ManualClock()
    p = build_probe(cfg, clock)
    assert isinstance(p, StreamProbe) and p.clock is clock and p.url.endswith(KEY) and p.rw_timeout_s >= 2.0

    from controlroom.stream.room import StreamRoom
    from tests.fakes import FakeSwitcher

    class RT:
        pass
    rt = RT()
    rt.clock, rt.data_dir = clock, tmp_path
    from controlroom.bus import EventBus
    from controlroom.journal import Journal
    rt.bus = EventBus()
    rt.journal = Journal(tmp_path / "j.sqlite", clock=clock, bus=rt.bus)
    rt.alerts = None

    class S:
        def section(self, name, cls):
            return cls()
    rt.settings = S()
    (tmp_path / "guard.toml").write_text(f'''[guard]
method = "backup_encoder"
[instances.main]
role = "primary"
[instances.spare]
role = "backup"
port = 4456
[thresholds]
probe_url = "rtmp://127.0.0.1:9/live/{KEY}"
''')
    made = []

    def probe_factory(config, clk):
        pr = StreamProbe(config.thresholds.probe_url, clock=clk, ffmpeg="ffmpeg-not-installed-here")
        made.append(pr)
        return pr.start()
    room = StreamRoom(rt, switcher_factory=lambda c: {i.name: FakeSwitcher(i.name, clock) for i in c.instances},
                      probe_factory=probe_factory)
    sid = rt.journal.new_session("s")
    room.on_session(sid, resumed=False)
    try:
        assert room.guard.probe is made[0] and made[0]._thread is not None
        assert room.state()["probe"]["url"] == "rtmp://127.0.0.1:9/live/***"
    finally:
        room.close()
    assert made[0]._thread is None and room.probe is None
    rt.journal.close()
