"""Health of one OBS instance from what the guard observed. Pure: every method takes `now` (monotonic).

Each signal keeps the ONSET of its current failure (`since`), so the failover hold is measured from
when the fault began (the send time of the first unanswered request, the last reading where bytes
still grew), not from when a poll happened to notice it. Missing figures are UNKNOWN: they raise an
alarm but never count as a failure (NOALBS #125: false switches on briefly missing stats).

Two tiers of FAILED (issue 13). HARD evidence is what a blip cannot produce: the OBS process gone
(a connection refused; the connection closed by OBS and a reconnect not answered either) and OBS's
own output events RECONNECTING or STOPPED-without-STOPPING (the ingest dropped or refused the
stream; OBS's reconnect gave up). `Health.hard_since` carries its onset and the failover waits only
`hard_confirm_s`. Everything else is SOFT (timeouts: a frozen OBS may thaw; congestion, dropped
frames, flat bytes, a probe stall, an output not active in a poll that may race an operator's
stop) and waits `hold_s`.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from controlroom.stream.config import Thresholds
from controlroom.stream.ports import StreamEvent, StreamStatus

HEALTHY, DEGRADED, FAILED, UNKNOWN, IDLE = "HEALTHY", "DEGRADED", "FAILED", "UNKNOWN", "IDLE"
_RANK = {IDLE: -1, HEALTHY: 0, UNKNOWN: 1, DEGRADED: 2, FAILED: 3}
SIGNALS = ("link", "output", "bitrate", "congestion", "frames", "render", "picture", "probe")
# which remedy a failing signal calls for
CAUSE = {"output": "ingest", "bitrate": "ingest", "congestion": "ingest", "frames": "ingest",
         "probe": "ingest", "picture": "picture"}


@dataclass(frozen=True)
class Signal:
    name: str
    level: str
    word: str                      # short, for people: "live", "reconnecting", "frozen 1.2 s", "412 kbps"
    value: float | None = None
    since: float | None = None     # onset of the current failure (monotonic), FAILED only
    hard: bool = False             # FAILED on evidence a blip cannot produce (see the module doc)


@dataclass(frozen=True)
class Health:
    instance: str
    level: str
    reasons: tuple[str, ...]
    signals: dict[str, Signal]
    values: dict[str, Any]
    failed_since: float | None = None   # earliest onset among FAILED signals
    detected_at: float | None = None    # when this FAILED episode was first classified
    cause: str | None = None            # encoder_dead | encoder_frozen | ingest | picture
    reachable: bool = False
    active: bool = False                # OBS's output is running (may be reconnecting)
    live: bool = False                  # running, not reconnecting
    live_since: float | None = None
    stopped_at: float | None = None     # last STREAM_STOPPED seen
    missing: tuple[str, ...] = ()
    hard_since: float | None = None     # earliest onset among HARD FAILED signals (None: only soft evidence)

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "reasons": list(self.reasons), "values": dict(self.values),
                "cause": self.cause, "hard": self.hard_since is not None, "reachable": self.reachable,
                "live": self.live, "active": self.active,
                "missing": list(self.missing),
                "signals": {n: {"level": s.level, "word": s.word, "value": s.value} for n, s in self.signals.items()}}


def worst(levels) -> str:
    out = IDLE
    for lv in levels:
        if _RANK[lv] > _RANK[out]:
            out = lv
    return HEALTHY if out == IDLE else out


class HealthMonitor:
    """Observations in, `assess(now)` out. Not thread-safe: the guard serialises calls."""

    def __init__(self, name: str, thresholds: Thresholds, probe: bool = False):
        self.name = name
        self.th = thresholds
        self.probe_enabled = probe
        # link
        self._link = "unknown"              # unknown | ok | frozen | dead
        self._link_since: float | None = None
        self._link_closed = False           # OBS closed the connection (not our discarding after a timeout)
        self._link_hard = False             # ... and it did not answer again (refused, or no answer)
        self._link_detail = ""
        self._last_answer: float | None = None
        # output
        self._status: StreamStatus | None = None
        self._status_at: float | None = None
        self._last_event_at = float("-inf")
        self._active = False
        self._reconnecting_since: float | None = None
        self._reconnect_clear_bytes: int | None = None
        self.expect_live = False
        self._stopping = False
        self._stopped_unexpected_since: float | None = None
        self._not_active_since: float | None = None
        self._live_since: float | None = None
        self._stopped_at: float | None = None
        # bytes / frames
        self._bytes: deque[tuple[float, int]] = deque()
        self._last_growth: float | None = None
        self._resets = 0
        self._frames: deque[tuple[float, int, int]] = deque()
        self._render: deque[tuple[float, int, int]] = deque()
        self._congestion_since: float | None = None
        self._drops_since: float | None = None
        # picture
        self._fp_enabled = thresholds.screenshot_interval_s > 0
        self._fp: bytes | None = None
        self._fp_seen = False
        self._fp_missing = False
        self._black_since: float | None = None
        self._frozen_since: float | None = None
        self._frozen_ref: bytes | None = None
        self._luma: float | None = None
        self._fp_at: float | None = None
        # probe
        self._probe_last_frame: float | None = None
        self._probe_seen = False
        self._probe_started: float | None = None
        self._probe_error: str | None = None
        # episode
        self._detected_at: float | None = None
        self._born: float | None = None       # first assessment: the start-up grace for "not seen yet"

    # ---- observations: the link ----------------------------------------------------------------
    def answered(self, sent_at: float, now: float) -> None:
        self._link, self._link_since, self._link_detail = "ok", None, ""
        self._link_closed = self._link_hard = False
        self._last_answer = now

    def timed_out(self, sent_at: float, now: float, detail: str = "") -> None:
        """A request sent at sent_at got no answer: OBS frozen, overloaded, or the link stalled (soft).
        After OBS closed the connection, no answer to the reconnect is the second half of HARD evidence."""
        if self._link_closed:
            self._fail_link("dead", sent_at, detail or "closed, and the reconnect is not answered")
            self._link_hard = True
            return
        self._fail_link("frozen", sent_at, detail or "request timed out")

    def unavailable(self, sent_at: float, now: float, detail: str = "", closed: bool = False) -> None:
        """The connection is lost or could not be opened: soft. `closed`: OBS closed or reset an open
        connection — then a reconnect that is refused or not answered makes it HARD."""
        self._fail_link("dead", sent_at, detail or "connection lost")
        if closed:
            self._link_closed = True

    def refused(self, sent_at: float, now: float, detail: str = "") -> None:
        """A connect was refused: nothing listens on OBS's port any more. HARD: the process is gone."""
        self._fail_link("dead", sent_at, detail or "connection refused")
        self._link_closed = self._link_hard = True

    def _fail_link(self, kind: str, at: float, detail: str) -> None:
        if self._link not in ("frozen", "dead"):
            self._link_since = at
        elif self._link_since is None or at < self._link_since:
            self._link_since = at
        self._link, self._link_detail = kind, detail

    # ---- observations: OBS ---------------------------------------------------------------------
    def event(self, now: float, ev: StreamEvent) -> None:
        k = ev.kind
        self._last_event_at = now
        if k == "STREAM_STARTED":
            self._active, self._stopping = True, False
            self._reconnecting_since = None
            self._stopped_unexpected_since = None
            self._not_active_since = None
            self.expect_live = True
        elif k == "STREAM_RECONNECTING":
            self._active = True
            if self._reconnecting_since is None:
                self._reconnecting_since = now
            self._reconnect_clear_bytes = None
        elif k == "STREAM_RECONNECTED":
            self._reconnecting_since = None
            self._bytes.clear()
            self._last_growth = now
        elif k == "STREAM_STOPPING":
            self._stopping = True            # someone stopped it on purpose (operator, or us)
        elif k == "STREAM_STOPPED":
            self._active = False
            self._reconnecting_since = None
            self._stopped_at = now
            if self.expect_live and not self._stopping:
                # no STOPPING first: reconnect gave up, or a start failed (OBS does not retry)
                if self._stopped_unexpected_since is None:
                    self._stopped_unexpected_since = now
            else:
                self.expect_live = False
            self._stopping = False
        elif k in ("EVENTS_LOST", "EXIT_STARTED"):
            self._fail_link("dead", now, "OBS exited" if k == "EXIT_STARTED" else "event connection lost")
            self._link_closed = True
        self._update_live(now)

    def status(self, sent_at: float, now: float, st: StreamStatus) -> None:
        self.answered(sent_at, now)
        self._status, self._status_at = st, now
        if sent_at >= self._last_event_at:   # a reading sent before a newer event is stale for on/off
            if st.output_active and not self._active:
                self._active = True
                self._stopped_unexpected_since = None
            elif not st.output_active and self._active:
                self._active = False
                self._reconnecting_since = None
            if st.output_reconnecting and self._reconnecting_since is None:
                self._reconnecting_since = sent_at
        if not st.output_active and self.expect_live:
            if self._not_active_since is None:
                self._not_active_since = sent_at
        else:
            self._not_active_since = None
        b = st.output_bytes
        if b is not None:
            if self._bytes and b < self._bytes[-1][1]:
                self._bytes.clear()          # reset to 0 by a reconnect: not a crash, a new count
                self._resets += 1
                self._last_growth = now
            elif not self._bytes or b > self._bytes[-1][1] or self._last_growth is None:
                if self._bytes and b > self._bytes[-1][1] and self._reconnecting_since is not None \
                        and not st.output_reconnecting and sent_at > self._reconnecting_since:
                    # fallback if RECONNECTED was missed: growth after the onset, and OBS says not reconnecting
                    if self._reconnect_clear_bytes is not None and b > self._reconnect_clear_bytes:
                        self._reconnecting_since = None
                    self._reconnect_clear_bytes = b
                self._last_growth = now
            self._bytes.append((now, b))
            while len(self._bytes) > 2 and self._bytes[1][0] <= now - self.th.bitrate_window_s:
                self._bytes.popleft()
        self._window(self._frames, now, st.output_skipped_frames, st.output_total_frames)
        self._window(self._render, now, st.render_skipped_frames, st.render_total_frames)
        c = st.output_congestion
        if c is not None and c >= self.th.congestion_fail:
            if self._congestion_since is None:
                self._congestion_since = now
        else:
            self._congestion_since = None
        self._update_live(now)

    def _window(self, dq: deque, now: float, skipped: int | None, total: int | None) -> None:
        if skipped is None or total is None:
            return
        if dq and (total < dq[-1][2] or skipped < dq[-1][1]):
            dq.clear()                       # counters restart after a reconnect
        dq.append((now, skipped, total))
        while len(dq) > 2 and dq[1][0] <= now - self.th.frame_window_s:
            dq.popleft()

    def fingerprint(self, now: float, fp: bytes | None) -> None:
        if fp is None or len(fp) == 0:
            self._fp_missing = True
            return
        self._fp_missing, self._fp_seen = False, True
        luma = sum(fp) / len(fp)
        self._luma = luma
        if luma <= self.th.black_luma:
            if self._black_since is None:
                self._black_since = now
        else:
            self._black_since = None
        if self._frozen_ref is not None and len(self._frozen_ref) == len(fp) and \
                max(abs(a - b) for a, b in zip(fp, self._frozen_ref)) <= self.th.frozen_tolerance:
            if self._frozen_since is None:
                self._frozen_since = self._fp_at if self._fp_at is not None else now
        else:
            self._frozen_since = None
            self._frozen_ref = fp
        self._fp = fp
        self._fp_at = now

    def probe(self, now: float, frame_at: float | None) -> None:
        """Viewer-side check: the monotonic time of the last frame the probe received (None: none yet)."""
        if self._probe_started is None:
            self._probe_started = now
        self._probe_seen = True
        self._probe_error = None
        if frame_at is not None and (self._probe_last_frame is None or frame_at > self._probe_last_frame):
            self._probe_last_frame = frame_at

    def probe_unavailable(self, now: float, detail: str) -> None:
        """The probe cannot run at all (e.g. ffmpeg missing): UNKNOWN, an alarm, never a switch."""
        self._probe_error = detail or "probe unavailable"

    def set_expect_live(self, on: bool) -> None:
        """The guard says whether this instance should be on air (it is about to stop or start it)."""
        self.expect_live = on
        if not on:
            self._stopped_unexpected_since = None
            self._not_active_since = None

    def _update_live(self, now: float) -> None:
        live = self._active and self._reconnecting_since is None and self._link == "ok"
        if live and self._live_since is None:
            self._live_since = now
            self.expect_live = True          # it went on air (OBS's own button, or our start): guard it
        elif not live:
            self._live_since = None

    # ---- assessment ----------------------------------------------------------------------------
    def assess(self, now: float) -> Health:
        th = self.th
        sig: dict[str, Signal] = {}
        values: dict[str, Any] = {}
        st = self._status
        link_ok = self._link == "ok"
        if self._link == "unknown":
            sig["link"] = Signal("link", UNKNOWN, "not connected yet")
        elif link_ok:
            sig["link"] = Signal("link", HEALTHY, "answering")
        else:
            dur = now - (self._link_since or now)
            word = ("frozen: no answer" if self._link == "frozen" else "lost") + f" {dur:.1f} s"
            sig["link"] = Signal("link", FAILED, word, round(dur, 3), self._link_since,
                                 hard=self._link_hard and self._link == "dead")
        values["link"] = self._link

        active = self._active
        if not link_ok or st is None:
            for n in ("output", "bitrate", "congestion", "frames", "render"):
                sig[n] = Signal(n, UNKNOWN if link_ok else IDLE, "no data" if link_ok else "—")
        else:
            # output
            if self._reconnecting_since is not None:
                d = now - self._reconnecting_since
                sig["output"] = Signal("output", FAILED, f"reconnecting {d:.1f} s", round(d, 3),
                                       self._reconnecting_since, hard=True)
            elif self.expect_live and (self._stopped_unexpected_since is not None or self._not_active_since):
                since = min(x for x in (self._stopped_unexpected_since, self._not_active_since) if x is not None)
                # OBS's own STOPPED without STOPPING is hard; a poll saying "not active" alone is not
                sig["output"] = Signal("output", FAILED, "stopped", round(now - since, 3), since,
                                       hard=self._stopped_unexpected_since is not None)
            elif active:
                sig["output"] = Signal("output", HEALTHY, "live")
            else:
                sig["output"] = Signal("output", IDLE, "standby")
            # bitrate
            kbps = None
            if len(self._bytes) >= 2 and self._bytes[-1][0] > self._bytes[0][0]:
                (t0, b0), (t1, b1) = self._bytes[0], self._bytes[-1]
                kbps = (b1 - b0) * 8 / 1000 / (t1 - t0)
            values["bitrate_kbps"] = None if kbps is None else round(kbps, 1)
            if not active:
                sig["bitrate"] = Signal("bitrate", IDLE, "—")
            elif st.output_bytes is None:
                sig["bitrate"] = Signal("bitrate", UNKNOWN, "no data")
            elif self._reconnecting_since is not None:
                sig["bitrate"] = Signal("bitrate", DEGRADED, "reconnecting", kbps)
            elif self._last_growth is not None and now - self._last_growth >= th.bytes_flat_s:
                d = now - self._last_growth
                sig["bitrate"] = Signal("bitrate", FAILED, f"flat {d:.1f} s", 0.0, self._last_growth)
            elif kbps is None:
                sig["bitrate"] = Signal("bitrate", HEALTHY, "measuring")
            elif th.min_bitrate_kbps > 0 and kbps < th.min_bitrate_kbps:
                sig["bitrate"] = Signal("bitrate", DEGRADED, f"low {kbps:.0f} kbps", kbps)
            else:
                sig["bitrate"] = Signal("bitrate", HEALTHY, f"{kbps:.0f} kbps", kbps)
            values["bytes_flat_s"] = None if self._last_growth is None or not active else \
                round(now - self._last_growth, 3)
            values["output_bytes"] = st.output_bytes
            values["bytes_resets"] = self._resets
            # congestion
            c = st.output_congestion
            values["congestion"] = c
            if not active:
                sig["congestion"] = Signal("congestion", IDLE, "—", c)
            elif c is None:
                sig["congestion"] = Signal("congestion", UNKNOWN, "no data")
            elif self._congestion_since is not None:
                sig["congestion"] = Signal("congestion", FAILED, f"{c:.2f}", c, self._congestion_since)
            elif c >= th.congestion_warn:
                sig["congestion"] = Signal("congestion", DEGRADED, f"{c:.2f}", c)
            else:
                sig["congestion"] = Signal("congestion", HEALTHY, f"{c:.2f}", c)
            # dropped frames (rolling window, not cumulative)
            pct = _pct(self._frames)
            values["drop_pct"] = None if pct is None else round(pct, 2)
            if not active:
                sig["frames"] = Signal("frames", IDLE, "—")
            elif st.output_skipped_frames is None or st.output_total_frames is None:
                sig["frames"] = Signal("frames", UNKNOWN, "no data")
            elif pct is None:
                sig["frames"] = Signal("frames", HEALTHY, "measuring")
            elif pct >= th.frame_drop_fail_pct:
                if self._drops_since is None:
                    self._drops_since = now
                sig["frames"] = Signal("frames", FAILED, f"{pct:.1f} % dropped", pct, self._drops_since)
            elif pct >= th.frame_drop_warn_pct:
                sig["frames"] = Signal("frames", DEGRADED, f"{pct:.1f} % dropped", pct)
            else:
                sig["frames"] = Signal("frames", HEALTHY, f"{pct:.1f} % dropped", pct)
            if sig["frames"].level != FAILED:
                self._drops_since = None
            # render lag (never a reason to switch: the backup would not render better)
            rpct = _pct(self._render)
            values["render_skip_pct"] = None if rpct is None else round(rpct, 2)
            values["render_ms"] = st.average_frame_render_time
            values["fps"] = st.active_fps
            if st.render_skipped_frames is None or st.render_total_frames is None:
                sig["render"] = Signal("render", UNKNOWN, "no data")
            elif rpct is not None and rpct >= th.render_lag_warn_pct:
                sig["render"] = Signal("render", DEGRADED, f"{rpct:.1f} % lagged", rpct)
            else:
                sig["render"] = Signal("render", HEALTHY, "ok" if rpct is None else f"{rpct:.1f} % lagged", rpct)

        # picture
        if self._fp_enabled:
            values["luma"] = None if self._luma is None else round(self._luma, 1)
            if not link_ok:
                sig["picture"] = Signal("picture", IDLE, "—")
            elif self._fp_missing or not self._fp_seen:
                sig["picture"] = Signal("picture", UNKNOWN, "no screenshot")
            elif self._black_since is not None and th.black_after_s > 0 and now - self._black_since >= th.black_after_s:
                d = now - self._black_since
                sig["picture"] = Signal("picture", FAILED, f"black {d:.0f} s", d, self._black_since)
            elif self._frozen_since is not None and th.frozen_after_s > 0 and \
                    now - self._frozen_since >= th.frozen_after_s:
                d = now - self._frozen_since
                sig["picture"] = Signal("picture", FAILED, f"frozen {d:.0f} s", d, self._frozen_since)
            elif self._black_since is not None:
                sig["picture"] = Signal("picture", DEGRADED, "black")
            else:
                sig["picture"] = Signal("picture", HEALTHY, "moving" if self._frozen_since is None else "still")

        # viewer-side probe
        if self.probe_enabled:
            last = self._probe_last_frame
            if not active or not link_ok:
                sig["probe"] = Signal("probe", IDLE, "—")
            elif self._probe_error:
                sig["probe"] = Signal("probe", UNKNOWN, self._probe_error)
            elif not self._probe_seen:
                sig["probe"] = Signal("probe", UNKNOWN, "no probe yet")
            elif last is None:
                # Never a frame yet: the probe may still be joining (keyframe interval, CDN delay) or
                # the URL may be wrong. Missing data: an alarm, never a switch.
                sig["probe"] = Signal("probe", UNKNOWN, "no frame yet")
            else:
                ref = last
                gap = now - ref
                values["probe_gap_s"] = round(gap, 3)
                if gap >= th.probe_stall_s and (self._live_since is None or now - self._live_since >= th.probe_stall_s):
                    sig["probe"] = Signal("probe", FAILED, f"no frames {gap:.1f} s", gap, ref)
                else:
                    sig["probe"] = Signal("probe", HEALTHY, "frames arriving", gap)

        return self._classify(now, sig, values, active)

    def _classify(self, now: float, sig: dict[str, Signal], values: dict[str, Any], active: bool) -> Health:
        failed = [s for s in sig.values() if s.level == FAILED]
        if self._born is None:
            self._born = now
        # "not connected yet" / "no screenshot yet" right after the start is not missing data: no alarm (and no
        # webhook) at every guard start; the same after the first connection's grace is worth an alarm
        th = self.th
        grace = now - self._born < th.request_timeout_s + th.poll_interval_s + th.screenshot_interval_s + 0.5
        pending = {"link"} if self._link == "unknown" else set()
        if not self._fp_seen and not self._fp_missing:
            pending.add("picture")
        missing = tuple(n for n, s in sig.items() if s.level == UNKNOWN and not (grace and n in pending))
        if sig["link"].level == FAILED:
            level = FAILED
            cause = "encoder_frozen" if self._link == "frozen" else "encoder_dead"
            failed = [sig["link"]]
        elif sig["link"].level == UNKNOWN:
            level, cause = UNKNOWN, None
        else:
            level = worst(s.level for s in sig.values())
            cause = next((CAUSE[s.name] for s in failed if s.name in CAUSE), None)
        reasons = tuple(f"{s.name}: {s.word}" for s in sig.values() if s.level in (FAILED, DEGRADED, UNKNOWN))
        failed_since = min((s.since for s in failed if s.since is not None), default=None)
        hard_since = min((s.since for s in failed if s.hard and s.since is not None), default=None)
        if level == FAILED:
            if self._detected_at is None:
                self._detected_at = now
        else:
            self._detected_at = None
        live = active and self._reconnecting_since is None and self._link == "ok"
        return Health(self.name, level, reasons, sig, values, failed_since if level == FAILED else None,
                      self._detected_at, cause if level == FAILED else None, self._link == "ok", active, live,
                      self._live_since if live else None, self._stopped_at, missing,
                      hard_since if level == FAILED else None)


def _pct(dq: deque) -> float | None:
    if len(dq) < 2:
        return None
    (_, s0, t0), (_, s1, t1) = dq[0], dq[-1]
    if t1 <= t0:
        return None
    return 100.0 * (s1 - s0) / (t1 - t0)
