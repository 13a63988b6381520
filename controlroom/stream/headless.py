"""`python main.py guard --config guard.toml [--data-dir DIR]`: only the stream guard, no window.

For a spare machine next to the encoders: it journals the same stream.* events into the data dir's
journal (a session titled "guard <host>", kind "guard": never offered as a show to resume), prints
state changes, and stops cleanly on Ctrl-C or SIGTERM (exit 0). It is the data dir's one writer
while it runs. Exit 2 for a bad config, a data dir another writer holds (naming it: pid, host,
since), or one it cannot write (read-only, full). No Qt anywhere on this path.
"""
from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from typing import Any

from controlroom.stream.config import GuardConfig, GuardConfigError
from controlroom.stream.urls import mask_text


def build_switchers(config: GuardConfig) -> dict[str, Any]:
    from controlroom.stream.obs_adapter import ObsSwitcher   # the only obsws_python importer: lazily
    # The guard's worker already paces reconnects (backoff + jitter up to reconnect_backoff_max_s);
    # a second backoff inside the adapter made a guard attempt land in the adapter's window and fail
    # without trying, adding up to ~2 s to the recovery after an outage. One layer: the guard's.
    return {i.name: ObsSwitcher(i.name, i.host, i.port, i.password(),
                                connect_timeout=config.thresholds.request_timeout_s,
                                backoff_initial=0.0, backoff_max=0.0)
            for i in config.instances}


def build_probe(config: GuardConfig, clock=None):
    """The viewer-side probe for [thresholds] probe_url (started), or None without one."""
    from controlroom.stream.probe import build_probe as _build
    probe = _build(config, clock)
    return probe.start() if probe is not None else None


def load_alert_sinks(ddir) -> list:
    """The chat webhooks of settings.toml [alert_sinks] (the same sinks as the app). ValueError, naming the
    file, for a settings file that is unreadable, not UTF-8, or has a bad [alert_sinks] table."""
    from controlroom.adapters import create_alert_sinks
    from controlroom.settings import Settings
    path = ddir / Settings.FILENAME
    try:
        sinks = create_alert_sinks(Settings(path))
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 (byte at offset {e.start}); save the file as UTF-8") from None
    except OSError as e:
        raise ValueError(f"{path}: cannot read: {e.strerror or e}") from None
    except ValueError as e:           # SettingsError and the sinks' own validation
        text = str(e)
        raise ValueError(text if str(path) in text else f"{path}: {text}") from None
    return sinks


def _line(kind: str, payload: dict[str, Any]) -> str | None:
    if kind == "stream.health":
        why = "; ".join(payload.get("reasons") or []) or "ok"
        return f"{payload['instance']}: {payload.get('prev') or '-'} -> {payload['level']} ({why})"
    if kind == "stream.alarm":
        return f"ALARM {payload.get('message', '')}"
    if kind == "stream.failover":
        return (f"FAILED OVER by {payload.get('method')} to {payload.get('target') or 'backup'}"
                f" in {payload.get('detect_to_switch_ms')} ms after detection; trigger {payload.get('trigger')}")
    if kind == "stream.returned":
        return f"RETURNED to primary ({payload.get('method')}) in {payload.get('detect_to_switch_ms')} ms"
    if kind in ("stream.failover_failed", "stream.return_failed", "stream.no_remedy", "stream.held",
                "stream.second_encoder", "stream.second_encoder_failed"):
        return f"{kind.split('.')[1].upper()}: {payload.get('message') or payload.get('error') or ''}"
    if kind in ("stream.armed", "stream.disarmed", "stream.switching", "stream.guard_started",
                "stream.guard_stopped"):
        return f"{kind.split('.')[1]} {payload.get('instance') or payload.get('target') or ''}".rstrip()
    if kind == "stream.command":
        ok = "ok" if payload.get("ok") else f"FAILED: {payload.get('error')}"
        return f"command {payload.get('what')}: {ok} ({payload.get('ms')} ms)"
    if kind == "stream.alarm_cleared":
        return f"alarm cleared {payload.get('instance', '')}"
    if kind.startswith("stream.manual."):
        return f"manual {kind.rsplit('.', 1)[1]}: {payload.get('result', payload)}"
    if kind == "alert.raised":
        return f"ALERT {str(payload.get('severity', '')).upper()} {payload.get('title', '')}" + \
            (f" — {payload['detail']}" if payload.get("detail") else "")
    if kind.startswith("stream.") or kind.startswith("alert."):
        return f"{kind} {payload}"        # every event gets a line, even kinds added later
    return None


