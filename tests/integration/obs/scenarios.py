"""The real-OBS failover scenarios, shared by the integration tests and tests/bench/bench_failover.py.

A rig = two nginx-rtmp ingests (A = the platform's primary ingest, B = its backup ingest), a primary
OBS streaming to A, a hot-standby backup OBS (idle), a real Journal, and the StreamGuard built from
a guard.toml written here and loaded with GuardConfig.load. Every check uses the journal AND our
own websocket client / the ingest's /stat, never the guard's own view alone.
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from controlroom.stream.ports import StreamStatus, SwitcherRequestFailed, SwitcherTimeout, SwitcherUnavailable
from tests.integration.obs.harness import (
    BACKUP_SCENE, BLACK_SCENE, FROZEN_MEDIA, FROZEN_SCENE, MAIN_SCENE, STREAM_KEY, Ingest, ObsInstance,
    PlaybackProbe, Testbed, set_small_tcp_buffers, wait_until,
)

# Issue 13's goals are medians (kills <= 1.2 s, frozen OBS / frozen ingest with the probe <= 2.5 s); the
# bench reports them. CI holds every single kill to the goal itself (measured ~0.4 s: a 3x margin on a
# loaded machine) and the soft faults to 3.0 s (measured ~2.1-2.3 s: hold_s 2.0 plus the switch).
HARD_FAULT_BUDGET_S = 1.2
SOFT_FAULT_BUDGET_S = 3.0


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(str(v))


@dataclass
class Outcome:
    fault: str
    latency_s: float | None                 # fault -> backup observed on air by our own client
    journal: dict = field(default_factory=dict)   # the stream.failover payload
    failovers: int = 0
    returns: int = 0
    probe: dict | None = None               # the guard's view of the viewer-side probe (if any)


class GuardRig:
    def __init__(self, bed: Testbed, *, method: str = "backup_encoder", thresholds: dict | None = None,
                 probe: bool = False, wrap: Callable | None = None, small_tcp_buffers: bool = False,
                 scenes: bool = True):
        self.bed = bed
        self.method = method
        self.thresholds = dict(thresholds or {})
        self.wrap = wrap
        self._tcp_restore = None
        if small_tcp_buffers:
            # before any socket exists: buffers are sized at creation
            self._tcp_restore = set_small_tcp_buffers()
        self.a: Ingest = bed.start_ingest("a")
        self.b: Ingest = bed.start_ingest("b")
        self.primary: ObsInstance = bed.start_obs("primary", self.a.server)
        self.backup: ObsInstance | None = (bed.start_obs("backup", self.a.server)
                                           if method == "backup_encoder" else None)
        self.probe = None
        self.want_probe = probe
        if probe:
            # the playback URL the platform would give; the production probe is built from it
            self.thresholds.setdefault("probe_url", self.a.url(STREAM_KEY))
        self.scenes = scenes
        self.guard = None
        self.journal = None
        self.session_id = None
        self.switchers: dict = {}
        self._observers: dict[str, object] = {}
        os.environ["CR_TEST_PW_PRIMARY"] = self.primary.password
        if self.backup:
            os.environ["CR_TEST_PW_BACKUP"] = self.backup.password

    # ---- configuration -------------------------------------------------------------------------
    def write_config(self) -> Path:
        a, b = self.a, self.b
        lines = ["[guard]", f"method = {_toml_value(self.method)}",
                 'stall_talk_track = "We are switching cameras, stay with us"', "",
                 "[instances.primary]", 'role = "primary"', 'host = "127.0.0.1"',
                 f"port = {self.primary.ws_port}", 'password_env = "CR_TEST_PW_PRIMARY"',
                 f"ingest_url = {_toml_value(a.server)}", f"ingest_key = {_toml_value(STREAM_KEY)}",
                 f"backup_ingest_url = {_toml_value(b.server)}", f"backup_ingest_key = {_toml_value(STREAM_KEY)}", ""]
        if self.backup:
            lines += ["[instances.backup]", 'role = "backup"', 'host = "127.0.0.1"',
                      f"port = {self.backup.ws_port}", 'password_env = "CR_TEST_PW_BACKUP"',
                      f"ingest_url = {_toml_value(a.server)}", f"ingest_key = {_toml_value(STREAM_KEY)}",
                      f"backup_ingest_url = {_toml_value(b.server)}",
                      f"backup_ingest_key = {_toml_value(STREAM_KEY)}", ""]
        if self.scenes:
            lines += ["[scenes]", f"program = {_toml_value(MAIN_SCENE)}",
                      f"backup = {_toml_value(BACKUP_SCENE)}", ""]
        if self.thresholds:
            lines.append("[thresholds]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in self.thresholds.items()]
        path = self.bed.workdir / "guard.toml"
        path.write_text("\n".join(lines) + "\n")
        return path

    def build_switchers(self, cfg) -> dict:
        from controlroom.stream.headless import build_switchers   # what production builds
        out = build_switchers(cfg)
        return {n: self.wrap(sw) if self.wrap else sw for n, sw in out.items()}

    def build_probe(self, cfg, clock):
        """The production probe from the config's probe_url (ingest A), plus one on ingest B: together
        they are what a viewer of the platform's playback URL sees, whichever ingest carries it."""
        from controlroom.stream.headless import build_probe
        a = build_probe(cfg, clock)
        assert a is not None, "probe_url in the config builds a probe"
        self.bed._probes.append(a)
        return PlaybackProbe([a, self.bed.probe(self.b.url(STREAM_KEY), clock)])

    # ---- life cycle ------------------------------------------------------------------------------
    def start_primary_streaming(self) -> None:
        sw = self.observer("primary")
        sw.start_stream(2.0)
        wait_until(lambda: self.a.publishing(STREAM_KEY), 10, what="primary publishing on ingest A")
        wait_until(lambda: _status(sw) and _status(sw).output_active, 5, what="primary output active")

    def start_guard(self, arm_timeout: float = 10.0):
        from controlroom.bus import EventBus
        from controlroom.clock import SystemClock
        from controlroom.journal import Journal
        from controlroom.stream.config import GuardConfig
        from controlroom.stream.guard import StreamGuard
        cfg = GuardConfig.load(self.write_config())
        self.journal = Journal(self.bed.workdir / "journal.sqlite", clock=SystemClock(), bus=EventBus())
        self.session_id = self.journal.new_session("real-OBS failover test")
        self.switchers = self.build_switchers(cfg)
        clock = SystemClock()
        if self.want_probe:
            self.probe = self.build_probe(cfg, clock)
        self.guard = StreamGuard(cfg, self.switchers, clock, journal=self.journal,
                                 session_id=self.session_id, bus=self.journal.bus, probe=self.probe)
        self.guard.start()
        wait_until(lambda: self.guard.state().get("state") == "ON_PRIMARY", arm_timeout,
                   what="the guard armed on the live primary")
        if self.probe is not None:
            # a probe still joining is UNKNOWN (never a switch): measure from a probe that sees frames
            a_probe = self.probe.probes[0]
            wait_until(lambda: a_probe.last_frame_at() is not None
                       and clock.monotonic() - a_probe.last_frame_at() < 1.0, 15,
                       what="the viewer-side probe receiving frames from ingest A")
        return self.guard

    def close(self) -> None:
        if self.guard is not None:
            try:
                self.guard.stop()
            except Exception:  # noqa: BLE001 - teardown must go on
                pass
        for sw in self._observers.values():
            sw.close()
        if self.probe is not None:
            self.probe.stop()
        if self.journal is not None:
            self.journal.close()
        if self._tcp_restore:
            set_small_tcp_buffers(self._tcp_restore)

    # ---- our own view --------------------------------------------------------------------------
    def observer(self, name: str):
        """Our own websocket client (not the guard's) for an instance."""
        if name not in self._observers:
            inst = self.primary if name == "primary" else self.backup
            self._observers[name] = inst.switcher(connect_timeout=1.0, backoff_initial=0.1, backoff_max=0.3)
        return self._observers[name]

    def backup_on_air(self) -> bool:
        """Backup encoder: the backup OBS says live (not reconnecting) AND ingest B has its publisher.
        Backup ingest: the primary streams to B. Backup scene: the primary's program is the backup scene."""
        if self.method == "backup_encoder":
            # After an ingest or encoder fault the backup goes to ingest B; a manual drill from a
            # healthy primary hands over on ingest A (the primary is stopped first).
            st = _status(self.observer("backup"))
            if not (st and st.output_active and not st.output_reconnecting):
                return False
            target = self.observer("backup").request("GetStreamServiceSettings", None, 0.5)
            server = target["streamServiceSettings"].get("server")
            ing = self.b if server == self.b.server else self.a
            return ing.publishing(STREAM_KEY)
        if self.method == "backup_ingest":
            st = _status(self.observer("primary"))
            return bool(st and st.output_active and not st.output_reconnecting and self.b.publishing(STREAM_KEY))
        st = _status(self.observer("primary"))
        return bool(st and st.program_scene == BACKUP_SCENE)

    def primary_on_air(self) -> bool:
        st = _status(self.observer("primary"))
        return bool(st and st.output_active and not st.output_reconnecting and self.a.publishing(STREAM_KEY))

    def events(self, kind: str) -> list:
        return self.journal.events(self.session_id, kinds=[kind])

    def count(self, kind: str) -> int:
        return len(self.events(kind))


