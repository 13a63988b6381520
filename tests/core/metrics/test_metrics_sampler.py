"""The metrics room on a real SQLite journal: batched sample writes, the worker thread, resume after
a crash, the previous show, markers and segments, alerts through the router."""
from __future__ import annotations

import threading
import time

import pytest

from controlroom.clock import ManualClock
from controlroom.metrics.room import MetricsService
from controlroom.metrics.series import ROOM_METRICS, SKU_METRICS
from tests.fakes import MetricsShop


def make_rt(make_runtime, clock=None, shop=None, worker=False):
    clock = clock or ManualClock()
    rt = make_runtime(clock=clock, platform=shop or MetricsShop(), rooms={})
    svc = MetricsService(rt, start_worker=worker)
    rt.add_service("metrics", svc)
    return rt, svc


def test_samples_are_journaled_in_batches_with_stable_names(data_dir, make_runtime):
    rt, svc = make_rt(make_runtime)
    shop, clock = rt.platform, rt.clock
    sid = rt.new_show("batch test")
    rt.start()
    for _ in range(4):
        clock.advance(1); shop.step(); svc.poll_once()
    assert rt.journal.samples(sid) == []          # not yet: batched
    for _ in range(3):
        clock.advance(1); shop.step(); svc.poll_once()
    rows = rt.journal.samples(sid)
    room = [r for r in rows if r["sku"] is None]
    assert {r["metric"] for r in room} == set(ROOM_METRICS)
    assert len(room) == len(ROOM_METRICS) * 6      # one batch of 6 polls (5 s apart)
    gmv = [r["value"] for r in room if r["metric"] == "gmv"]
    assert gmv == [2 * n * 15_000 for n in range(1, 7)]
    sku = [r for r in rows if r["sku"] is not None]
    assert {r["metric"] for r in sku} <= {"sku." + f for f in SKU_METRICS}
    # SER-002 never changed: its counters written once, at the first poll; LIP-001 as it changed
    ser = [r for r in sku if r["sku"] == "SER-002"]
    assert len(ser) == len(SKU_METRICS) and len({r["mono"] for r in ser}) == 1
    assert len({r["mono"] for r in sku if r["sku"] == "LIP-001" and r["metric"] == "sku.clicks"}) == 6
    clock.advance(1); shop.step(); svc.poll_once()
    rt.close()                                    # close flushes the tail
    from controlroom.journal import Journal
    j = Journal(data_dir / Journal.FILENAME)
    assert len(j.samples(sid, metric="gmv")) == 8   # every poll, the tail included
    j.close()


def test_report_and_bus_update(make_runtime):
    rt, svc = make_rt(make_runtime)
    got = []
    rt.bus.subscribe(lambda t, p: got.append(p), "metrics.update")
    rt.new_show("report")
    rt.start()
    rep = svc.poll_once()
    assert got[-1] is rep and rep.show.conversion is None and rep.show.uv_value is None  # all zero at start
    for _ in range(120):
        rt.clock.advance(1); rt.platform.step(); svc.poll_once()
    rep = got[-1]
    assert rep.show.conversion == pytest.approx(0.2)
    assert rep.show.uv_value == 3000                     # 2 × 150 元 per 10 viewers = 30 元
    assert rep.windows[60.0].unique_viewers == 600
    assert rep.elapsed_s == pytest.approx(120)
    assert [k.sku for k in rep.skus] == ["LIP-001", "SER-002"]
    gmv_target = {t.name: t for t in rep.targets}["gmv"]
    assert gmv_target.target == 600_000_000 and gmv_target.projected is not None
    rt.close()


def test_worker_thread_samples_on_the_clock_and_survives_platform_errors(make_runtime):
    clock = ManualClock()
    rt, svc = make_rt(make_runtime, clock=clock, worker=True)
    updates = []
    rt.bus.subscribe(lambda t, p: updates.append((time.monotonic(), p)), "metrics.update")
    rt.new_show("worker")
    rt.start()
    deadline = time.monotonic() + 5
    while len(svc.store) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(svc.store) == 1 and threading.current_thread().name != "metrics-sampler"
    rt.platform.fail = True
    clock.advance(1)
    while svc.failures == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert svc.failures >= 1
    rt.platform.fail = False
    for i in range(3):
        rt.platform.step()
        t0 = time.monotonic()
        clock.advance(1)
        while len(svc.store) < 2 + i and time.monotonic() < deadline:
            time.sleep(0.005)
        assert time.monotonic() - t0 < 1.0            # sample to bus within a second
    assert len(svc.store) == 4
    rt.close()


