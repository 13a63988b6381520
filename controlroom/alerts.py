"""Alerts: raised by any room (metrics rules, console circuit breakers, the stream guard), routed to
the journal, the bus (event feed, cue screen), and to alert sinks (webhooks in plugins/alert_sinks).

A room raises with `AlertRouter.raise_alert(Alert(...))`; the router journals `alert.raised`
(durably), publishes `alert.raised` on the bus, and hands the alert to each sink on a worker
thread so a slow webhook never delays the show. Acknowledgement is journaled as `alert.acked`.
"""
from __future__ import annotations

import itertools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Alert:
    rule: str                 # stable id, e.g. "conversion_low", "readback_mismatch", "stream_failover"
    severity: str             # info | warning | critical
    title: str                # one line for people
    detail: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # the measured numbers that tripped it
    source: str = ""          # room: metrics | console | stream | rundown
    sku: str | None = None
    suggestion: str = ""      # e.g. "launch a lucky bag 福袋"
    to_cue: bool = False      # also show on the host's cue screen
    alert_id: str = ""        # filled by the router

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")


class AlertSink(Protocol):
    name: str

    def send(self, alert: Alert, show_title: str) -> None:
        """Deliver one alert; raise on failure after the sink's own retries."""


class AlertRouter:
    def __init__(self, journal, bus, session_id_fn, sinks: list[AlertSink] | None = None,
                 show_title_fn=lambda: ""):
        self.journal = journal
        self.bus = bus
        self._session_id = session_id_fn
        self._show_title = show_title_fn
        self.sinks: list[AlertSink] = list(sinks or [])
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="alert-sink")
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.open_alerts: dict[str, Alert] = {}

    def raise_alert(self, alert: Alert) -> Alert:
        with self._lock:
            alert_id = f"A{next(self._ids)}"
        from dataclasses import replace
        alert = replace(alert, alert_id=alert_id)
        sid = self._session_id()
        if sid is not None:
            ev = self.journal.append(sid, "alert.raised", alert.source or "system", asdict(alert))
            # journal events carry seq: keep ids unique across restarts
            alert = replace(alert, alert_id=f"A{ev.seq}")
        with self._lock:
            self.open_alerts[alert.alert_id] = alert
        self.bus.publish("alert.raised", alert)
        for sink in self.sinks:
            self._pool.submit(self._deliver, sink, alert)
        return alert

    def acknowledge(self, alert_id: str, actor: str = "operator") -> None:
        with self._lock:
            alert = self.open_alerts.pop(alert_id, None)
        sid = self._session_id()
        if sid is not None:
            self.journal.append(sid, "alert.acked", actor, {"alert_id": alert_id,
                                                           "rule": alert.rule if alert else None})
        self.bus.publish("alert.acked", {"alert_id": alert_id})

    def _deliver(self, sink: AlertSink, alert: Alert) -> None:
        try:
            sink.send(alert, self._show_title())
            self.bus.publish("alert.delivered", {"alert_id": alert.alert_id, "sink": sink.name})
        except Exception as e:  # a dead webhook is worth a feed line, not a crash
            log.warning("alert sink %s failed: %s", getattr(sink, "name", sink), e)
            self.bus.publish("alert.sink_failed", {"alert_id": alert.alert_id,
                                                   "sink": getattr(sink, "name", "?"), "error": str(e)})

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
