"""The failover state machine alone, on a fake clock, with hand-made healths."""
from __future__ import annotations

import pytest

from controlroom.stream.failover import (FAILING_OVER, ON_BACKUP, ON_PRIMARY, RETURNING, STANDBY, Command,
                                         FailoverMachine, Note)
from controlroom.stream.signals import FAILED, HEALTHY, Health
from tests.core.stream.test_stream_guard import make_config


def H(name, level=HEALTHY, since=None, cause=None, live=True, reachable=True, live_since=None, stopped_at=None,
      active=None):
    return Health(name, level, (), {}, {}, since, since, cause, reachable, live if active is None else active,
                  live, live_since if live else None, stopped_at)


class M:
    def __init__(self, method="backup_encoder", **th):
        self.m = FailoverMachine(make_config(method, **th))
        self.h = {"main": H("main", live_since=0.0), "spare": H("spare", live=False)}
        self.cmds: list[Command] = []
        self.notes: list[Note] = []

    def step(self, now):
        self.m.step(now, self.h)
        self._take()

    def _take(self):
        for o in self.m.take():
            (self.cmds if isinstance(o, Command) else self.notes).append(o)

    def complete(self, now, ok=True, go_live=True):
        """Workers finish every open command; started streams go live."""
        for c in list(self.cmds):
            self.cmds.remove(c)
            self.m.command_done(now, c.id, ok)
            if c.op == "start" and go_live and ok:
                self.h[c.instance] = H(c.instance, live_since=now)
            if c.op == "stop" and ok:
                self.h[c.instance] = H(c.instance, live=False)
        self.step(now)

    def kinds(self):
        return [n.kind for n in self.notes]


def armed():
    m = M()
    m.step(0.0)
    assert m.m.state == ON_PRIMARY
    return m


def test_standby_until_primary_live():
    m = M()
    m.h["main"] = H("main", live=False)
    m.step(0)
    assert m.m.state == STANDBY
    m.h["main"] = H("main", FAILED, since=0.0, cause="encoder_dead", live=False, reachable=False)
    m.step(10)
    assert m.m.state == STANDBY and not m.cmds       # never fail over what was never on air


@pytest.mark.parametrize("dt,switch", [(1.99, False), (2.0, True)])
def test_hold_edge(dt, switch):
    m = armed()
    m.h["main"] = H("main", FAILED, since=10.0, cause="ingest", active=True)
    m.step(10.0 + dt)
    assert (m.m.state == FAILING_OVER) is switch


def test_failover_sequence_stop_primary_then_target_then_start_backup_verified():
    m = armed()
    m.h["main"] = H("main", FAILED, since=10.0, cause="ingest", active=True)
    m.step(12.0)
    ops = []
    for now in (12.01, 12.02, 12.03, 12.3):
        ops += [(c.instance, c.op) for c in m.cmds]
        m.complete(now)
    assert ops == [("main", "stop"), ("spare", "set_target"), ("spare", "start")]
    assert m.m.state == ON_BACKUP and m.m.active == "spare"
    fo = [n for n in m.notes if n.kind == "stream.failover"][0].payload
    assert fo["onset_to_switch_ms"] == 2030 and fo["target"].endswith(":1936/live")


def test_failed_start_is_retried_then_succeeds():
    m = armed()
    m.h["main"] = H("main", FAILED, since=0.0, cause="encoder_dead", reachable=False, live=False)
    m.step(2.0)
    m.complete(2.01)                                  # set_target
    start = m.cmds[0]
    m.cmds.clear()
    m.m.command_done(2.02, start.id, True)
    m.h["spare"] = H("spare", live=False, stopped_at=2.05)   # STARTING -> STOPPED: ingest down
    m.step(2.06)
    m.step(2.4)
    assert [c.op for c in m.cmds] == ["start"]            # retried after a short backoff
    m.complete(2.45)
    assert m.m.state == ON_BACKUP


def test_start_never_verified_fails_after_retries_and_waits_min_interval():
    m = armed()
    m.h["main"] = H("main", FAILED, since=0.0, cause="encoder_dead", reachable=False, live=False)
    m.step(2.0)
    now = 2.0
    while "stream.failover_failed" not in m.kinds():
        now += 0.5
        assert now < 30
        m.complete(now, go_live=False)
    assert m.m.state == ON_PRIMARY
    m.step(now + 4.9)
    assert m.m.state == ON_PRIMARY                  # min_switch_interval_s before the next attempt
    m.step(now + 5.0)
    assert m.m.state == FAILING_OVER


def test_manual_hold_blocks_automatic_but_not_manual():
    m = armed()
    m.m.set_hold(0, True, "op")
    m.h["main"] = H("main", FAILED, since=0.0, cause="ingest", active=True)
    m.step(5.0)
    assert m.m.state == ON_PRIMARY and "stream.held" in m.kinds()
    assert m.m.fail_over_now(5.1, m.h, "op", "now")
    m._take()
    assert m.m.state == FAILING_OVER


def test_manual_return_and_refusals():
    m = armed()
    assert not m.m.return_to_primary(1, m.h, "op")       # not on backup
    m.m.fail_over_now(1, m.h, "op")
    m._take()
    assert not m.m.fail_over_now(1.01, m.h, "op")          # already switching
    for t in (1.1, 1.2, 1.3, 1.4):
        m.complete(t)
    assert m.m.state == ON_BACKUP
    assert m.m.return_to_primary(2, m.h, "op")
    m._take()
    assert m.m.state == RETURNING
    for t in (2.1, 2.2, 2.3, 2.4):
        m.complete(t)
    assert m.m.state == ON_PRIMARY and "stream.returned" in m.kinds()