def test_resume_after_crash_rebuilds_series_markers_and_alert_state(make_runtime):
    rt, svc = make_rt(make_runtime)
    sid = rt.new_show("crash")
    rt.start()
    rt.journal.append(sid, "rundown.started", "operator", {"title": "Opening", "index": 0, "t": 0.0})
    for _ in range(30):
        rt.clock.advance(1); rt.platform.step(); svc.poll_once()
    rt.journal.append(sid, "rundown.segment", "operator", {"title": "Hero serum", "index": 1, "t": 30.0})
    rt.journal.append(sid, "console.price_changed", "operator", {"sku": "SER-002", "price": 17900})
    for _ in range(20):
        rt.clock.advance(1); rt.platform.step(); svc.poll_once()
    rt.journal.append(sid, "rundown.ended", "operator", {"t": 50.0})
    for _ in range(5):
        rt.clock.advance(1); rt.platform.step(); svc.poll_once()
    svc.flush()
    before = svc.report
    segs = svc.segment_kpis()
    assert [s.segment.label for s in segs] == ["Opening", "Hero serum"]
    assert segs[0].kpis.unique_viewers == 300 and segs[1].kpis.unique_viewers == 200
    assert segs[1].segment.end_mono is not None
    assert {m.kind for m in svc.markers()} == {"segment", "price"}
    assert "¥179.00" in [m.label for m in svc.markers(("price",))][0]
    # crash: no close(). A new process resumes the session.
    rt.abandon()
    rt2, svc2 = make_rt(make_runtime, clock=rt.clock, shop=rt.platform)
    rt2.resume(sid)
    assert svc2.store.last().values == svc.store.last().values
    assert svc2.report.show == before.show
    assert [m.label for m in svc2.markers()] == [m.label for m in svc.markers()]
    assert [s.segment.label for s in svc2.segment_kpis()] == ["Opening", "Hero serum"]
    assert svc2.store.latest_skus["LIP-001"] == svc.store.latest_skus["LIP-001"]
    rt2.close()


def test_previous_show_is_loaded_for_the_overlay(make_runtime):
    rt, svc = make_rt(make_runtime)
    first = rt.new_show("last night")
    rt.start()
    for _ in range(12):
        rt.clock.advance(1); rt.platform.step(); svc.poll_once()
    rt.end()
    svc.flush()
    got = threading.Event()
    rt.bus.subscribe(lambda t, p: got.set(), "metrics.previous")
    rt.new_show("tonight")
    assert got.wait(5)
    prev = svc.previous
    assert prev.session_id == first and prev.title == "last night"
    assert list(prev.values["gmv"][-3:]) == [2 * n * 15_000 for n in (10, 11, 12)]
    assert prev.offset_s[0] >= 0 and prev.offset_s[-1] == pytest.approx(12, abs=1.01)
    rt.close()


def test_a_sustained_viewer_drop_goes_through_the_alert_router(make_runtime):
    rt, svc = make_rt(make_runtime)
    sid = rt.new_show("drop")
    rt.start()
    for _ in range(150):
        rt.clock.advance(1); rt.platform.step(); svc.poll_once()
    rt.platform.online = 600
    for _ in range(20):
        rt.clock.advance(1); rt.platform.step(); svc.poll_once()
    raised = rt.journal.events(sid, kinds=["alert.raised"])
    assert len(raised) == 1
    p = raised[0].payload
    assert p["rule"] == "viewers_drop" and p["to_cue"] is True and p["source"] == "metrics"
    assert [m.kind for m in svc.markers(("alert",))] == ["alert"]
    alert_id = f"A{raised[0].seq}"
    assert alert_id in rt.alerts.open_alerts
    rt.alerts.acknowledge(alert_id)
    assert rt.journal.events(sid, kinds=["alert.acked"])[0].payload["alert_id"] == alert_id
    rt.close()


def test_metrics_alerts_reach_a_webhook_sink_on_localhost(data_dir, monkeypatch, make_runtime):
    """The room attaches the alert-sink plugin's webhooks; a real HTTP server on 127.0.0.1 gets the alert."""
    pytest.importorskip("plugins.alert_sinks")
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    bodies = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("CONTROLROOM_SLACK_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
        (data_dir / "settings.toml").write_text('[alert_sinks]\nenabled = ["slack"]\n', encoding="utf-8")
        rt, svc = make_rt(make_runtime)
        assert [s.name for s in rt.alerts.sinks].count(rt.alerts.sinks[0].name) == 1
        rt.new_show("webhook")
        rt.start()
        for _ in range(150):
            rt.clock.advance(1); rt.platform.step(); svc.poll_once()
        rt.platform.online = 500
        for _ in range(20):
            rt.clock.advance(1); rt.platform.step(); svc.poll_once()
        deadline = time.monotonic() + 10
        while not bodies and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(bodies) == 1
        assert "Viewers down 50 %" in json.dumps(bodies[0], ensure_ascii=False)
        rt.close()
    finally:
        server.shutdown()
