"""The metrics room: polls the platform once a second on a worker thread, journals the samples in
batches, keeps the in-memory series, computes KPIs, evaluates the alert rules and publishes
"metrics.update" (a KpiReport) on the bus.

Journal: samples (room metrics every poll under their MetricsSnapshot field names, sku NULL;
per-SKU counters as "sku.<field>" with the sku set, written when they change), and
"metrics.alert_cleared" events when a rule's condition has recovered.
Bus: "metrics.update" (KpiReport), "metrics.alert_cleared", "metrics.poll_failed",
"metrics.previous" (the previous show's series became available).
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime, timezone

from controlroom.journal import Sample
from controlroom.metrics.alert_rules import AlertEngine, AlertSettings
from controlroom.metrics.history import (Marker, SeriesData, latest_sku_values, marker_from_event,
                                         previous_series, read_series, segment_starts,
                                         session_start_mono)
from controlroom.metrics.kpi import Segment, SegmentKpis, segment_kpis
from controlroom.metrics.live import KpiReport, LiveMetrics
from controlroom.metrics.series import ROOM_METRICS, SKU_METRICS, SKU_PREFIX, SeriesStore
from controlroom.metrics.targets import Targets, load_targets, targets_from_show
from controlroom.platform import MetricsSnapshot, SkuMetrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MetricsSettings:
    interval_s: float = 1.0          # platform poll period
    journal_batch_s: float = 5.0     # samples are written in one transaction this often
    buffer_rows: int = 43_200        # in-memory rows before old history is thinned (12 h at 1 Hz)
    markers_max: int = 5_000


class MetricsService:
    def __init__(self, rt, *, start_worker: bool = True):
        self.rt = rt
        self.settings: MetricsSettings = rt.settings.section("metrics", MetricsSettings)
        self.alert_settings: AlertSettings = rt.settings.section("alerts", AlertSettings)
        # show.toml was read and checked once, when the runtime was made (controlroom.show)
        self.targets: Targets = targets_from_show(rt.show) if rt.show is not None else load_targets(rt.show_dir)
        self.store = SeriesStore(self.settings.buffer_rows)
        self.live = LiveMetrics(self.store, self.targets, interval_s=self.settings.interval_s)
        self.engine = AlertEngine(self.alert_settings, self._raise, self._cleared,
                                  category_uv_value=self.targets.uv_value, sold_out=self._sold_out)
        self.report: KpiReport | None = None
        self.previous: SeriesData | None = None
        self.session_id: int | None = None
        self.failures = 0
        self._markers: deque[Marker] = deque(maxlen=self.settings.markers_max)
        self._segments: list[tuple[float, str, str]] = []
        self._pending: list[Sample] = []
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
            self.live.start_mono = session_start_mono(self.rt.journal, session_id)
            self.engine.states.clear()
            self._rebuild(session_id)
        if self._want_worker:
            self.start()
        # the previous show is read off the GUI thread (it may be 12 hours of samples)
        threading.Thread(target=self._load_previous, args=(session_id,), name="metrics-previous",
                         daemon=True).start()

    def _rebuild(self, session_id: int) -> None:
        events = self.rt.journal.events(session_id)
        raised: dict[str, tuple] = {}
        cleared: set[str] = set()
        for ev in events:
            m = marker_from_event(ev)
            if m:
                self._markers.append(m)
            if ev.kind == "alert.raised":
                self._alerts.append(_alert_row({**ev.payload, "alert_id": f"A{ev.seq}"}, ev.utc.timestamp()))
            elif ev.kind == "alert.acked" and ev.payload.get("alert_id"):
                self._acked.add(ev.payload["alert_id"])
            if ev.kind == "alert.raised" and ev.payload.get("source") == "metrics":
                raised[f"A{ev.seq}"] = (ev.payload.get("rule"), ev.payload.get("sku") or
                                        _key_from_values(ev.payload), ev.mono)
            elif ev.kind in ("metrics.alert_cleared", "alert.acked") and ev.payload.get("alert_id"):
                if ev.kind == "metrics.alert_cleared":
                    cleared.add(ev.payload["alert_id"])
            elif ev.kind == "session.ended":
                self._paused = True
        self._segments = segment_starts(events)
        data = read_series(self.rt.journal, session_id)
        if data is not None:
            for i in range(len(data)):
                self.store.append(float(data.mono[i]), float(data.utc[i]),
                                  MetricsSnapshot(**{m: int(data.values[m][i]) for m in ROOM_METRICS}))
            skus = latest_sku_values(self.rt.journal, session_id)
            if skus:
                last = self.store.last()
                snap = MetricsSnapshot(**last.values, skus={s: SkuMetrics(s, **v) for s, v in skus.items()})
                self.store.latest_skus = dict(snap.skus)
                self._sku_journaled = {s: tuple(getattr(m, f) for f in SKU_METRICS) for s, m in snap.skus.items()}
            self.report = self.live.report()
        now = self.rt.clock.monotonic()
        for alert_id, (rule, key, mono) in raised.items():
            if rule:
                self.engine.restore(rule, key or "", min(mono, now), alert_id not in cleared, alert_id)

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
            before = self.store.version
            self.store.append(mono, utc.timestamp(), snap)
            if self.store.version == before:
                return self.report
            if self.session_id is not None and not self._paused:
                self._queue_samples(snap, mono, utc)
                if self._last_flush is None:
                    self._last_flush = mono
                if mono - self._last_flush >= self.settings.journal_batch_s:
                    self.flush()
            try:
                self.engine.evaluate(self.live)
            except Exception:
                log.exception("alert rules failed")
            self.report = self.live.report()
        self.rt.bus.publish("metrics.update", self.report)
        return self.report

    def _queue_samples(self, snap: MetricsSnapshot, mono: float, utc: datetime) -> None:
        utc = utc.astimezone(timezone.utc)
        self._pending.extend(Sample(m, int(getattr(snap, m)), None, mono, utc) for m in ROOM_METRICS)
        for sku, sm in snap.skus.items():
            vals = tuple(int(getattr(sm, f)) for f in SKU_METRICS)
            prev = self._sku_journaled.get(sku)
            if prev == vals:
                continue
            for i, f in enumerate(SKU_METRICS):
                if prev is None or prev[i] != vals[i]:
                    self._pending.append(Sample(SKU_PREFIX + f, vals[i], sku, mono, utc))
            self._sku_journaled[sku] = vals

    def flush(self) -> int:
        """Write the queued samples in one transaction."""
        with self._ingest_lock:
            if not self._pending or self.session_id is None:
                return 0
            rows, self._pending = self._pending, []
            try:
                n = self.rt.journal.append_samples(self.session_id, rows)
            except Exception:
                log.exception("writing %d metric samples failed; will retry", len(rows))
                self._pending = rows + self._pending
                return 0
            self._last_flush = rows[-1].mono
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