def _status(sw) -> StreamStatus | None:
    try:
        return sw.status(0.5)
    except (SwitcherTimeout, SwitcherUnavailable):
        return None


# ---- faults ------------------------------------------------------------------------------------------

def fault_kill_ingest(rig: GuardRig) -> None:
    rig.a.proc.kill()


def fault_kill_primary(rig: GuardRig) -> None:
    rig.primary.proc.signal(signal.SIGKILL)


def fault_stop_primary(rig: GuardRig) -> None:
    rig.primary.proc.signal(signal.SIGSTOP)


def fault_freeze_ingest(rig: GuardRig) -> None:
    rig.a.proc.signal(signal.SIGSTOP)


# kind -> (inject, budget per run, rig options, the tier that must switch it)
FAULTS = {
    "ingest_killed": (fault_kill_ingest, HARD_FAULT_BUDGET_S, {}, "hard"),
    "primary_obs_killed": (fault_kill_primary, HARD_FAULT_BUDGET_S, {}, "hard"),
    "primary_obs_frozen": (fault_stop_primary, SOFT_FAULT_BUDGET_S, {}, "soft"),
    "ingest_frozen": (fault_freeze_ingest, SOFT_FAULT_BUDGET_S, {"small_tcp_buffers": True, "probe": True}, "soft"),
}


