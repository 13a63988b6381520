"""StreamGuard: the orchestrator between the OBS instances (Switcher port), the health monitors, the
failover state machine, the journal, the bus and the alerts.

One worker thread per OBS instance OWNS that instance's Switcher (obsws-python is not thread-safe):
it executes the commands queued for it first (a failover must not wait behind a poll), drains events
every ~50 ms (the fastest signal), polls status every poll_interval_s and takes a program fingerprint
every screenshot_interval_s, every call bounded by request_timeout_s. After each observation it
evaluates health and steps the state machine under one lock; journal writes and alerts happen
outside the lock. Tests drive `run_once(name)` directly on a ManualClock, without threads.
"""
from __future__ import annotations

import logging
import random
import threading
from collections import deque
from datetime import timedelta
from typing import Any

from controlroom.clock import Clock, SystemClock
from controlroom.stream.config import GuardConfig
from controlroom.stream.failover import Command, FailoverMachine, Note
from controlroom.stream.ports import (Switcher, SwitcherClosed, SwitcherError, SwitcherRefused,
                                      SwitcherRequestFailed, SwitcherTimeout, SwitcherUnavailable)
from controlroom.stream.signals import FAILED, HEALTHY, Health, HealthMonitor
from controlroom.stream.urls import mask_text, mask_url

log = logging.getLogger(__name__)

OUTPUT_RUNNING, OUTPUT_NOT_RUNNING = 500, 501     # obs-websocket RequestStatus codes
_ALERTS = {
    "stream.failover": ("stream_failover", "critical", "ON BACKUP: the stream failed over", True),
    "stream.failover_failed": ("stream_failover_failed", "critical", "Failover FAILED: the backup did not go live",
                               True),
    "stream.returned": ("stream_returned", "info", "Back on the primary stream", True),
    "stream.return_failed": ("stream_return_failed", "critical", "Return to primary failed: back on the backup",
                             True),
    "stream.no_remedy": ("stream_no_remedy", "critical", "Stream FAILED and no failover applies", True),
    "stream.held": ("stream_held", "critical", "Primary FAILED: manual hold is on, not switching", True),
    "stream.alarm": ("stream_alarm", "warning", "Stream stats missing (UNKNOWN)", False),
    "stream.second_encoder": ("stream_second_encoder", "warning",
                              "A second encoder came back on air: the guard stopped it", False),
    "stream.second_encoder_failed": ("stream_second_encoder_failed", "critical",
                                     "TWO ENCODERS ON AIR: the guard could not stop one", False),
}


