"""StreamGuard orchestration with the fake Switcher, on a ManualClock (run_once, no threads) and with
real threads on the system clock."""
from __future__ import annotations

import time

import pytest

from controlroom.bus import EventBus
from controlroom.clock import ManualClock, SystemClock
from controlroom.journal import Journal
from controlroom.stream.config import GuardConfig
from controlroom.stream.guard import StreamGuard
from tests.fakes import FakeSwitcher


def make_config(method="backup_encoder", **th):
    inst = {"main": {"role": "primary", "port": 4455, "ingest_url": "rtmp://127.0.0.1/live", "ingest_key": "k1",
                     "backup_ingest_url": "rtmp://127.0.0.1:1936/live", "ingest_key_env": "NOPE_UNSET"},
            "spare": {"role": "backup", "port": 4456, "ingest_url": "rtmp://127.0.0.1/live", "ingest_key": "k1",
                      "backup_ingest_url": "rtmp://127.0.0.1:1936/live", "backup_ingest_key": "k1b"}}
    if method != "backup_encoder":
        inst.pop("spare")
    data = {"guard": {"method": method, "stall_talk_track": "稍等，画面马上回来"}, "instances": inst,
            "scenes": {"program": "Program", "backup": "Backup loop"},
            "thresholds": {"frozen_after_s": 0.0, **th}}
    return GuardConfig.from_dict(data, source="test.toml")


class Rig:
    def __init__(self, tmp_path, method="backup_encoder", **th):
        self.clock = ManualClock()
        self.bus = EventBus()
        self.journal = Journal(tmp_path / "j.sqlite", clock=self.clock, bus=self.bus)
        self.sid = self.journal.new_session("test")
        self.cfg = make_config(method, **th)
        self.obs = {i.name: FakeSwitcher(i.name, self.clock) for i in self.cfg.instances}
        self.guard = StreamGuard(self.cfg, self.obs, clock=self.clock, journal=self.journal,
                                 session_id=self.sid, bus=self.bus)

    def run(self, seconds: float, step: float = 0.05):
        end = self.clock.monotonic() + seconds
        while self.clock.monotonic() < end:
            for n in self.obs:
                self.guard.run_once(n)
            self.clock.advance(step)

    def until(self, pred, limit: float, step: float = 0.05) -> float:
        t0 = self.clock.monotonic()
        while not pred():
            assert self.clock.monotonic() - t0 < limit, f"not within {limit} s: {self.guard.state()['state']}"
            for n in self.obs:
                self.guard.run_once(n)
            self.clock.advance(step)
        return self.clock.monotonic() - t0

    def kinds(self, prefix="stream."):
        return [e.kind for e in self.journal.events(self.sid, prefix=prefix)]

    def events(self, kind):
        return [e for e in self.journal.events(self.sid, kinds=[kind])]

    def live_primary(self):
        self.obs["main"].operator_start()
        self.run(1.0)
        assert self.guard.state()["state"] == "ON_PRIMARY"


def test_ingest_killed_fails_over_to_backup_encoder_within_hold(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    t_kill = r.clock.monotonic()
    r.obs["main"].break_ingest()
    took = r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 5)
    # RECONNECTING is hard evidence: hard_confirm_s (0.15 s), not hold_s (issue 13's tiered hold)
    assert 0.15 <= took <= 0.5
    assert r.obs["spare"].active and not r.obs["main"].active       # never two encoders on one key
    fo = r.events("stream.failover")[0].payload
    assert fo["method"] == "backup_encoder" and fo["trigger"]["cause"] == "ingest"
    assert fo["target"] == "rtmp://127.0.0.1:1936/live"             # the primary's ingest is the problem
    assert r.obs["spare"].target == ("rtmp://127.0.0.1:1936/live", "k1b")
    assert fo["talk_track"] == "稍等，画面马上回来"
    assert 0 <= fo["detect_to_switch_ms"] <= 2600 and fo["detected_at"] and fo["switched_at"]
    assert "k1b" not in str([e.payload for e in r.journal.events(r.sid)])   # keys never journaled
    assert r.clock.monotonic() - t_kill < 3.0


def test_primary_killed_backup_streams(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    r.obs["main"].kill()
    took = r.until(lambda: r.obs["spare"].active and r.guard.state()["on_backup"], 5)
    assert took <= 2.6
    fo = r.events("stream.failover")[0].payload
    assert fo["trigger"]["cause"] == "encoder_dead"


def test_primary_frozen_detected_by_timeouts(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    r.obs["main"].frozen = True
    took = r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 6)
    assert took <= 3.0
    assert r.events("stream.failover")[0].payload["trigger"]["cause"] == "encoder_frozen"
    # it could not be stopped (frozen), so the backup went to the backup ingest
    assert r.obs["spare"].target[0] == "rtmp://127.0.0.1:1936/live"


def test_stalled_ingest_bytes_flat_fails_over(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    r.obs["main"].ingest_stalled = True
    took = r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 6)
    assert took <= 3.0


def test_blips_never_switch(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    for _ in range(20):
        r.obs["main"].missing_next = 1          # one missing stats reading
        r.run(3.0)
        r.obs["main"].congestion = 0.95         # a 0.5 s congestion spike
        r.run(0.5)
        r.obs["main"].congestion = 0.0
        r.run(3.0)
    assert r.events("stream.failover") == []
    assert r.events("stream.alarm"), "missing stats raise an alarm"
    assert r.guard.state()["state"] == "ON_PRIMARY"


def test_manual_fail_over_and_return(tmp_path):
    r = Rig(tmp_path)
    r.live_primary()
    assert r.guard.fail_over_now("operator", "drill")
    r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 3)
    assert r.obs["spare"].active and not r.obs["main"].active
    assert r.guard.state()["last_switch"]["direction"] == "to_backup"
    r.run(5)
    assert r.guard.return_to_primary("operator", "drill over")
    r.until(lambda: r.guard.state()["state"] == "ON_PRIMARY", 3)
    assert r.obs["main"].active and not r.obs["spare"].active
    assert r.kinds().count("stream.returned") == 1
    assert [e.actor for e in r.events("stream.manual.fail_over")] == ["operator"]


def test_threads_own_their_switcher_and_stop_cleanly(tmp_path):
    clock = SystemClock()
    bus = EventBus()
    cfg = make_config(hold_s=0.3, return_dwell_s=1.0, poll_interval_s=0.05, request_timeout_s=0.2,
                      screenshot_interval_s=0.2)
    obs = {i.name: FakeSwitcher(i.name, clock) for i in cfg.instances}
    snaps = []
    bus.subscribe(lambda t, p: snaps.append(p), "stream.state")
    g = StreamGuard(cfg, obs, clock=clock, bus=bus)
    obs["main"].operator_start()
    g.start()
    try:
        deadline = time.monotonic() + 5
        while g.state()["state"] != "ON_PRIMARY":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        obs["main"].kill()
        while g.state()["state"] != "ON_BACKUP":
            assert time.monotonic() < deadline + 3
            time.sleep(0.02)
        assert obs["spare"].active
    finally:
        g.stop()
    assert all(len(o.thread_ids) == 1 for o in obs.values())        # one owner thread per OBS
    assert not obs["spare"].connected and snaps