def run_fault(bed: Testbed, fault: str, *, settle_s: float = 2.0, method: str = "backup_encoder",
              timeout_s: float = 15.0) -> Outcome:
    """Primary live and guarded, settle, inject `fault`, measure until the backup is on air."""
    inject, _budget, opts, _tier = FAULTS[fault]
    rig = GuardRig(bed, method=method, **opts)
    try:
        rig.start_primary_streaming()
        rig.start_guard()
        time.sleep(settle_s)
        assert rig.count("stream.failover") == 0, "a failover before any fault"
        t_fault = time.monotonic()
        inject(rig)
        _, latency = wait_until(rig.backup_on_air, timeout_s, interval=0.05,
                                what=f"the backup on air after {fault}")
        evs, _ = wait_until(lambda: rig.events("stream.failover"), 5, what="stream.failover in the journal")
        return Outcome(fault, latency, dict(evs[0].payload), rig.count("stream.failover"),
                       rig.count("stream.returned"), rig.guard.state().get("probe"))
    finally:
        if fault == "primary_obs_frozen":
            rig.primary.proc.signal(signal.SIGCONT)
        if fault == "ingest_frozen":
            rig.a.proc.signal(signal.SIGCONT)
        rig.close()


# ---- blips: a healthy stream with brief, injected anomalies (at the Switcher level) -----------------

