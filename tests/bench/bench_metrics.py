#!/usr/bin/env python3
"""Metrics benchmark: prints one JSON object.

  charts_frame: 8 trend plots (ui.charts) × 28,800 points (8 h at 1 Hz) appending at 2 Hz:
            setData on every curve + a synchronous repaint, p50/p99/max (target p99 ≤ 33 ms).
  panel_frame: the whole metrics panel (tiles, sparklines, 8 charts, tables) over the same 8 hours:
            the panel's refresh + repaint (or grab), and with last show's 8 hours overlaid.
  latency:  sample-to-screen on a wall clock: platform read on the sampler thread -> the panel's
            QTimer has redrawn a frame containing it (target ≤ 1 s).
  memory:   RSS after a simulated 12-hour show through the real room (journal batches, KPIs, alert
            rules) at 1 Hz on a ManualClock, then the panel built over it.

  .venv/bin/python tests/bench/bench_metrics.py [--hours 12] [--frames 120] [--latency-s 12]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CONTROLROOM_KEYRING", "memory")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from controlroom.clock import ManualClock, SystemClock  # noqa: E402
from controlroom.platform import MetricsSnapshot, SkuMetrics  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class SyntheticShop:
    """A believable evening: online swells and sags, ~15 % of viewers buy ~300 元 orders, 12 SKUs."""
    name, currency = "bench", "CNY"

    def __init__(self, clock, seed=1):
        self.clock, self.t0 = clock, clock.monotonic()
        self.rng = np.random.default_rng(seed)
        self.c = {k: 0 for k in ("views", "unique_viewers", "room_impressions", "comments", "likes", "shares",
                                 "interacting_viewers", "new_followers", "product_impressions",
                                 "product_clicks", "add_to_cart", "orders", "paid_orders", "buyers", "gmv",
                                 "paid_gmv")}
        self.skus = {f"SKU-{i:03d}": dict(impressions=0, clicks=0, add_to_cart=0, orders=0, paid_orders=0,
                                          units=0, gmv=0, paid_gmv=0) for i in range(12)}
        self.t = 0
        self.lock = threading.Lock()

    def _step(self):
        self.t += 1
        r = self.rng
        online = int(20_000 + 15_000 * np.sin(self.t / 2400) + r.normal(0, 400))
        new = int(r.poisson(14))
        c = self.c
        c["views"] += new + int(r.poisson(5))
        c["unique_viewers"] += new
        c["room_impressions"] += int(r.poisson(120))
        c["interacting_viewers"] += int(r.binomial(new, 0.25))
        c["new_followers"] += int(r.binomial(new, 0.03))
        clicks = int(r.poisson(10))
        atc = int(r.binomial(clicks, 0.25))
        buyers = int(r.binomial(new, 0.16))
        value = buyers * int(r.integers(25_000, 33_000))
        c["product_impressions"] += clicks * 8
        c["product_clicks"] += clicks
        c["add_to_cart"] += atc
        c["orders"] += buyers
        c["paid_orders"] += buyers
        c["buyers"] += buyers
        c["gmv"] += value
        c["paid_gmv"] += value * 9 // 10
        s = self.skus[f"SKU-{self.t // 900 % 12:03d}"]
        s["impressions"] += clicks * 8
        s["clicks"] += clicks
        s["add_to_cart"] += atc
        s["orders"] += buyers
        s["units"] += buyers
        s["gmv"] += value
        s["paid_gmv"] += value * 9 // 10
        self.online = max(online, 0)

    def metrics(self) -> MetricsSnapshot:
        with self.lock:
            target = int(self.clock.monotonic() - self.t0)
            while self.t < target:
                self._step()
            if self.t == 0:
                self._step()
            return MetricsSnapshot(online=self.online, **self.c,
                                   skus={k: SkuMetrics(k, **v) for k, v in self.skus.items()})


def make_rt(clock, shop=None):
    from controlroom.metrics.room import MetricsService
    from controlroom.runtime import Runtime
    d = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    rt = Runtime.create(d, clock=clock, platform=shop or SyntheticShop(clock), rooms={})
    svc = MetricsService(rt, start_worker=False)
    rt.add_service("metrics", svc)
    return rt, svc, d


def pct(xs, q):
    return round(float(np.percentile(np.asarray(xs), q)), 2) if xs else None


def bench_frames(app, n_points: int, frames: int) -> dict:
    from ui.panels.metrics import create_panel
    clock = ManualClock()
    rt, svc, _ = make_rt(clock)
    rt.new_show("frames")
    shop = rt.platform
    for _ in range(n_points):               # fill the series directly (no journal): 8 h at 1 Hz
        clock.advance(1)
        svc.store.append(clock.monotonic(), clock.utcnow().timestamp(), shop.metrics())
    svc.report = svc.live.report()
    w = create_panel(rt, None)
    w.timer.stop()                          # the benchmark drives the frames
    w.resize(1280, 1000)
    w.show()
    app.processEvents()
    w.refresh()
    w.grab()
    def run(n):
        rep, grab = [], []
        for _ in range(n):                  # 2 Hz frames, each with a new sample
            clock.advance(0.5)
            svc.poll_once()
            t0 = time.perf_counter()
            w.refresh()
            w.repaint()                     # synchronous paint of the (offscreen) window
            rep.append((time.perf_counter() - t0) * 1000)
            app.processEvents()
            clock.advance(0.5)
            svc.poll_once()
            t0 = time.perf_counter()
            w.refresh()
            w.grab()                        # the same frame rendered into a pixmap
            grab.append((time.perf_counter() - t0) * 1000)
            app.processEvents()
        return rep, grab

    rep, grab = run(frames)
    points = [len(c.getOriginalDataset()[0]) for c in w.curves.values()]
    out = {"curves": len(points), "points_per_curve": min(points), "frames": len(rep) + len(grab),
           "frame_ms_p50": pct(rep + grab, 50), "frame_ms_p99": pct(rep + grab, 99),
           "frame_ms_max": round(max(rep + grab), 2),
           "repaint_ms_p99": pct(rep, 99), "grab_ms_p99": pct(grab, 99), "target_p99_ms": 33}
    # the same with last show's 8 hours overlaid (16 curves)
    from controlroom.metrics.history import SeriesData
    mono, utc, vals = svc.store.arrays()
    svc.previous = SeriesData(0, "previous", mono - 600, utc - 86400, vals, float(mono[0]) - 600)
    rep, grab = run(max(frames // 2, 10))
    out["with_previous_overlay_frame_ms_p99"] = pct(rep + grab, 99)
    rt.close()
    return out


def bench_charts_only(app, n_points: int, frames: int) -> dict:
    """Just the 8 trend plots (ui.charts helpers) with 28,800-point curves: append at 2 Hz, setData,
    repaint. Isolates the charting cost from the tiles and tables around it."""
    from PySide6.QtWidgets import QGridLayout, QWidget
    from ui import charts
    holder = QWidget()
    grid = QGridLayout(holder)
    curves, plots = [], []
    for i in range(8):
        plot = charts.time_plot(f"series {i}", height=150)
        plots.append(plot)
        curves.append(charts.long_curve(plot, charts.SERIES_COLOURS[i]))
        grid.addWidget(plot, i // 2, i % 2)
    holder.resize(1280, 800)
    holder.show()
    rng = np.random.default_rng(3)
    cap = n_points + 2 * frames + 2
    x = np.empty(cap)
    ys = np.empty((8, cap))
    n = n_points
    x[:n] = 1.7e9 + np.arange(n) * 1.0
    ys[:, :n] = np.cumsum(rng.normal(0, 1, (8, n)), axis=1)
    times = []
    for _ in range(frames):
        x[n] = x[n - 1] + 0.5
        ys[:, n] = ys[:, n - 1] + rng.normal(0, 1, 8)
        n += 1
        t0 = time.perf_counter()
        for i, c in enumerate(curves):
            c.setData(x[:n], ys[i, :n])
        for p in plots:
            charts.follow_time(p, x[0], x[n - 1])
        holder.repaint()
        times.append((time.perf_counter() - t0) * 1000)
        app.processEvents()
    holder.close()
    return {"curves": 8, "points_per_curve": n, "frames": len(times), "frame_ms_p50": pct(times, 50),
            "frame_ms_p99": pct(times, 99), "frame_ms_max": round(max(times), 2), "target_p99_ms": 33}


def bench_latency(app, seconds: float) -> dict:
    from PySide6.QtCore import QTimer
    from ui.panels.metrics import create_panel

    class TimedShop(SyntheticShop):
        def __init__(self, clock):
            super().__init__(clock)
            self.read_at: dict[int, float] = {}

        def metrics(self):
            snap = super().metrics()
            self.read_at[snap.views] = time.perf_counter()
            return snap

    clock = SystemClock()
    shop = TimedShop(clock)
    rt, svc, _ = make_rt(clock, shop)
    rt.new_show("latency")
    rt.start()
    w = create_panel(rt, None)
    w.resize(1280, 1000)
    w.show()
    svc.start()
    lat: list[float] = []
    seen: set[int] = set()
    orig = w.refresh

    def timed_refresh():
        orig()
        last = svc.store.last()
        if last is None or last.views in seen:
            return
        w.repaint()                          # the frame is on screen once painted
        seen.add(last.views)
        t = shop.read_at.get(last.views)
        if t is not None:
            lat.append((time.perf_counter() - t) * 1000)

    w.timer.timeout.disconnect()
    w.timer.timeout.connect(timed_refresh)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)
    rt.close()
    return {"samples": len(lat), "latency_ms_p50": pct(lat, 50), "latency_ms_max": round(max(lat), 1) if lat else None,
            "refresh_ms": 500, "poll_s": 1.0, "target_ms": 1000}


def bench_memory(app, hours: float) -> dict:
    from ui.panels.metrics import create_panel
    rss0 = rss_mb()
    clock = ManualClock()
    rt, svc, d = make_rt(clock)
    rt.new_show("twelve hours")
    rt.start()
    n = int(hours * 3600)
    t0 = time.perf_counter()
    for _ in range(n):
        clock.advance(1)
        svc.poll_once()
    svc.flush()
    ingest_s = time.perf_counter() - t0
    rss_core = rss_mb()
    w = create_panel(rt, None)
    w.resize(1280, 1000)
    w.show()
    w.refresh()
    w.grab()
    app.processEvents()
    rss_ui = rss_mb()
    out = {"hours": hours, "samples": n, "rows_in_memory": len(svc.store), "thinned": svc.store.thinned,
           "store_mb": round(svc.store.nbytes() / 2**20, 1),
           "rss_mb_start": round(rss0, 1), "rss_mb_after_show": round(rss_core, 1),
           "rss_mb_with_panel": round(rss_ui, 1),
           "ingest_ms_per_sample": round(ingest_s * 1000 / n, 3),
           "journal_mb": round(sum(f.stat().st_size for f in d.glob("journal.sqlite*")) / 2**20, 1)}
    rt.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=12.0)
    ap.add_argument("--points", type=int, default=28_800)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--latency-s", type=float, default=12.0)
    a = ap.parse_args(argv)
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from ui.style import stylesheet
    app.setStyleSheet(stylesheet())
    result = {}
    for name, fn in (("charts_frame", lambda: bench_charts_only(app, a.points, a.frames * 2)),
                     ("panel_frame", lambda: bench_frames(app, a.points, a.frames)),
                     ("latency", lambda: bench_latency(app, a.latency_s)),
                     ("memory", lambda: bench_memory(app, a.hours))):
        t0 = time.perf_counter()
        result[name] = fn()
        print(f"{name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    result["cpus"] = os.cpu_count()
    result["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