# printed even with --quiet: what an operator on the spare machine must never miss
LOUD = ("stream.failover", "stream.returned", "stream.failover_failed", "stream.return_failed", "stream.no_remedy",
        "stream.held", "stream.second_encoder", "stream.second_encoder_failed", "alert.raised")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="main.py guard", description="Run only the stream guard, without a window.")
    ap.add_argument("--config", required=True, help="guard.toml (see resources/guard.example.toml)")
    ap.add_argument("--data-dir", help="where the journal lives (default: $CONTROLROOM_DATA_DIR or the user dir)")
    ap.add_argument("--quiet", action="store_true", help="print only failovers and errors")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = GuardConfig.load(args.config)
    except GuardConfigError as e:
        print(f"guard: {e}", file=sys.stderr)
        return 2

    from controlroom.alerts import AlertRouter
    from controlroom.settings import Settings, SettingsError
    from controlroom.bus import EventBus
    from controlroom.clock import SystemClock
    from controlroom.datadir import JOURNAL_KIND, DataDirError, claim, private_file
    from controlroom.journal import Journal, JournalError, JournalWriteError
    from controlroom.paths import data_dir
    from controlroom.stream.guard import StreamGuard

    ddir = data_dir(args.data_dir, create=False)   # claim() below creates it, 0700
    try:
        sinks = load_alert_sinks(ddir)
    except ValueError as e:
        # before any session is journaled: a guard that cannot tell anyone does not start half-configured
        print(f"guard: {e}", file=sys.stderr)
        return 2
    clock = SystemClock()
    bus = EventBus()
    host = socket.gethostname()
    journal = None
    try:
        # the guard writes the journal: it must be the data dir's one writer (held until exit)
        lock = claim(ddir, "guard")
        journal = Journal(ddir / Journal.FILENAME, clock=clock, bus=bus)
        tightened = lock.tightened + journal.tightened + [t for t in [private_file(ddir / Settings.FILENAME)] if t]
        sid = journal.new_session(f"guard {host}", {"kind": "guard", "config": str(args.config), "host": host})
        for t in tightened:
            journal.append(sid, JOURNAL_KIND, "guard", t.payload())
        journal.start_session(sid, actor="guard")
    except (DataDirError, JournalError, JournalWriteError, SettingsError) as e:
        if journal is not None:
            journal.close()
        print(f"guard: {e}", file=sys.stderr)
        return 2
    # the spare machine's alerts reach the same chat webhooks as the app's (settings.toml [alert_sinks])
    alerts = AlertRouter(journal, bus, lambda: sid, show_title_fn=lambda: f"guard {host}", sinks=sinks)

    def show(topic: str, ev) -> None:
        line = _line(ev.kind, ev.payload)
        if line and (not args.quiet or ev.kind in LOUD):
            ts = ev.utc.astimezone().strftime("%H:%M:%S")
            print(f"{ts} {line}", flush=True)

    def delivery(topic: str, d) -> None:
        # a failover nobody hears is a failure: say where each alert went, and loudly when it did not
        if topic == "alert.delivered":
            if not args.quiet:
                print(f"alert {d.get('alert_id')} sent to {d.get('sink')}", flush=True)
        else:
            print(f"ALERT {d.get('alert_id')} NOT DELIVERED to {d.get('sink')}: {mask_text(d.get('error', ''))}",
                  flush=True)

    bus.subscribe(show, "journal.stream.")
    bus.subscribe(show, "journal.alert.")
    bus.subscribe(delivery, "alert.delivered")
    bus.subscribe(delivery, "alert.sink_failed")
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    probe = build_probe(config, clock)
    guard = StreamGuard(config, build_switchers(config), clock=clock, journal=journal, session_id=sid,
                        bus=bus, alerts=alerts, probe=probe)
    print(f"guard: watching {', '.join(f'{i.name} ({i.role}) {i.host}:{i.port}' for i in config.instances)};"
          f" method {config.method}; probe {probe.describe() if probe else 'off'};"
          f" journal {journal.path} session {sid}. Ctrl-C stops.", flush=True)
    print(f"guard: alerts to {', '.join(getattr(k, 'name', '?') for k in sinks)}" if sinks else
          "guard: alerts go to the journal only: no webhook in settings.toml [alert_sinks] (see README)", flush=True)
    guard.start()
    try:
        while not stop.wait(0.2):
            pass
    finally:
        guard.stop()
        if probe is not None:
            probe.stop()
        try:
            journal.end_session(sid, actor="guard")
        except JournalWriteError as e:  # the disk filled or went read-only meanwhile: say so, still stop
            print(f"guard: {e}", file=sys.stderr)
        alerts.close()
        journal.close()
        lock.release()
        print("guard: stopped", flush=True)
    return 0
