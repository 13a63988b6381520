"""The metrics room: polls the platform once a second on a worker thread, journals the samples in
batches, keeps the in-memory series, computes KPIs, evaluates the alert rules and publishes
"metrics.update" (a KpiReport) on the bus.

Journal: samples (room metrics every poll under their MetricsSnapshot field names, sku NULL;
per-SKU counters as "sku.<field>" with the sku set, written when they change), and
"metrics.alert_cleared" events when a rule's condition has recovered, "metrics.rebased" when the
platform's counters fell (rebase.py: what is recorded and shown never goes backwards).
Bus: "metrics.update" (KpiReport), "metrics.alert_cleared", "metrics.poll_failed",
"metrics.previous" (the previous show's series became available).

Resume (kill -9, then the same session again): the series, the per-SKU figures, the offsets of the last
rebase, the segments and the markers come back from the journal, placed on this process's monotonic
clock by their UTC time (monotonic clocks restart with a reboot). The alert rules get their state back by
running once more over the journaled samples of the last minutes (raising and clearing nothing), then
taking the journal's word for what is raised, cleared and when: a rule half-way through its sustain time
carries on where it was. The next poll follows at once; a hole longer than `gap_s` is a break (live.py).

Samples are queued in the journal (`Journal.queue_samples`) and committed with its next write of any kind
or every `journal_batch_s`: the journal never keeps an event and loses a sample taken before it.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import asdict, dataclass, is_dataclass, replace
from datetime import datetime, timezone

from controlroom.journal import Sample
from controlroom.metrics.alert_rules import AlertEngine, AlertSettings
from controlroom.metrics.history import (Marker, SeriesData, marker_from_event, previous_series, read_series,
                                         segment_starts, sku_rows)
from controlroom.metrics.kpi import Segment, SegmentKpis, segment_kpis
from controlroom.metrics.live import KpiReport, LiveMetrics
from controlroom.metrics.rebase import REBASED, CounterRebase, sku_metrics
from controlroom.metrics.series import ROOM_METRICS, SKU_METRICS, SKU_PREFIX, SeriesStore
from controlroom.metrics.targets import Targets, load_targets, targets_from_show
from controlroom.platform import MetricsSnapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MetricsSettings:
    interval_s: float = 1.0          # platform poll period
    journal_batch_s: float = 5.0     # samples are written in one transaction this often
    buffer_rows: int = 43_200        # in-memory rows before old history is thinned (12 h at 1 Hz)
    markers_max: int = 5_000
    gap_s: float = 10.0              # a hole in the samples longer than this (and than 3 polls) is a break


class MetricsService:
    def __init__(self, rt, *, start_worker: bool = True):
        self.rt = rt
        self.settings: MetricsSettings = rt.settings.section("metrics", MetricsSettings)
        self.alert_settings: AlertSettings = rt.settings.section("alerts", AlertSettings)
        # show.toml was read and checked once, when the runtime was made (controlroom.show)
        self.targets: Targets = targets_from_show(rt.show) if rt.show is not None else load_targets(rt.show_dir)
        self.gap_s = max(self.settings.gap_s, 3 * self.settings.interval_s)
        self.store = SeriesStore(self.settings.buffer_rows, max_hold_s=self.gap_s)
        self.live = LiveMetrics(self.store, self.targets, interval_s=self.settings.interval_s)
        self.rebase = CounterRebase()
        self.engine = AlertEngine(self.alert_settings, self._raise, self._cleared,
                                  category_uv_value=self.targets.uv_value, sold_out=self._sold_out)
        self.report: KpiReport | None = None
        self.previous: SeriesData | None = None
        self.session_id: int | None = None
        self.failures = 0
        self._markers: deque[Marker] = deque(maxlen=self.settings.markers_max)
        self._segments: list[tuple[float, str, str]] = []
        self._last_flush: float | None = None
        self._sku_journaled: dict[str, tuple[int, ...]] = {}
        self._ingest_lock = threading.RLock()
        self._paused = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._want_worker = start_worker
        self._view_lock = threading.Lock()   # markers / alert log: written by bus threads, read by the GUI
        self._alerts: deque[dict] = deque(maxlen=500)
        self._acked: set[str] = set()
        self._unsubs = [rt.bus.subscribe(self._on_journal_event, "journal."),
                        rt.bus.subscribe(self._on_alert, "alert.")]

    # ---- wiring -------------------------------------------------------------------------------
    def _sold_out(self, sku: str) -> bool:
        console = self.rt.console
        return console is not None and console.sold_out(sku)

    def _raise(self, alert):
        return self.rt.alerts.raise_alert(alert)

    def _cleared(self, rule: str, key: str, alert_id: str) -> None:
        payload = {"rule": rule, "key": key, "alert_id": alert_id}
        if self.session_id is not None:
            self.rt.journal.append(self.session_id, "metrics.alert_cleared", "metrics", payload)
        self.rt.bus.publish("metrics.alert_cleared", payload)

    # ---- session life cycle -------------------------------------------------------------------
    def on_session(self, session_id: int, resumed: bool) -> None:
        with self._ingest_lock:
            self.flush()
            self.session_id = session_id
            self._paused = False
            self.store.clear()
            with self._view_lock:
                self._markers.clear()
                self._alerts.clear()
                self._acked.clear()
                self._segments = []
            self._sku_journaled = {}
            self._last_flush = None
            self.report = None
            self.previous = None
            self.live.start_mono = None
            self.live.breaks = []
            self.rebase.reset()
            self.engine.states.clear()
            self._rebuild(session_id)
        if self._want_worker:
            self.start()
        # the previous show is read off the GUI thread (it may be 12 hours of samples)
        threading.Thread(target=self._load_previous, args=(session_id,), name="metrics-previous",
                         daemon=True).start()

    def _rebuild(self, session_id: int) -> None:
        """Everything the room shows, from the journal (a new session has nothing yet)."""
        clock = self.rt.clock
        now_mono, now_utc = clock.monotonic(), clock.utcnow().timestamp()

        def here(utc: float) -> float:   # a journaled instant on this process's monotonic clock
            return now_mono - (now_utc - utc)

        events = self.rt.journal.events(session_id)
        raised: dict[str, tuple] = {}
        cleared: dict[str, float] = {}
        rebased = None
        for ev in events:
            at = here(ev.utc.timestamp())
            m = marker_from_event(ev)
            if m:
                self._markers.append(replace(m, mono=at))
            if ev.kind == "alert.raised":
                self._alerts.append(_alert_row({**ev.payload, "alert_id": f"A{ev.seq}"}, ev.utc.timestamp()))
            elif ev.kind == "alert.acked" and ev.payload.get("alert_id"):
                self._acked.add(ev.payload["alert_id"])
            if ev.kind == "alert.raised" and ev.payload.get("source") == "metrics":
                raised[f"A{ev.seq}"] = (ev.payload.get("rule"), ev.payload.get("sku") or
                                        _key_from_values(ev.payload), at)
            elif ev.kind == "metrics.alert_cleared" and ev.payload.get("alert_id"):
                cleared[ev.payload["alert_id"]] = at
            elif ev.kind == REBASED:
                rebased = ev.payload
                if ev.payload.get("reason") == "restart":
                    self.live.add_break(at)
            elif ev.kind == "session.started":
                self.live.start_mono = at
            elif ev.kind == "session.ended":
                self._paused = True
        self._segments = [(here(ev.utc.timestamp()), label, sid)
                          for ev in events for _m, label, sid in segment_starts([ev])]
        data = read_series(self.rt.journal, session_id)
        if data is None:
            return
        monos = now_mono - (now_utc - data.utc)
        horizon = monos[-1] - self._replay_s()
        # The journal's alert facts before the replay window; the rules run over the window; then the facts.
        self._restore_alerts(raised, cleared, until=horizon)
        for u in data.restarts_utc:   # counters that fell in a journal written before the rebase rule
            self.live.add_break(here(u))
        keep_from = monos[-1] - max(self.store.sku_history_s, self._replay_s())
        skus_at = _SkuReplay(sku_rows(self.rt.journal, session_id, data.restarts_utc),
                             lambda mono: now_utc - (now_mono - mono), keep_from=keep_from)
        cols = [data.values[m] for m in ROOM_METRICS]
        for i in range(len(monos)):
            mono = float(monos[i])
            skus = skus_at.at(mono)
            snap = MetricsSnapshot(**{m: int(c[i]) for m, c in zip(ROOM_METRICS, cols)}, skus=skus or {})
            self._append(snap, mono, float(data.utc[i]))
            if mono >= horizon:
                self._evaluate(quiet=True)
        self._restore_alerts(raised, cleared, until=None)
        last = skus_at.latest()
        self.store.latest_skus = {s: sku_metrics(s, v) for s, v in last.items()}
        self._sku_journaled = {s: tuple(int(v.get(f, 0)) for f in SKU_METRICS) for s, v in last.items()}
        self.rebase.restore(rebased, self.store.last().values, last)
        self.report = self.live.report()

    def _replay_s(self) -> float:
        """How far back the alert rules must run again to be where they were: their longest look back."""
        a = self.alert_settings
        return (max(a.conversion_window_s, 2 * a.gmv_window_s, a.sku_window_s, a.viewers_window_s)
                + max(a.conversion_sustain_s, a.gmv_sustain_s, a.sku_sustain_s, a.viewers_sustain_s,
                      a.uv_value_sustain_s, a.clear_sustain_s) + 60.0)

    def _restore_alerts(self, raised: dict[str, tuple], cleared: dict[str, float], until: float | None) -> None:
        for alert_id, (rule, key, at) in raised.items():
            if not rule or (until is not None and at > until):
                continue
            gone = alert_id in cleared and (until is None or cleared[alert_id] <= until)
            st = self.engine.states.get((rule, key or ""))
            if until is None and st is not None:
                st.last_raised = None   # the journal's time, not the replay's
            self.engine.restore(rule, key or "", at, not gone, alert_id)

    def _load_previous(self, session_id: int) -> None:
        try:
            prev = previous_series(self.rt.journal, session_id)
        except Exception:
            log.exception("could not read the previous show's samples")
            return
        if self.session_id == session_id:
            self.previous = prev
            if prev is not None:
                self.rt.bus.publish("metrics.previous", {"session_id": prev.session_id, "title": prev.title})

    def _on_alert(self, topic: str, payload) -> None:
        if topic == "alert.raised":
            data = asdict(payload) if is_dataclass(payload) else dict(payload or {})
            with self._view_lock:
                self._alerts.append(_alert_row(data, self.rt.clock.utcnow().timestamp()))
        elif topic == "alert.acked" and isinstance(payload, dict) and payload.get("alert_id"):
            with self._view_lock:
                self._acked.add(payload["alert_id"])

    def alert_log(self) -> list[dict]:
        """Every alert of the session (all rooms), oldest first, with its acknowledged state."""
        with self._view_lock:
            return [{**a, "acked": a["alert_id"] in self._acked} for a in self._alerts]

    def _on_journal_event(self, topic: str, ev) -> None:
        if getattr(ev, "session_id", None) != self.session_id:
            return
        m = marker_from_event(ev)
        with self._view_lock:
            if m:
                self._markers.append(m)
            self._segments.extend(segment_starts([ev]))
        if ev.kind == "session.started":
            self.live.start_mono = ev.mono
        elif ev.kind == "session.ended":
            threading.Thread(target=self._end_of_show, name="metrics-final", daemon=True).start()

    def _end_of_show(self) -> None:
        # one last sample so the recap's figures match the platform's final counters
        with self._ingest_lock:
            if self.session_id is not None:
                self.poll_once()
            self.flush()
            self._paused = True

    # ---- sampling -----------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="metrics-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        clock, interval = self.rt.clock, self.settings.interval_s
        next_due = clock.monotonic()
        while not self._stop.is_set():
            now = clock.monotonic()
            if now >= next_due:
                if not self._paused and self.session_id is not None:
                    self.poll_once()
                next_due = next_due + interval if now - next_due < interval else now + interval
            # short real-time waits: works for a wall clock and for a ManualClock moved by a test
            self._stop.wait(min(max(next_due - clock.monotonic(), 0.0), 0.05) or 0.005)

    def poll_once(self) -> KpiReport | None:
        """Read the platform once and ingest the snapshot (also used by tests and simulations)."""
        try:
            snap = self.rt.platform.metrics()
        except Exception as e:  # a platform hiccup is a stale tile, not a dead sampler
            self.failures += 1
            if self.failures in (1, 10) or self.failures % 60 == 0:
                log.warning("metrics poll failed (%d): %s", self.failures, e)
            self.rt.bus.publish("metrics.poll_failed", {"error": str(e), "failures": self.failures})
            return None
        self.failures = 0
        clock = self.rt.clock
        return self.ingest(snap, clock.monotonic(), clock.utcnow())

    def ingest(self, snap: MetricsSnapshot, mono: float, utc: datetime) -> KpiReport | None:
        with self._ingest_lock:
            last = self.store.last()
            if last is not None and mono <= last.mono:
                return self.report   # a duplicate poll at the same instant adds nothing
            snap, rebased = self.rebase.apply(snap)
            if rebased is not None:
                self._journal_rebase(rebased, mono)
            self._append(snap, mono, utc.timestamp())
            if self.session_id is not None and not self._paused:
                self._queue_samples(snap, mono, utc)
                if self._last_flush is None:
                    self._last_flush = mono
                if mono - self._last_flush >= self.settings.journal_batch_s:
                    self.flush()
            self._evaluate()
            self.report = self.live.report()
        self.rt.bus.publish("metrics.update", self.report)
        return self.report

    def _append(self, snap: MetricsSnapshot, mono: float, utc: float) -> None:
        """Into the series; the first sample after a hole longer than gap_s starts a break."""
        last = self.store.last()
        if last is not None and mono - last.mono > self.gap_s:
            self.live.add_break(mono)
        self.store.append(mono, utc, snap)

    def _evaluate(self, quiet: bool = False) -> None:
        """Run the alert rules; `quiet` (the replay after a resume) changes their state and nothing else."""
        engine = self.engine
        if quiet:
            engine.raise_fn, engine.clear_fn = _quiet_raise, _quiet_clear
        try:
            engine.evaluate(self.live)
        except Exception:
            log.exception("alert rules failed")
        finally:
            if quiet:
                engine.raise_fn, engine.clear_fn = self._raise, self._cleared

    def _journal_rebase(self, payload: dict, mono: float) -> None:
        log.warning("platform counters fell (%s): rebased %s", payload.get("reason"), payload.get("fell"))
        if payload.get("reason") == "restart":
            self.live.add_break(mono)
        if self.session_id is not None:
            try:
                self.rt.journal.append(self.session_id, REBASED, "metrics", payload)
            except Exception:
                log.exception("could not journal the rebase; the figures stay continuous on screen")

    def _queue_samples(self, snap: MetricsSnapshot, mono: float, utc: datetime) -> None:
        utc = utc.astimezone(timezone.utc)
        rows = [Sample(m, int(getattr(snap, m)), None, mono, utc) for m in ROOM_METRICS]
        for sku, sm in snap.skus.items():
            vals = tuple(int(getattr(sm, f)) for f in SKU_METRICS)
            prev = self._sku_journaled.get(sku)
            if prev == vals:
                continue
            for i, f in enumerate(SKU_METRICS):
                if prev is None or prev[i] != vals[i]:
                    rows.append(Sample(SKU_PREFIX + f, vals[i], sku, mono, utc))
            self._sku_journaled[sku] = vals
        self.rt.journal.queue_samples(self.session_id, rows)

    def flush(self) -> int:
        """Commit the queued samples now (they also go with the journal's next write of any kind)."""
        with self._ingest_lock:
            try:
                n = self.rt.journal.flush_samples()
            except Exception:
                log.exception("writing metric samples failed; they stay queued and go with the next write")
                return 0
            self._last_flush = self.store.last().mono if len(self.store) else None
            return n

    # ---- what the UI and other rooms read ------------------------------------------------------
    def markers(self, kinds: tuple[str, ...] | None = None) -> list[Marker]:
        with self._view_lock:
            ms = list(self._markers)
        return ms if kinds is None else [m for m in ms if m.kind in kinds]

    def segments(self) -> list[Segment]:
        segs = []
        with self._view_lock:
            bounds = sorted(self._segments, key=lambda b: b[0])
        for i, (mono, label, sid) in enumerate(bounds):
            if label is None:
                continue  # the end of the plan closes the segment before it
            end = bounds[i + 1][0] if i + 1 < len(bounds) else None
            segs.append(Segment(label, mono, end, sid))
        return segs

    def segment_kpis(self, segments: list[Segment] | None = None) -> list[SegmentKpis]:
        """Per run-of-show segment KPIs; boundaries from the journal's rundown events unless given."""
        return segment_kpis(self.store, self.segments() if segments is None else segments, self.live.now())

    def tick(self) -> None:
        pass  # sampling runs on its own thread; nothing to do on the GUI thread

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2.0)
        self.flush()
        for unsub in self._unsubs:
            unsub()