def _on_backup(**th):
    m = M(**th)
    m.step(0)
    m.h["main"] = H("main", FAILED, since=0.0, cause="encoder_dead", reachable=False, live=False)
    m.step(2.0)
    for t in (2.1, 2.2, 2.3):
        m.complete(t)
    assert m.m.state == ON_BACKUP
    return m


def test_no_auto_return_by_default():
    m = _on_backup()
    m.h["main"] = H("main", live=False)
    for t in range(3, 400, 5):
        m.step(float(t))
    assert m.m.state == ON_BACKUP


@pytest.mark.parametrize("dwell,back", [(59.9, False), (60.0, True)])
def test_auto_return_after_dwell_edge(dwell, back):
    m = _on_backup(auto_return=True)
    m.h["main"] = H("main", live=False)
    m.step(100.0)
    m.step(100.0 + dwell)
    assert (m.m.state == RETURNING) is back


def test_primary_up_and_down_never_flaps():
    m = _on_backup(auto_return=True)
    t = 3.0
    for i in range(100):
        m.h["main"] = H("main", live=False) if i % 2 else H("main", FAILED, since=t, cause="encoder_dead",
                                                             reachable=False, live=False)
        t += 3.0
        m.step(t)
    assert m.m.state == ON_BACKUP and m.kinds().count("stream.failover") == 1


def test_black_picture_uses_backup_scene_and_dead_encoder_with_ingest_method_has_no_remedy():
    m = armed()
    m.h["main"] = H("main", FAILED, since=0.0, cause="picture")
    m.step(3.0)
    assert [(c.op, c.args) for c in m.cmds] == [("scene", {"scene": "Backup loop"})]
    m2 = M("backup_ingest")
    m2.h.pop("spare")
    m2.step(0)
    m2.h["main"] = H("main", FAILED, since=0.0, cause="encoder_dead", reachable=False, live=False)
    m2.step(2.5)
    m2.step(2.6)
    assert m2.kinds().count("stream.no_remedy") == 1 and not m2.cmds


def test_backup_ingest_method_restarts_same_obs():
    m = M("backup_ingest")
    m.h.pop("spare")
    m.step(0)
    m.h["main"] = H("main", FAILED, since=0.0, cause="ingest", active=True)
    m.step(2.0)
    ops = []
    for t in (2.1, 2.2, 2.3, 2.4):
        ops += [(c.instance, c.op) for c in m.cmds]
        m.complete(t)
    assert ops == [("main", "stop"), ("main", "set_target"), ("main", "start")]
    assert m.m.state == ON_BACKUP and m.m.active == "main"


def _manual_from_healthy(m, now=1.0):
    assert m.m.fail_over_now(now, m.h, "op", "drill")
    m._take()
    stop = m.cmds.pop()
    assert (stop.instance, stop.op) == ("main", "stop")
    return stop


def test_manual_failover_on_same_key_waits_for_the_primary_to_stop():
    """A drill from a healthy primary: the backup (same ingest, same key) starts only after the
    primary is seen stopped: never two encoders on one key."""
    m = armed()
    stop = _manual_from_healthy(m, 1.0)
    m.m.command_done(1.05, stop.id, True)             # StopStream answered, but OBS is still stopping
    m.h["main"] = H("main", active=True, live=True, live_since=0.0)
    for now in (1.06, 1.3, 1.6):
        m.step(now)
        assert not m.cmds, f"backup commanded at {now} while the primary still publishes"
    m.h["main"] = H("main", live=False)               # STREAM_STOPPED seen
    m.step(1.7)
    assert [(c.instance, c.op) for c in m.cmds] == [("spare", "set_target")]
    m.complete(1.71)
    assert [(c.instance, c.op) for c in m.cmds] == [("spare", "start")]
    m.complete(1.8)
    assert m.m.state == ON_BACKUP


@pytest.mark.parametrize("dt,go", [(1.99, False), (2.0, True)])
def test_handover_wait_is_bounded_by_stop_verify(dt, go):
    m = armed()
    stop = _manual_from_healthy(m, 1.0)
    m.m.command_done(1.0, stop.id, True)
    m.h["main"] = H("main", active=True, live=True, live_since=0.0)   # never seen stopping
    m.step(1.0 + dt)
    assert bool(m.cmds) is go
    if go:
        assert (m.cmds[0].instance, m.cmds[0].op) == ("spare", "set_target")


def test_ingest_fault_to_a_different_ingest_does_not_wait_for_the_stop():
    m = armed()
    m.h["main"] = H("main", FAILED, since=10.0, cause="ingest", active=True)
    m.step(12.0)
    stop = m.cmds.pop()
    m.m.command_done(12.01, stop.id, True)            # the primary keeps "reconnecting" (active)
    m.step(12.02)
    assert [(c.instance, c.op) for c in m.cmds] == [("spare", "set_target")]


def test_same_target():
    from controlroom.stream.config import Ingest
    from controlroom.stream.failover import same_target
    a = Ingest("rtmp://h/live", "k")
    assert same_target(a, Ingest("rtmp://h/live/", "k")) and same_target(a, None) and same_target(None, a)
    assert not same_target(a, Ingest("rtmp://h/live", "k2"))
    assert not same_target(a, Ingest("rtmp://h2/live", "k"))
