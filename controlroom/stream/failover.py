"""The failover state machine. Pure: fed healths and command results with `now`, it emits commands
(for the instance workers) and notes (for the journal). No threads, no I/O.

States: STANDBY (the primary is not on air: nothing to guard), ON_PRIMARY, FAILING_OVER, ON_BACKUP,
RETURNING. Never flaps: a failure must last from its onset hard_confirm_s when the evidence is HARD
(the OBS process gone, OBS's own RECONNECTING / unasked STOPPED: see signals.py) and hold_s when it
is only SOFT; automatic switches are at least min_switch_interval_s apart; returning is manual unless
auto_return, and then only after the primary has been HEALTHY for return_dwell_s. Manual hold blocks
every automatic switch; manual "fail over now" and "return" always run.

Never two encoders (method backup_encoder): the encoder a switch takes off the air (the primary on a
failover, the backup on a return) is FENCED until a switch puts it back. A fenced encoder is stopped
first thing whenever a connection to it opens again (`on_connected`: a frozen primary that thawed, an
unreachable one that came back) and whenever its output shows active — live or reconnecting, which is
OBS's auto-reconnect about to publish — at most every FENCE_RETRY_S. The guard journals and alerts.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from controlroom.stream.config import GuardConfig, Ingest
from controlroom.stream.signals import FAILED, HEALTHY, Health
from controlroom.stream.urls import mask_url

STANDBY, ON_PRIMARY, FAILING_OVER, ON_BACKUP, RETURNING = (
    "STANDBY", "ON_PRIMARY", "FAILING_OVER", "ON_BACKUP", "RETURNING")
FENCE_RETRY_S = 0.5     # a fenced encoder still on air is stopped again this often (a stop may not take)


@dataclass(frozen=True)
class Command:
    id: int
    instance: str
    op: str                       # stop | start | set_target | scene
    args: dict[str, Any] = field(default_factory=dict)   # set_target carries the key: never journal args

    def describe(self) -> str:
        if self.op == "set_target":
            return f"{self.instance}: stream to {mask_url(str(self.args.get('server')), (self.args.get('key'),))}"
        if self.op == "scene":
            return f"{self.instance}: program scene {self.args.get('scene')!r}"
        return f"{self.instance}: {self.op} stream"


@dataclass(frozen=True)
class Note:
    kind: str                     # journal kind, e.g. "stream.failover"
    actor: str
    payload: dict[str, Any]


@dataclass
class _Step:
    instance: str
    op: str
    args: dict[str, Any]
    optional: bool = False        # its failure does not fail the plan
    verify: str | None = None     # "live" | "stopped"
    cmd_id: int | None = None
    issued_at: float | None = None
    done_at: float | None = None
    ok: bool | None = None
    error: str = ""
    attempts: int = 0
    retry_at: float | None = None


@dataclass
class _Plan:
    kind: str                     # failover | return
    action: str                   # backup_encoder | backup_ingest | backup_scene
    steps: list[_Step]
    trigger: dict[str, Any]
    actor: str
    started_at: float
    detected_at: float
    onset_at: float
    target: str = ""
    rollback: bool = False
    idx: int = 0


class FailoverMachine:
    def __init__(self, config: GuardConfig):
        self.cfg = config
        self.th = config.thresholds
        self.state = STANDBY
        self.hold = False
        self.plan: _Plan | None = None
        self.last_switch: dict[str, Any] | None = None
        self.last_switch_at: float | None = None
        self.primary_ok_since: float | None = None
        self._ids = itertools.count(1)
        self._out: list[Command | Note] = []
        self._refused_episode: float | None = None   # onset of a fault we already said we cannot fix
        self._held_episode: float | None = None
        self._backup_fail_episode: float | None = None
        self.fenced: dict[str, float] = {}        # encoder -> when a switch took it off the air
        self._fence_stop_at: dict[str, float] = {}

    # ---- what others read ------------------------------------------------------------------------
    @property
    def on_backup(self) -> bool:
        return self.state in (ON_BACKUP, RETURNING)

    @property
    def active(self) -> str:
        if self.cfg.method == "backup_encoder" and self.state in (ON_BACKUP, RETURNING) and self.cfg.backup:
            return self.cfg.backup.name
        return self.cfg.primary.name

    def take(self) -> list[Command | Note]:
        out, self._out = self._out, []
        return out

    def restore(self, on_backup: bool, last_switch: dict[str, Any] | None) -> None:
        """After a crash: the journal said whether we were on the backup."""
        self.state = ON_BACKUP if on_backup else STANDBY
        self.last_switch = last_switch
        method = (last_switch or {}).get("method") or self.cfg.method
        if on_backup and method == "backup_encoder" and self.cfg.backup:
            self.fenced = {self.cfg.primary.name: float("-inf")}

    # ---- never two encoders ----------------------------------------------------------------------
    def on_connected(self, now: float, name: str) -> Command | None:
        """A connection to `name` just opened. A fenced encoder gets a stop before anything else is asked of
        it: a primary that froze (or dropped off the network) while we failed over may be publishing again."""
        if name not in self.fenced or self._plan_touches(name):
            return None
        return self._fence_stop(now, name, "answers again")

    def _fence_stop(self, now: float, name: str, why: str) -> Command:
        self._fence_stop_at[name] = now
        on_air = self.active if self.active != name else ""
        return Command(next(self._ids), name, "stop", {"fence": True, "why": why, "on_air": on_air})

    def _plan_touches(self, name: str) -> bool:
        return self.plan is not None and any(s.instance == name for s in self.plan.steps)

    def _check_fences(self, now: float, healths: dict[str, Health]) -> None:
        for name in list(self.fenced):
            h = healths.get(name)
            if h is None or not h.reachable or not h.active or self._plan_touches(name):
                continue
            if now - self._fence_stop_at.get(name, float("-inf")) < FENCE_RETRY_S:
                continue
            why = "reconnecting (OBS auto-reconnect)" if not h.live else "live"
            self._out.append(self._fence_stop(now, name, why))

    def _fence(self, now: float, off_air: str, on_air: str) -> None:
        """A backup_encoder switch begins: `off_air` must stay off until a switch puts it back."""
        self.fenced.pop(on_air, None)
        self._fence_stop_at.pop(off_air, None)
        self.fenced[off_air] = now

    # ---- manual ---------------------------------------------------------------------------------
    def set_hold(self, now: float, on: bool, actor: str) -> None:
        self.hold = on
        self._out.append(Note("stream.manual.hold", actor, {"on": on, "state": self.state}))

    def fail_over_now(self, now: float, healths: dict[str, Health], actor: str, reason: str = "") -> bool:
        payload = {"reason": reason, "state": self.state}
        if self.plan is not None or self.state == ON_BACKUP:
            payload["result"] = "refused: a switch is running" if self.plan else "refused: already on the backup"
            self._out.append(Note("stream.manual.fail_over", actor, payload))
            return False
        payload["result"] = "switching"
        self._out.append(Note("stream.manual.fail_over", actor, payload))
        h = healths.get(self.cfg.primary.name)
        self._begin_failover(now, h, actor, {"manual": True, "reason": reason}, cause="manual")
        return True

    def return_to_primary(self, now: float, healths: dict[str, Health], actor: str, reason: str = "") -> bool:
        payload = {"reason": reason, "state": self.state}
        if self.plan is not None or self.state != ON_BACKUP:
            payload["result"] = "refused: a switch is running" if self.plan else "refused: not on the backup"
            self._out.append(Note("stream.manual.return", actor, payload))
            return False
        payload["result"] = "returning"
        self._out.append(Note("stream.manual.return", actor, payload))
        self._begin_return(now, actor, {"manual": True, "reason": reason})
        return True

    # ---- feedback from the workers -------------------------------------------------------------
    def command_done(self, now: float, cmd_id: int, ok: bool, error: str = "") -> None:
        if self.plan is None:
            return
        for s in self.plan.steps:
            if s.cmd_id == cmd_id:
                s.ok, s.done_at, s.error = ok, now, error
                return

    # ---- the clock ticks ------------------------------------------------------------------------
    def step(self, now: float, healths: dict[str, Health]) -> None:
        prim = healths.get(self.cfg.primary.name)
        if prim is not None and prim.level == HEALTHY:
            if self.primary_ok_since is None:
                self.primary_ok_since = now
        else:
            self.primary_ok_since = None

        if self.fenced:
            self._check_fences(now, healths)
        if self.plan is not None:
            self._advance(now, healths)
            return
        if prim is None:
            return
        if self.state == STANDBY:
            if prim.live:
                self.state = ON_PRIMARY
                self._out.append(Note("stream.armed", "guard", {"instance": prim.instance}))
            return
        if self.state == ON_PRIMARY:
            if not prim.live and not prim.active and prim.level != FAILED:
                self.state = STANDBY         # stopped on purpose (STOPPING seen): nothing to guard
                self.fenced.clear()          # the show is over: what the operator does next is theirs
                self._out.append(Note("stream.disarmed", "guard", {"instance": prim.instance}))
                return
            tier = self._due(now, prim)
            if tier is not None:
                if self.hold:
                    if self._held_episode != prim.failed_since:
                        self._held_episode = prim.failed_since
                        self._out.append(Note("stream.held", "guard", {
                            "instance": prim.instance, "reasons": list(prim.reasons),
                            "message": "primary FAILED but manual hold is on: not switching"}))
                    return
                if self.last_switch_at is not None and now - self.last_switch_at < self.th.min_switch_interval_s:
                    return
                self._begin_failover(now, prim, "guard", {"instance": prim.instance, "level": prim.level,
                                                          "reasons": list(prim.reasons), "cause": prim.cause,
                                                          **self._tier_words(now, prim, tier)},
                                     cause=prim.cause or "ingest")
            return
        if self.state == ON_BACKUP:
            if self.hold:
                return
            spaced = self.last_switch_at is None or now - self.last_switch_at >= self.th.min_switch_interval_s
            bk = self.cfg.backup
            bh = healths.get(bk.name) if (bk and self.cfg.method == "backup_encoder") else None
            btier = self._due(now, bh) if bh is not None else None
            if btier is not None and prim.reachable and spaced:
                if self._backup_fail_episode != bh.failed_since:
                    self._backup_fail_episode = bh.failed_since
                    self._begin_return(now, "guard", {"instance": bh.instance, "reasons": list(bh.reasons),
                                                      "cause": "backup failed",
                                                      **self._tier_words(now, bh, btier)})
                return
            if self.th.auto_return and self.cfg.method != "backup_scene" and spaced \
                    and self.primary_ok_since is not None and now - self.primary_ok_since >= self.th.return_dwell_s:
                self._begin_return(now, "guard", {"auto_return": True,
                                                  "healthy_for_s": round(now - self.primary_ok_since, 1)})

    def _due(self, now: float, h: Health) -> str | None:
        """"hard" / "soft" when a FAILED health has lasted its tier's hold, else None."""
        if h.level != FAILED:
            return None
        if h.hard_since is not None and now - h.hard_since >= self.th.hard_confirm_s:
            return "hard"
        if h.failed_since is not None and now - h.failed_since >= self.th.hold_s:
            return "soft"
        return None

    def _tier_words(self, now: float, h: Health, tier: str) -> dict[str, Any]:
        since = h.hard_since if tier == "hard" else h.failed_since
        return {"tier": tier, "hold_s": self.th.hard_confirm_s if tier == "hard" else self.th.hold_s,
                "failed_for_s": round(now - since, 3)}

    # ---- plans ----------------------------------------------------------------------------------
    def _begin_failover(self, now: float, prim: Health | None, actor: str, trigger: dict[str, Any],
                        cause: str, rollback: bool = False) -> None:
        cfg, p = self.cfg, self.cfg.primary
        method = cfg.method
        if cause == "picture" and cfg.scenes.backup:
            method = "backup_scene"
        elif cause == "picture" and method == "backup_ingest":
            method = None
        elif cause in ("encoder_dead", "encoder_frozen") and method in ("backup_ingest", "backup_scene"):
            method = None                 # the same OBS cannot move anywhere if it does not answer
        elif cause not in ("picture", "manual") and method == "backup_scene":
            method = None                 # a backup scene does not fix a broken ingest
        onset = prim.failed_since if (prim and prim.failed_since is not None) else now
        detected = prim.detected_at if (prim and prim.detected_at is not None) else now
        if method is None:
            if self._refused_episode != onset:
                self._refused_episode = onset
                self._out.append(Note("stream.no_remedy", "guard", {
                    "trigger": trigger, "method": cfg.method, "cause": cause,
                    "message": f"no failover configured for a {cause} fault with method {cfg.method}"}))
            return
        steps: list[_Step] = []
        target = ""
        if method == "backup_encoder":
            b = cfg.backup
            reachable = bool(prim and prim.reachable)
            use_backup_ingest = (cause == "ingest" or not reachable) and b.backup_ingest is not None
            ing = b.backup_ingest if use_backup_ingest else b.ingest
            if reachable:
                # Same ingest and key (a drill from a healthy primary): the backup starts only once the
                # primary is seen stopped (or stop_verify_s passed), never two encoders on one key.
                # A different ingest need not wait: every ms counts when the primary's ingest broke.
                steps.append(_Step(p.name, "stop", {}, optional=True,
                                   verify="stopped" if same_target(p.ingest, ing) else None))
            if ing is not None:
                steps.append(_Step(b.name, "set_target", {"server": ing.url, "key": ing.resolved_key()},
                                   optional=True))
                target = ing.describe()
            steps.append(_Step(b.name, "start", {}, verify="live"))
        elif method == "backup_ingest":
            ing = p.backup_ingest
            steps += [_Step(p.name, "stop", {}, optional=True, verify="stopped"),
                      _Step(p.name, "set_target", {"server": ing.url, "key": ing.resolved_key()}),
                      _Step(p.name, "start", {}, verify="live")]
            target = ing.describe()
        else:
            steps.append(_Step(p.name, "scene", {"scene": cfg.scenes.backup}))
            target = f"scene {cfg.scenes.backup}"
        if method == "backup_encoder":
            self._fence(now, p.name, cfg.backup.name)
        self.plan = _Plan("failover", method, steps, trigger, actor, now, detected, onset, target, rollback)
        self.state = FAILING_OVER
        self._out.append(Note("stream.switching", actor, {
            "direction": "to_backup", "method": method, "target": target, "trigger": trigger,
            "steps": [f"{s.instance}: {s.op}" for s in steps]}))
        self._advance(now, {})

    def _begin_return(self, now: float, actor: str, trigger: dict[str, Any]) -> None:
        cfg, p = self.cfg, self.cfg.primary
        method = (self.last_switch or {}).get("method") or cfg.method
        steps: list[_Step] = []
        target = ""
        if method == "backup_encoder":
            b = cfg.backup
            steps.append(_Step(b.name, "stop", {}, optional=True, verify="stopped"))
            if p.ingest is not None:
                steps.append(_Step(p.name, "set_target", {"server": p.ingest.url, "key": p.ingest.resolved_key()},
                                   optional=True))
                target = p.ingest.describe()
            steps.append(_Step(p.name, "start", {}, verify="live"))
        elif method == "backup_ingest":
            steps.append(_Step(p.name, "stop", {}, optional=True, verify="stopped"))
            if p.ingest is not None:
                steps.append(_Step(p.name, "set_target", {"server": p.ingest.url, "key": p.ingest.resolved_key()}))
                target = p.ingest.describe()
            steps.append(_Step(p.name, "start", {}, verify="live"))
        else:
            if not cfg.scenes.program:
                self._out.append(Note("stream.no_remedy", actor, {
                    "trigger": trigger, "message": "no [scenes] program configured to return to"}))
                return
            steps.append(_Step(p.name, "scene", {"scene": cfg.scenes.program}))
            target = f"scene {cfg.scenes.program}"
        if method == "backup_encoder":
            self._fence(now, cfg.backup.name, p.name)
        self.plan = _Plan("return", method, steps, trigger, actor, now, now, now, target)
        self.state = RETURNING
        self._out.append(Note("stream.switching", actor, {"direction": "to_primary", "method": method,
                                                          "target": target, "trigger": trigger}))
        self._advance(now, {})

    def _issue(self, now: float, s: _Step) -> None:
        s.cmd_id, s.issued_at, s.ok, s.done_at, s.retry_at = next(self._ids), now, None, None, None
        s.attempts += 1
        self._out.append(Command(s.cmd_id, s.instance, s.op, dict(s.args)))

    def _advance(self, now: float, healths: dict[str, Health]) -> None:
        plan = self.plan
        while plan.idx < len(plan.steps):
            s = plan.steps[plan.idx]
            if s.cmd_id is None:
                self._issue(now, s)
                return
            if s.retry_at is not None:
                if now >= s.retry_at:
                    self._issue(now, s)
                return
            if s.ok is None:
                return
            if not s.ok:
                if s.optional:
                    plan.idx += 1
                    continue
                if s.op == "start" and s.attempts <= self.th.start_retries:
                    s.retry_at = now + min(0.25 * s.attempts, 1.0)
                    return
                self._finish(now, ok=False, error=f"{s.instance}: {s.op} failed: {s.error}")
                return
            h = healths.get(s.instance)
            if s.verify == "live":
                if h is not None and h.live and h.live_since is not None and h.live_since >= s.issued_at:
                    plan.idx += 1
                    continue
                failed_start = h is not None and h.stopped_at is not None and h.stopped_at >= s.issued_at
                if failed_start or now - s.done_at >= self.th.start_verify_s:
                    if s.attempts <= self.th.start_retries:
                        s.retry_at = now + (min(0.25 * s.attempts, 1.0) if failed_start else 0.0)
                        s.ok = True
                        if s.retry_at <= now:
                            self._issue(now, s)
                        return
                    self._finish(now, ok=False, error=f"{s.instance}: stream did not go live after"
                                                      f" {s.attempts} start attempts")
                return
            if s.verify == "stopped":
                if h is None or not h.active or not h.reachable or now - s.done_at >= self.th.stop_verify_s:
                    plan.idx += 1
                    continue
                return
            plan.idx += 1
        self._finish(now, ok=True)

    def _finish(self, now: float, ok: bool, error: str = "") -> None:
        plan, self.plan = self.plan, None
        attempts = {f"{s.instance}:{s.op}": s.attempts for s in plan.steps if s.attempts}
        payload = {"method": plan.action, "action": [s_desc(s) for s in plan.steps], "target": plan.target,
                   "trigger": plan.trigger, "attempts": attempts, "actor": plan.actor,
                   "onset_mono": plan.onset_at, "detected_mono": plan.detected_at, "switched_mono": now,
                   "detect_to_switch_ms": round((now - plan.detected_at) * 1000),
                   "onset_to_switch_ms": round((now - plan.onset_at) * 1000),
                   "talk_track": self.cfg.stall_talk_track, "rollback": plan.rollback}
        if plan.kind == "failover":
            if ok:
                self.state = ON_BACKUP
                self.last_switch_at = now
                self.last_switch = {"direction": "to_backup", **payload}
                self._out.append(Note("stream.failover", plan.actor, {**payload, "on_backup": True}))
            else:
                self.state = ON_PRIMARY
                self.last_switch_at = now     # a failed attempt also waits min_switch_interval_s
                self.fenced.pop(self.cfg.primary.name, None)   # the backup never went live: the primary is all
                self._out.append(Note("stream.failover_failed", plan.actor, {**payload, "error": error}))
        else:
            if ok:
                self.state = ON_PRIMARY
                self.last_switch_at = now
                self.last_switch = {"direction": "to_primary", **payload, "method": plan.action}
                self._out.append(Note("stream.returned", plan.actor, {**payload, "on_backup": False}))
            else:
                self._out.append(Note("stream.return_failed", plan.actor, {**payload, "error": error}))
                # the backup may already be stopped: put it back on air at once (part of the same switch)
                self.state = ON_PRIMARY
                self._begin_failover(now, None, "guard", {"return_failed": error}, cause="manual", rollback=True)


def same_target(a: Ingest | None, b: Ingest | None) -> bool:
    """Would two encoders publish on the same ingest and key? Unknown (None) counts as the same."""
    if a is None or b is None:
        return True
    return a.url.rstrip("/") == b.url.rstrip("/") and a.resolved_key() == b.resolved_key()


def s_desc(s: _Step) -> str:
    out = Command(0, s.instance, s.op, s.args).describe()
    return out + ("" if s.ok else f" (failed: {s.error})" if s.ok is False and s.error else "")
