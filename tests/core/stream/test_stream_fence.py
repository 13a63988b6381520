"""Never two encoders (issue 13): an encoder the guard took off the air (the primary after a failover, the
backup after a return) is stopped whenever it is seen on air again — first thing after a reconnect to it
(a frozen primary that thawed), and whenever its output shows active (OBS's auto-reconnect). Journaled as
stream.second_encoder (or stream.second_encoder_failed) and raised as an alert."""
from __future__ import annotations

from controlroom.stream.failover import ON_BACKUP, ON_PRIMARY, RETURNING, Command
from controlroom.stream.signals import FAILED
from tests.core.stream.test_stream_failover import H, M, _on_backup, armed
from tests.core.stream.test_stream_guard import Rig


# ---- the pure machine ----------------------------------------------------------------------------

def _frozen_failover():
    m = armed()
    m.h["main"] = H("main", FAILED, since=0.0, cause="encoder_frozen", reachable=False, live=False, active=True)
    m.step(2.0)
    for t in (2.1, 2.2, 2.3):
        m.complete(t)
    assert m.m.state == ON_BACKUP
    assert all(c.instance != "main" for c in m.cmds)
    return m


def test_a_primary_that_could_not_be_stopped_is_stopped_first_thing_when_it_answers_again():
    m = _frozen_failover()
    cmd = m.m.on_connected(5.0, "main")
    assert isinstance(cmd, Command) and (cmd.instance, cmd.op) == ("main", "stop") and cmd.args.get("fence")
    assert m.m.on_connected(5.0, "spare") is None            # the one on air is left alone


def test_a_primary_seen_active_again_while_on_backup_is_stopped_and_again_if_it_persists():
    m = _frozen_failover()
    m.h["main"] = H("main", live=True, live_since=6.0)          # thawed, or auto-reconnected: publishing
    m.step(6.0)
    stops = [c for c in m.cmds if (c.instance, c.op) == ("main", "stop")]
    assert len(stops) == 1 and stops[0].args.get("fence")
    m.cmds.clear()
    m.step(6.2)
    assert not m.cmds                                            # one stop in flight, not a storm
    m.step(6.5)
    assert [(c.instance, c.op) for c in m.cmds] == [("main", "stop")]   # still on air: stop again


def test_a_reconnecting_primary_counts_as_on_air():
    """OBS's auto-reconnect would publish as soon as the ingest is back: stop it while it is reconnecting."""
    m = _frozen_failover()
    m.h["main"] = H("main", FAILED, since=5.0, cause="ingest", active=True, live=False)
    m.step(6.0)
    assert [(c.instance, c.op) for c in m.cmds] == [("main", "stop")]


def test_no_fence_while_the_primary_is_on_air_by_design():
    m = _on_backup()
    assert m.m.return_to_primary(10.0, m.h, "op")
    m._take()
    assert m.m.state == RETURNING
    assert m.m.on_connected(10.05, "main") is None              # we are about to start it
    for t in (10.1, 10.2, 10.3, 10.4):
        m.complete(t)
    assert m.m.state == ON_PRIMARY
    m.step(11.0)
    assert not [c for c in m.cmds if c.instance == "main"]
    # after the return the backup is the one kept off the air
    m.h["spare"] = H("spare", live=True, live_since=12.0)
    m.step(12.0)
    assert [(c.instance, c.op) for c in m.cmds] == [("spare", "stop")]


def test_an_operator_stop_disarms_and_lifts_every_fence():
    m = _frozen_failover()
    assert m.m.return_to_primary(10.0, m.h, "op")
    m._take()
    for t in (10.1, 10.2, 10.3, 10.4):
        m.complete(t)
    m.h["main"] = H("main", live=False)                       # the show ends: the operator stops the primary
    m.step(20.0)
    m.h["spare"] = H("spare", live=True, live_since=21.0)    # a rehearsal on the spare afterwards is theirs
    m.step(21.0)
    assert not m.cmds


def test_after_a_crash_restored_on_backup_the_primary_is_fenced():
    m = M()
    m.m.restore(True, {"method": "backup_encoder"})
    assert m.m.on_connected(1.0, "main") is not None


# ---- the guard on the fake Switcher ------------------------------------------------------------------

class Alerts:
    def __init__(self):
        self.raised = []

    def raise_alert(self, alert):
        self.raised.append(alert)
        return alert


def _rig(tmp_path) -> Rig:
    r = Rig(tmp_path)
    r.alerts = Alerts()
    r.guard.alerts = r.alerts
    return r


def test_guard_thawed_primary_is_stopped_before_anything_else_and_the_operator_is_told(tmp_path):
    r = _rig(tmp_path)
    r.live_primary()
    r.obs["main"].frozen = True
    r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 6)
    assert r.obs["spare"].active and r.obs["main"].active      # frozen: it could not be stopped
    r.run(2.0)
    r.obs["main"].frozen = False                                 # SIGCONT: it publishes again
    before = len(r.obs["main"].calls)
    r.guard.run_once("main")                                     # ONE pass of the primary's worker
    assert r.obs["main"].calls[before:before + 2] == [("connect",), ("stop",)]   # stop first, then look
    assert not r.obs["main"].active and r.obs["spare"].active
    ev = r.events("stream.second_encoder")
    assert len(ev) == 1 and ev[0].payload["instance"] == "main" and ev[0].payload["on_air"] == "spare"
    assert ev[0].payload["stopped"] is True
    assert [a.rule for a in r.alerts.raised if a.rule.startswith("stream_second")] == ["stream_second_encoder"]
    r.run(3.0)
    assert len(r.events("stream.second_encoder")) == 1           # told once, not on every pass


def test_guard_primary_auto_reconnecting_while_on_backup_is_stopped(tmp_path):
    r = _rig(tmp_path)
    r.live_primary()
    r.obs["main"].stop_fails = 1                                 # the failover's stop does not take
    r.obs["main"].break_ingest()
    r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 3)
    r.until(lambda: not r.obs["main"].active, 1.5)               # the guard stopped its reconnect loop
    r.obs["main"].heal_ingest()
    r.run(3.0)
    assert not r.obs["main"].active and r.obs["spare"].active
    assert r.events("stream.second_encoder")


def test_guard_a_stop_that_fails_is_a_critical_alert_once_per_episode(tmp_path):
    r = _rig(tmp_path)
    r.live_primary()
    r.obs["main"].frozen = True
    r.until(lambda: r.guard.state()["state"] == "ON_BACKUP", 6)
    r.obs["main"].frozen = False
    r.obs["main"].stop_fails = 3
    r.run(3.0)
    failed = r.events("stream.second_encoder_failed")
    assert len(failed) == 1, [e.payload for e in failed]
    crit = [a for a in r.alerts.raised if a.rule == "stream_second_encoder_failed"]
    assert len(crit) == 1 and crit[0].severity == "critical"
    assert not r.obs["main"].active                               # the fourth stop took
    assert len(r.events("stream.second_encoder")) == 1