class BlipSwitcher:
    """Wraps the real ObsSwitcher and, on a schedule, distorts what the guard sees for a moment:
    "congestion" = outputCongestion 0.95 for 0.5 s; "missing" = one reading without stats;
    "timeout" = one status call that times out; "no_screenshot" = one missing screenshot."""

    KINDS = ("congestion", "missing", "timeout", "no_screenshot")

    def __init__(self, real, every_s: float = 3.0, spike_s: float = 0.5):
        self.real = real
        self.name = real.name
        self.every_s = every_s
        self.spike_s = spike_s
        self.t0 = time.monotonic()
        self.injected: dict[str, int] = {k: 0 for k in self.KINDS}
        self._done: set[int] = set()

    def __getattr__(self, item):
        return getattr(self.real, item)

    def _slot(self) -> tuple[int, str, float]:
        el = time.monotonic() - self.t0
        n = int(el // self.every_s)
        return n, self.KINDS[n % len(self.KINDS)], el - n * self.every_s

    def status(self, timeout: float) -> StreamStatus:
        from dataclasses import replace
        st = self.real.status(timeout)
        n, kind, into = self._slot()
        if n == 0:
            return st
        if kind == "congestion" and into < self.spike_s:
            if n not in self._done:
                self._done.add(n)
                self.injected[kind] += 1
            return replace(st, output_congestion=0.95)
        if kind in ("missing", "timeout") and n not in self._done:
            self._done.add(n)
            self.injected[kind] += 1
            if kind == "timeout":
                raise SwitcherTimeout(f"{self.name}: injected timeout")
            return replace(st, output_bytes=None, output_congestion=None, output_skipped_frames=None,
                           output_total_frames=None, render_skipped_frames=None, render_total_frames=None)
        return st

    def program_fingerprint(self, timeout: float):
        n, kind, _ = self._slot()
        if n and kind == "no_screenshot" and n not in self._done:
            self._done.add(n)
            self.injected[kind] += 1
            return None
        return self.real.program_fingerprint(timeout)


class ProcessStaller:
    """SIGSTOP/SIGCONT on a schedule, by PID: the primary OBS for `obs_stall_s` (its websocket and its
    output stall, then catch up) and the primary ingest for `ingest_stall_s` (nothing moves on it), each
    once every `every_s`, half a period apart. Blips a healthy show meets: never a reason to switch."""

    def __init__(self, rig: "GuardRig", every_s: float = 5.0, obs_stall_s: float = 0.3,
                 ingest_stall_s: float = 0.4):
        self.rig = rig
        self.every_s, self.obs_stall_s, self.ingest_stall_s = every_s, obs_stall_s, ingest_stall_s
        self.injected = {"obs_stall": 0, "ingest_stall": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="staller", daemon=True)

    def start(self) -> "ProcessStaller":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _stall(self, proc, seconds: float, kind: str) -> None:
        proc.signal(signal.SIGSTOP)
        try:
            self.injected[kind] += 1
            time.sleep(seconds)          # not interruptible: a stall is always short and always ends
        finally:
            proc.signal(signal.SIGCONT)

    def _run(self) -> None:
        # on a fixed timetable (the stalls themselves do not stretch the period): OBS at 1/4, ingest at 3/4
        t0, k = time.monotonic(), 0
        while True:
            for frac, proc, secs, kind in ((0.25, self.rig.primary.proc, self.obs_stall_s, "obs_stall"),
                                           (0.75, self.rig.a.proc, self.ingest_stall_s, "ingest_stall")):
                if self._stop.wait(max(0.0, t0 + (k + frac) * self.every_s - time.monotonic())):
                    return
                self._stall(proc, secs, kind)
            k += 1


def run_blips(bed: Testbed, duration_s: float, *, stalls: bool = True, probe: bool = True) -> dict:
    """A healthy show with blips for `duration_s`: the Switcher-level ones (a 0.5-s congestion spike, a
    reading without stats, a status timeout, a missing screenshot; one every 3 s) and, with `stalls`,
    0.3-s stalls of the primary OBS and 0.4-s stalls of the primary ingest (SIGSTOP/SIGCONT, each every
    5 s). With `probe` the viewer-side probe watches too (it sees every ingest stall)."""
    wrapped: dict[str, BlipSwitcher] = {}

    def wrap(sw):
        if sw.name != "primary":
            return sw
        wrapped["primary"] = BlipSwitcher(sw)
        return wrapped["primary"]

    rig = GuardRig(bed, wrap=wrap, probe=probe)
    staller = None
    try:
        rig.start_primary_streaming()
        rig.start_guard()
        wrapped["primary"].t0 = time.monotonic()
        if stalls:
            staller = ProcessStaller(rig).start()
        end = time.monotonic() + duration_s
        off_air = 0
        while time.monotonic() < end:
            time.sleep(1.0)
            if rig.count("stream.failover"):
                break                     # a false switch: no need to sit out the rest
        if staller is not None:
            staller.stop()
        time.sleep(1.0)
        if not rig.primary_on_air():
            off_air += 1
        injected = dict(wrapped["primary"].injected)
        if staller is not None:
            injected.update(staller.injected)
        return {"failovers": rig.count("stream.failover"), "switching": rig.count("stream.switching"),
                "alarms": rig.count("stream.alarm"), "injected": injected,
                "state": rig.guard.state()["state"], "primary_off_air_checks": off_air,
                "seconds": duration_s,
                "failed_health": sum(1 for e in rig.events("stream.health")
                                     if e.payload.get("instance") == "primary" and e.payload.get("level") == "FAILED"),
                "hard_health": sum(1 for e in rig.events("stream.health")
                                   if e.payload.get("instance") == "primary" and e.payload.get("level") == "FAILED"
                                   and e.payload.get("hard"))}
    finally:
        if staller is not None:
            staller.stop()
        rig.primary.proc.signal(signal.SIGCONT)
        rig.a.proc.signal(signal.SIGCONT)
        rig.close()


# ---- never two encoders ----------------------------------------------------------------------------

def run_thaw(bed: Testbed, frozen_for_s: float = 1.0) -> dict:
    """Freeze the primary (SIGSTOP), let the guard fail over to the backup, keep it frozen a moment, thaw it
    (SIGCONT) and measure until the primary's output is seen stopped by our own client and ingest A has no
    publisher. A frozen OBS keeps its RTMP connection: thawed, it publishes again unless stopped."""
    rig = GuardRig(bed)
    res: dict = {}
    try:
        rig.start_primary_streaming()
        rig.start_guard()
        time.sleep(1.0)
        rig.primary.proc.signal(signal.SIGSTOP)
        wait_until(rig.backup_on_air, 10, what="the backup on air after the primary froze")
        wait_until(lambda: rig.count("stream.failover") == 1, 5, what="stream.failover journaled")
        time.sleep(frozen_for_s)
        res["a_publisher_while_frozen"] = rig.a.publishing(STREAM_KEY)   # the danger is real: it never left
        t0 = time.monotonic()
        rig.primary.proc.signal(signal.SIGCONT)
        _, res["stopped_after_s"] = wait_until(lambda: _primary_off(rig), 10, interval=0.02,
                                               what="the thawed primary stopped")
        time.sleep(2.0)
        res["still_off_after_2s"] = _primary_off(rig)
        res["backup_on_air"] = rig.backup_on_air()
        ev = rig.events("stream.second_encoder")
        res["second_encoder"] = [dict(e.payload) for e in ev]
        res["failovers"] = rig.count("stream.failover")
        del t0
        return res
    finally:
        rig.primary.proc.signal(signal.SIGCONT)
        rig.close()


def _primary_off(rig: "GuardRig") -> bool:
    st = _status(rig.observer("primary"))
    return bool(st is not None and not st.output_active and not rig.a.publishing(STREAM_KEY))


class StopBlocker:
    """Wraps the primary's real ObsSwitcher: while `blocked`, StopStream fails as if OBS answered with an
    error (the stop did not take) — so the primary stays in OBS's own reconnect loop during the failover."""

    def __init__(self, real):
        self.real = real
        self.name = real.name
        self.blocked = True
        self.refused = 0

    def __getattr__(self, item):
        return getattr(self.real, item)

    def stop_stream(self, timeout: float) -> None:
        if self.blocked:
            self.refused += 1
            raise SwitcherRequestFailed(f"{self.name}: StopStream failed (injected)", 700)
        self.real.stop_stream(timeout)


def run_auto_reconnect(bed: Testbed) -> dict:
    """Ingest A dies; the guard fails over to the backup on B, but its stop of the primary does not take,
    so OBS keeps reconnecting to A. A comes back and stops are allowed again: the guard must stop the
    primary before (or as soon as) OBS's auto-reconnect puts it on air next to the backup."""
    blockers: dict[str, StopBlocker] = {}

    def wrap(sw):
        if sw.name != "primary":
            return sw
        blockers["primary"] = StopBlocker(sw)
        return blockers["primary"]

    rig = GuardRig(bed, wrap=wrap)
    res: dict = {}
    try:
        rig.start_primary_streaming()
        rig.start_guard()
        time.sleep(1.0)
        rig.a.proc.kill()
        wait_until(rig.backup_on_air, 10, what="the backup on air after ingest A died")
        wait_until(lambda: rig.count("stream.second_encoder_failed") >= 1, 5,
                   what="the failed stop of the reconnecting primary journaled")
        st = _status(rig.observer("primary"))
        res["primary_reconnecting_while_blocked"] = bool(st and st.output_active)
        bed.restart_ingest(rig.a)
        t0 = time.monotonic()
        blockers["primary"].blocked = False
        _, res["stopped_after_s"] = wait_until(lambda: _primary_off(rig), 10, interval=0.02,
                                               what="the primary stopped")
        published = 0
        end = time.monotonic() + 4.0      # OBS's own reconnect comes 1.7-2.1 s after the ingest is back
        while time.monotonic() < end:
            published += rig.a.publishing(STREAM_KEY)
            time.sleep(0.1)
        res["a_publishing_checks_after"] = published
        res["backup_on_air"] = rig.backup_on_air()
        res["refused_stops"] = blockers["primary"].refused
        res["second_encoder"] = [dict(e.payload) for e in rig.events("stream.second_encoder")]
        res["second_encoder_failed"] = [dict(e.payload) for e in rig.events("stream.second_encoder_failed")]
        del t0
        return res
    finally:
        rig.close()


# ---- picture faults ------------------------------------------------------------------------------------

PICTURE_TH = {"screenshot_interval_s": 0.5, "black_after_s": 1.5, "frozen_after_s": 3.0}


def run_picture_fault(bed: Testbed, kind: str) -> dict:
    """A black source or a frozen (paused) media source switched into the primary's program: the guard's
    picture check sees it in the screenshots and switches the program to [scenes] backup."""
    rig = GuardRig(bed, thresholds=PICTURE_TH)
    res: dict = {}
    try:
        rig.start_primary_streaming()
        rig.start_guard()
        obs = rig.observer("primary")
        time.sleep(PICTURE_TH["frozen_after_s"] + 1.5)     # the moving Main scene is never "frozen"
        res["failovers_before"] = rig.count("stream.failover")
        if kind == "black":
            obs.request("SetCurrentProgramScene", {"sceneName": BLACK_SCENE}, 1.0)
        else:
            obs.request("SetCurrentProgramScene", {"sceneName": FROZEN_SCENE}, 1.0)
            time.sleep(1.0)                               # moving first: the pause is what freezes it
            obs.request("TriggerMediaInputAction", {"inputName": FROZEN_MEDIA,
                                                    "mediaAction": "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PAUSE"}, 1.0)
        _, res["switched_after_s"] = wait_until(
            lambda: (_status(obs) or StreamStatus(False, False, None, None, None, None, None, None)).program_scene
            == BACKUP_SCENE, 15, what=f"the program switched to {BACKUP_SCENE} after a {kind} picture")
        evs, _ = wait_until(lambda: rig.events("stream.failover"), 5, what="stream.failover journaled")
        res["failover"] = dict(evs[0].payload)
        res["stream_active"] = bool((_status(obs) or StreamStatus(False, False, None, None, None, None, None,
                                                                  None)).output_active)
        return res
    finally:
        rig.close()


# ---- return to primary and flapping ----------------------------------------------------------------

def _flap(proc, until: float, down_s: float, up_s: float) -> int:
    """SIGSTOP/SIGCONT an OBS: it goes away and comes back every few seconds."""
    n = 0
    while time.monotonic() < until:
        proc.signal(signal.SIGSTOP)
        n += 1
        time.sleep(down_s)
        proc.signal(signal.SIGCONT)
        time.sleep(up_s)
    return n


def run_return_and_no_flap(bed: Testbed, dwell_s: float = 6.0, flap_s: float = 12.0) -> dict:
    """1) the primary flaps (down 1.2 s, up 1.3 s) while on air: no failover (each outage < hold);
    2) the ingest dies: one failover; it comes back, but the primary keeps flapping: no return;
    3) the primary is steady: one automatic return after the dwell, onto ingest A."""
    th = {"auto_return": True, "return_dwell_s": dwell_s, "min_switch_interval_s": 3.0}
    rig = GuardRig(bed, thresholds=th)
    res: dict = {}
    try:
        rig.start_primary_streaming()
        rig.start_guard()
        _flap(rig.primary.proc, time.monotonic() + flap_s * 0.6, 1.2, 1.3)
        res["failovers_while_flapping_on_air"] = rig.count("stream.failover")
        t_fault = time.monotonic()
        rig.a.proc.kill()
        _, res["failover_s"] = wait_until(rig.backup_on_air, 15, what="failover after the ingest died")
        wait_until(lambda: rig.count("stream.failover") == 1, 5, what="stream.failover journaled")
        bed.restart_ingest(rig.a)
        _flap(rig.primary.proc, time.monotonic() + flap_s, 1.0, 2.0)
        res["returns_while_flapping"] = rig.count("stream.returned")
        t_steady = time.monotonic()
        _, waited = wait_until(lambda: rig.count("stream.returned") >= 1, dwell_s + 20,
                               what="automatic return after the dwell")
        res["return_after_steady_s"] = waited
        wait_until(rig.primary_on_air, 10, what="primary on air on ingest A after the return")
        bst = _status(rig.observer("backup"))
        res["backup_stopped"] = bool(bst and not bst.output_active)
        time.sleep(1.0)
        res["b_publishing_after_return"] = rig.b.publishing(STREAM_KEY)
        res["failovers"] = rig.count("stream.failover")
        res["returns"] = rig.count("stream.returned")
        res["state"] = rig.guard.state()["state"]
        res["t_fault_to_return_s"] = time.monotonic() - t_fault
        res["return_payload"] = dict(rig.events("stream.returned")[0].payload)
        del t_steady
        return res
    finally:
        rig.primary.proc.signal(signal.SIGCONT)
        rig.close()