class StreamGuard:
    def __init__(self, config: GuardConfig, switchers: dict[str, Switcher], clock: Clock | None = None,
                 journal=None, session_id: int | None = None, bus=None, alerts=None, probe=None):
        missing = [i.name for i in config.instances if i.name not in switchers]
        if missing:
            raise ValueError(f"no Switcher for instance(s) {', '.join(missing)}")
        self.config = config
        self.th = config.thresholds
        self.switchers = switchers
        self.clock = clock or SystemClock()
        self.journal = journal
        self.session_id = session_id
        self.bus = bus
        self.alerts = alerts
        self.probe = probe              # optional: anything with last_frame_at() -> monotonic float | None
        self.machine = FailoverMachine(config)
        self.monitors = {i.name: HealthMonitor(i.name, self.th) for i in config.instances}
        self._lock = threading.RLock()
        self._emit_lock = threading.RLock()   # journal lines in the order they were decided
        self._queues: dict[str, deque[Command]] = {n: deque() for n in self.monitors}
        self._wake = {n: threading.Event() for n in self.monitors}
        self._stop = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self._conn = {n: {"connected": False, "failures": 0, "next_attempt": float("-inf"),
                          "next_poll": float("-inf"), "next_fp": float("-inf")} for n in self.monitors}
        self._health: dict[str, Health] = {}
        self._logged_level: dict[str, str] = {}
        self._pending_level: dict[str, tuple[str, float]] = {}
        self._alarmed: dict[str, tuple[str, ...]] = {}
        self._series = {n: deque(maxlen=240) for n in self.monitors}
        self._last_series = {n: float("-inf") for n in self.monitors}
        self._last_publish = float("-inf")
        self._rng = random.Random()
        self._started = False
        # once per episode (until the encoder is seen off the air): a fence stop that stopped a running output
        # was told, and a fence stop that failed was told
        self._fence_told: set[str] = set()
        self._fence_failing: set[str] = set()
        keys = set()
        for i in config.instances:
            for ing in (i.ingest, i.backup_ingest):
                if ing is not None:
                    keys.update((ing.key, ing.resolved_key()))
        self._secrets = tuple(k for k in keys if k and len(k) >= 3)

    # ---- life cycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._stop.clear()
        started = {"method": self.config.method,
                   "instances": {i.name: {"role": i.role, "host": i.host, "port": i.port}
                                 for i in self.config.instances}}
        if self.probe is not None:
            # only the masked URL: the playback URL carries the stream key or an auth token
            started["probe"] = self._probe_url()
        self._note(Note("stream.guard_started", "guard", started))
        for name in self.monitors:
            listen = getattr(self.switchers[name], "set_event_listener", None)
            if callable(listen):
                # an OBS event (RECONNECTING: the fastest sign of a broken ingest) wakes the worker at once
                listen(lambda _ev, w=self._wake[name]: w.set())
            t = threading.Thread(target=self._worker, args=(name,), name=f"stream-guard-{name}", daemon=True)
            self._threads[name] = t
            t.start()

    def _probe_url(self) -> str:
        d = getattr(self.probe, "describe", None)
        text = str(d()) if callable(d) else "configured"
        return mask_url(text) if "://" in text else text

    def stop(self, timeout: float = 5.0) -> None:
        if not self._started:
            return
        self._stop.set()
        for ev in self._wake.values():
            ev.set()
        for t in self._threads.values():
            t.join(timeout)
        self._threads.clear()
        self._started = False
        self._note(Note("stream.guard_stopped", "guard", {"state": self.machine.state}))

    def _worker(self, name: str) -> None:
        sw = self.switchers[name]
        try:
            while not self._stop.is_set():
                try:
                    self.run_once(name)
                except Exception:   # a bug in one pass must not stop the guard
                    log.exception("stream guard worker %s failed a pass", name)
                self._wake[name].wait(0.05)
                self._wake[name].clear()
        finally:
            try:
                sw.close()
            except Exception:
                log.debug("close %s failed", name, exc_info=True)

    # ---- one pass of an instance's worker --------------------------------------------------------
    def run_once(self, name: str) -> None:
        sw, mon, conn, th = self.switchers[name], self.monitors[name], self._conn[name], self.th
        while True:
            with self._lock:
                cmd = self._queues[name].popleft() if self._queues[name] else None
            if cmd is None:
                break
            self._execute(name, sw, cmd)

        if not self._connect(name):
            self._evaluate()
            return

        try:
            events = sw.drain_events()
        except Exception as e:
            events = []
            log.debug("drain_events %s: %s", name, e)
        if events:
            lost = False
            with self._lock:
                t = self.clock.monotonic()
                for ev in events:
                    mon.event(t, ev)
                    if ev.kind in ("EVENTS_LOST", "EXIT_STARTED"):
                        lost = True
                        conn["connected"] = False
                        conn["next_attempt"] = t + self._backoff(conn)
            # OBS closed the connection: look again at once (the first retry is not delayed) — refused
            # means the process is gone, which is the hard evidence the short confirmation waits for
            if lost and not self._connect(name):
                self._evaluate()
                return

        now = self.clock.monotonic()
        if conn["connected"] and now >= conn["next_poll"]:
            conn["next_poll"] = now + th.poll_interval_s
            sent = now
            try:
                st = sw.status(th.request_timeout_s)
                with self._lock:
                    mon.status(sent, self.clock.monotonic(), st)
                self._record_series(name)
            except SwitcherTimeout as e:
                self._lost(name, "timeout", sent, str(e), backoff=False)
            except SwitcherRefused as e:
                self._lost(name, "refused", sent, str(e), backoff=True)
            except SwitcherClosed as e:
                self._lost(name, "closed", sent, str(e), backoff=True)
            except (SwitcherUnavailable, OSError) as e:
                self._lost(name, "unavailable", sent, str(e), backoff=True)
            except SwitcherError as e:
                log.debug("status %s: %s", name, e)

        now = self.clock.monotonic()
        if conn["connected"] and th.screenshot_interval_s > 0 and now >= conn["next_fp"]:
            conn["next_fp"] = now + th.screenshot_interval_s
            sent = now
            try:
                fp = sw.program_fingerprint(th.request_timeout_s)
                with self._lock:
                    mon.fingerprint(self.clock.monotonic(), fp)
            except SwitcherTimeout as e:
                self._lost(name, "timeout", sent, str(e), backoff=False)
            except SwitcherRefused as e:
                self._lost(name, "refused", sent, str(e), backoff=True)
            except SwitcherClosed as e:
                self._lost(name, "closed", sent, str(e), backoff=True)
            except (SwitcherUnavailable, OSError) as e:
                self._lost(name, "unavailable", sent, str(e), backoff=True)
            except SwitcherError:
                with self._lock:
                    mon.fingerprint(self.clock.monotonic(), None)
        self._evaluate()

    def _connect(self, name: str) -> bool:
        """Connected (now or already); False while backing off or when the attempt failed."""
        conn, sw = self._conn[name], self.switchers[name]
        if conn["connected"]:
            return True
        now = self.clock.monotonic()
        if now < conn["next_attempt"]:
            return False
        try:
            sw.connect(self.th.request_timeout_s)
        except SwitcherTimeout as e:
            self._lost(name, "timeout", now, str(e), backoff=False)
            return False
        except SwitcherRefused as e:
            self._lost(name, "refused", now, str(e), backoff=True)
            return False
        except (SwitcherError, OSError) as e:
            self._lost(name, "unavailable", now, str(e), backoff=True)
            return False
        conn["connected"], conn["failures"] = True, 0
        conn["next_poll"] = float("-inf")
        with self._lock:
            self.monitors[name].answered(now, self.clock.monotonic())   # the handshake is an answer
            fence = self.machine.on_connected(self.clock.monotonic(), name)
        if fence is not None:
            # an encoder we took off the air answers again: stop it before anything else we ask of it
            self._execute(name, sw, fence)
        return conn["connected"]

    def _backoff(self, conn: dict) -> float:
        """0 for the first retry after a loss (the hard-fault confirmation needs a prompt second look),
        then 50 ms doubling up to reconnect_backoff_max_s: several looks within hard_confirm_s, so an
        OBS whose websocket server merely restarted answers again before anything switches."""
        conn["failures"] += 1
        if conn["failures"] == 1:
            return 0.0
        base = min(0.05 * 2 ** (conn["failures"] - 2), self.th.reconnect_backoff_max_s)
        return base * self._rng.uniform(0.8, 1.2)   # jitter: two guards never hammer OBS in step

    def _lost(self, name: str, how: str, sent: float, detail: str, backoff: bool) -> None:
        conn, mon = self._conn[name], self.monitors[name]
        conn["connected"] = False
        now = self.clock.monotonic()
        # after a timeout the client is discarded; reconnect at once so a frozen OBS keeps showing as timeouts
        conn["next_attempt"] = now + (self._backoff(conn) if backoff else 0.0)
        with self._lock:
            if how == "timeout":
                mon.timed_out(sent, now, detail)
            elif how == "refused":
                mon.refused(sent, now, detail)
            else:
                mon.unavailable(sent, now, detail, closed=how == "closed")

    def _execute(self, name: str, sw: Switcher, cmd: Command) -> None:
        t0 = self.clock.monotonic()
        ok, err = True, ""
        was_running = True
        if cmd.op == "stop":
            with self._lock:
                self.monitors[name].set_expect_live(False)
        try:
            if not self._conn[name]["connected"]:
                sw.connect(self.th.request_timeout_s)
                self._conn[name]["connected"] = True
            if cmd.op == "stop":
                sw.stop_stream(self.th.request_timeout_s)
            elif cmd.op == "start":
                sw.start_stream(self.th.request_timeout_s)
            elif cmd.op == "set_target":
                sw.set_stream_target(cmd.args["server"], cmd.args.get("key", ""), self.th.request_timeout_s)
            elif cmd.op == "scene":
                sw.set_program_scene(cmd.args["scene"], self.th.request_timeout_s)
            else:
                raise SwitcherError(f"unknown command {cmd.op}")
        except SwitcherRequestFailed as e:
            # starting a running output / stopping a stopped one already gives the state we want
            if (cmd.op == "start" and e.code == OUTPUT_RUNNING) or (cmd.op == "stop" and e.code == OUTPUT_NOT_RUNNING):
                ok = True
                was_running = cmd.op == "start"
            else:
                ok, err = False, f"{e} (code {e.code})"
        except SwitcherTimeout as e:
            ok, err = False, f"timeout: {e}"
            self._lost(name, "timeout", t0, str(e), backoff=False)
        except SwitcherRefused as e:
            ok, err = False, f"refused: {e}"
            self._lost(name, "refused", t0, str(e), backoff=True)
        except SwitcherClosed as e:
            ok, err = False, f"closed: {e}"
            self._lost(name, "closed", t0, str(e), backoff=True)
        except (SwitcherError, OSError) as e:
            ok, err = False, f"unavailable: {e}"
            self._lost(name, "unavailable", t0, str(e), backoff=True)
        done = self.clock.monotonic()
        with self._lock:
            self.machine.command_done(done, cmd.id, ok, err)
        ms = round((done - t0) * 1000, 1)
        self._note(Note("stream.command", "guard", {"instance": name, "op": cmd.op, "what": cmd.describe(),
                                                    "ok": ok, "error": err, "ms": ms}))
        if cmd.args.get("fence"):
            self._fence_result(name, cmd, ok, err, was_running, ms)
        self._evaluate()

    def _fence_result(self, name: str, cmd: Command, ok: bool, err: str, was_running: bool, ms: float) -> None:
        """Journal and tell the operator about a fenced encoder that was on air again — once per episode."""
        on_air = cmd.args.get("on_air") or "the other encoder"
        why = cmd.args.get("why", "")
        if ok and was_running:
            self._fence_failing.discard(name)
            if name in self._fence_told:
                return               # OBS is still stopping from our first stop: the same episode
            self._fence_told.add(name)
            self._note(Note("stream.second_encoder", "guard", {
                "instance": name, "on_air": on_air, "why": why, "stopped": True, "ms": ms,
                "message": f"{name} was on air again ({why}) while {on_air} is live: stopped it in {ms:.0f} ms."
                           f" Two encoders must not publish for one room; use RETURN to go back to {name}."}))
        elif ok:
            self._fence_failing.discard(name)    # it was not running after all: nothing to tell
        elif name not in self._fence_failing:
            self._fence_failing.add(name)
            self._note(Note("stream.second_encoder_failed", "guard", {
                "instance": name, "on_air": on_air, "why": why, "stopped": False, "error": err,
                "message": f"{name} is on air again ({why}) while {on_air} is live and could not be stopped:"
                           f" {err}. Stop it in OBS now; the guard keeps trying."}))

    # ---- evaluation --------------------------------------------------------------------------------
    def _evaluate(self) -> None:
        with self._emit_lock:
            self._evaluate_locked()

    def _evaluate_locked(self) -> None:
        notes: list[Note] = []
        with self._lock:
            now = self.clock.monotonic()
            if self.probe is not None:
                active = self.machine.active
                for n, m in self.monitors.items():
                    m.probe_enabled = n == active
                try:
                    err = self.probe.error() if hasattr(self.probe, "error") else None
                    if err:
                        self.monitors[active].probe_unavailable(now, str(err))
                    else:
                        self.monitors[active].probe(now, self.probe.last_frame_at())
                except Exception as e:
                    log.debug("probe failed", exc_info=True)
                    self.monitors[active].probe_unavailable(now, f"probe error: {type(e).__name__}")
            healths = {n: m.assess(now) for n, m in self.monitors.items()}
            self._health = healths
            for n in list(self._fence_told):
                if healths[n].reachable and not healths[n].active:
                    self._fence_told.discard(n)          # off the air: the next time it comes back is news
            for n, h in healths.items():
                notes += self._health_notes(now, n, h)
            self.machine.step(now, healths)
            for out in self.machine.take():
                if isinstance(out, Command):
                    if out.op == "start":
                        self.monitors[out.instance].set_expect_live(False)  # armed again when it goes live
                    self._queues[out.instance].append(out)
                    self._wake[out.instance].set()
                else:
                    notes.append(out)
            publish = notes or now - self._last_publish >= 0.5
            if publish:
                self._last_publish = now
                snap = self._snapshot(now)
        for note in notes:
            self._note(note)
        if publish and self.bus is not None:
            self.bus.publish("stream.state", snap)

    def _health_notes(self, now: float, name: str, h: Health) -> list[Note]:
        notes = []
        prev = self._logged_level.get(name)
        if h.level != prev:
            pend = self._pending_level.get(name)
            if pend is None or pend[0] != h.level:
                self._pending_level[name] = pend = (h.level, now)
            # FAILED and recovery from FAILED are logged at once; other changes once they last 1 s
            if h.level == FAILED or prev == FAILED or prev is None or now - pend[1] >= 1.0:
                self._logged_level[name] = h.level
                self._pending_level.pop(name, None)
                notes.append(Note("stream.health", "guard", {
                    "instance": name, "level": h.level, "prev": prev, "reasons": list(h.reasons),
                    "cause": h.cause, "hard": h.hard_since is not None, "values": h.values}))
        else:
            self._pending_level.pop(name, None)
        missing = h.missing
        if missing and missing != self._alarmed.get(name) and h.level != FAILED:
            self._alarmed[name] = missing
            notes.append(Note("stream.alarm", "guard", {
                "instance": name, "missing": list(missing), "level": h.level, "reasons": list(h.reasons),
                "message": f"{name}: no data for {', '.join(missing)} (UNKNOWN: alarm only, never a switch)"}))
        elif not missing and self._alarmed.get(name):
            self._alarmed[name] = ()
            notes.append(Note("stream.alarm_cleared", "guard", {"instance": name}))
        return notes

    def _record_series(self, name: str) -> None:
        now = self.clock.monotonic()
        if now - self._last_series[name] < 0.5:
            return
        self._last_series[name] = now
        with self._lock:
            h = self.monitors[name].assess(now)
        self._series[name].append((now, h.values.get("bitrate_kbps"), h.values.get("congestion")))

    # ---- manual ------------------------------------------------------------------------------------
    def fail_over_now(self, actor: str = "operator", reason: str = "") -> bool:
        with self._lock:
            ok = self.machine.fail_over_now(self.clock.monotonic(), dict(self._health), actor, reason)
        self._evaluate()
        return ok

    def return_to_primary(self, actor: str = "operator", reason: str = "") -> bool:
        with self._lock:
            ok = self.machine.return_to_primary(self.clock.monotonic(), dict(self._health), actor, reason)
        self._evaluate()
        return ok

    def set_hold(self, on: bool, actor: str = "operator") -> None:
        with self._lock:
            self.machine.set_hold(self.clock.monotonic(), on, actor)
        self._evaluate()

    def restore(self, events) -> None:
        """Rebuild after a crash from journal events: were we on the backup?"""
        on_backup, last = False, None
        for ev in events:
            if ev.kind == "stream.failover":
                on_backup, last = True, dict(ev.payload)
            elif ev.kind == "stream.returned":
                on_backup, last = False, dict(ev.payload)
        with self._lock:
            self.machine.restore(on_backup, last)

    # ---- read side ---------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        with self._lock:
            return self._snapshot(self.clock.monotonic())

    def _utc(self, mono: float | None, now: float) -> str | None:
        if mono is None:
            return None
        return (self.clock.utcnow() - timedelta(seconds=now - mono)).isoformat(timespec="milliseconds")

    def _snapshot(self, now: float) -> dict[str, Any]:
        m = self.machine
        inst = {}
        for i in self.config.instances:
            h = self._health.get(i.name) or self.monitors[i.name].assess(now)
            d = h.as_dict()
            d.update(role=i.role, host=i.host, port=i.port, connected=self._conn[i.name]["connected"],
                     series=[(round(t - now, 2), k, c) for t, k, c in self._series[i.name]])
            inst[i.name] = d
        plan = m.plan
        last = dict(m.last_switch) if m.last_switch else None
        return {"configured": True, "state": m.state, "method": self.config.method, "active": m.active,
                "on_backup": m.on_backup, "hold": m.hold, "instances": inst, "last_switch": last,
                "fenced": sorted(m.fenced),
                "switching": None if plan is None else {"kind": plan.kind, "target": plan.target,
                                                        "elapsed_s": round(now - plan.started_at, 2)},
                "talk_track": self.config.stall_talk_track, "config": self.config.source,
                "probe": self._probe_state()}

    def _probe_state(self) -> dict[str, Any] | None:
        if self.probe is None:
            return None
        st = getattr(self.probe, "status", None)
        try:
            return dict(st()) if callable(st) else {"url": self._probe_url()}
        except Exception:  # noqa: BLE001 - the read side never fails because of the probe
            return {"url": self._probe_url()}

    # ---- journal, alerts ---------------------------------------------------------------------------
    def _masked(self, v: Any) -> Any:
        """Every URL in what the guard journals, logs or publishes goes through the one mask (and the stream
        keys, should an error message quote one)."""
        if isinstance(v, str):
            return mask_text(v, self._secrets) if "://" in v else v
        if isinstance(v, dict):
            return {k: self._masked(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [self._masked(x) for x in v]
        return v

    def _note(self, note: Note) -> None:
        payload = self._masked(dict(note.payload))
        now = self.clock.monotonic()
        for k in ("onset", "detected", "switched"):
            if f"{k}_mono" in payload:
                payload[f"{k}_at"] = self._utc(payload[f"{k}_mono"], now)
        if note.kind in ("stream.failover", "stream.returned"):
            with self._lock:
                if self.machine.last_switch is not None:
                    self.machine.last_switch.update({k: payload[k] for k in payload if k.endswith("_at")})
        if note.kind not in ("stream.command",):
            log.info("%s %s", note.kind, {k: v for k, v in payload.items() if k not in ("values",)})
        if self.journal is not None and self.session_id is not None:
            try:
                self.journal.append(self.session_id, note.kind, note.actor, payload)
            except Exception:
                log.exception("journal append %s failed", note.kind)
        elif self.bus is not None:
            self.bus.publish("stream.note", {"kind": note.kind, "actor": note.actor, "payload": payload})
        spec = _ALERTS.get(note.kind)
        if spec and self.alerts is not None:
            from controlroom.alerts import Alert
            rule, sev, title, cue = spec
            trig = payload.get("trigger") or {}
            detail = "; ".join(trig.get("reasons", [])) or payload.get("message", "") or payload.get("error", "")
            values = {k: payload[k] for k in ("detect_to_switch_ms", "onset_to_switch_ms", "method", "target")
                      if k in payload}
            try:
                self.alerts.raise_alert(Alert(rule=rule, severity=sev, title=title, detail=detail, values=values,
                                              source="stream", suggestion=self.config.stall_talk_track
                                              if note.kind == "stream.failover" else "", to_cue=cue))
            except Exception:
                log.exception("raising alert %s failed", rule)