def _quiet_raise(alert):
    return alert


def _quiet_clear(rule: str, key: str, alert_id: str) -> None:
    pass


class _SkuReplay:
    """The journaled per-SKU counters (written only when they change) as they stood at any sample instant,
    walked forward once; SkuMetrics are built only from `keep_from` on (what the rolling windows reach)."""

    def __init__(self, rows: list[tuple[float, str, str, int]], utc_of, keep_from: float):
        self._rows = rows            # (utc, sku, field, value): compared on the UTC axis, converted once per call
        self._utc_of = utc_of
        self._i = 0
        self._vals: dict[str, dict[str, int]] = {}
        self._keep_from = keep_from

    def at(self, mono: float) -> dict | None:
        rows, i, vals = self._rows, self._i, self._vals
        until = self._utc_of(mono) + 1e-6
        while i < len(rows) and rows[i][0] <= until:
            _t, sku, f, v = rows[i]
            vals.setdefault(sku, {})[f] = v
            i += 1
        self._i = i
        if mono < self._keep_from or not vals:
            return None
        return {s: sku_metrics(s, d) for s, d in vals.items()}

    def latest(self) -> dict[str, dict[str, int]]:
        self.at(float("inf"))
        return self._vals


def _alert_row(p: dict, utc: float) -> dict:
    return {"alert_id": p.get("alert_id", ""), "utc": utc, "rule": p.get("rule", ""),
            "severity": p.get("severity", "info"), "title": p.get("title", ""), "detail": p.get("detail", ""),
            "suggestion": p.get("suggestion", ""), "source": p.get("source", ""), "sku": p.get("sku"),
            "values": p.get("values") or {}}   # the numbers: the UI words the alert from rule + values


def _key_from_values(payload: dict) -> str:
    values = payload.get("values") or {}
    d = values.get("direction")
    return d if isinstance(d, str) else ""


def attach(rt) -> MetricsService:
    return MetricsService(rt)
