"""Rundown benchmark: operator message -> cue screen repainted (p50/p99), and timer drift over a
simulated 8-hour show. Prints JSON.

    .venv/bin/python tests/bench/bench_rundown.py [--messages 300]

Latency is measured offscreen from the journal's bus publish of cue.message (the durable commit is
done by then) to the end of the cue screen's paintEvent; a second figure includes the durable
journal commit itself (from the operator's call).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CONTROLROOM_KEYRING", "memory")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def bench_message_repaint(n: int) -> dict:
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from controlroom.runtime import Runtime
    from ui.bridge import QtBridge
    from tests.fakes import NoShop
    from ui.cue_screen import CueScreen

    rt = Runtime.create(tempfile.mkdtemp(prefix="bench-rundown-"), platform=NoShop(),
                        rooms={"rundown": "controlroom.rundown.room"})
    rt.new_show()
    rt.start()
    runner = rt.rundown.runner
    runner.start()
    bridge = QtBridge(rt.bus)
    screen = CueScreen(rt, bridge)
    screen.resize(1920, 1080)
    screen.show()
    painted: list[float] = []
    screen.painted.connect(painted.append)
    published: list[float] = []
    rt.bus.subscribe(lambda t, p: published.append(time.perf_counter()), "journal.cue.message")
    for _ in range(20):
        app.processEvents()
    from_publish, from_call = [], []
    for i in range(n):
        painted.clear()
        published.clear()
        t_call = time.perf_counter()
        runner.send_message(f"第 {i} 条：拉长讲解两分钟", "normal" if i % 2 else "blink")
        deadline = time.perf_counter() + 2
        while not painted and time.perf_counter() < deadline:
            app.processEvents()
        if not painted or not published:
            raise SystemExit(f"message {i} was never painted")
        from_publish.append((painted[0] - published[0]) * 1000)
        from_call.append((painted[0] - t_call) * 1000)
        rt.tick()
        app.processEvents()
    screen.close()
    bridge.close()
    rt.close()
    return {"messages": n,
            "publish_to_paint_ms_p50": round(statistics.median(from_publish), 2),
            "publish_to_paint_ms_p99": round(pct(from_publish, 99), 2),
            "publish_to_paint_ms_max": round(max(from_publish), 2),
            "call_to_paint_ms_p50": round(statistics.median(from_call), 2),
            "call_to_paint_ms_p99": round(pct(from_call, 99), 2),
            "target_ms_p99": 50}


def bench_drift() -> dict:
    from controlroom.clock import ManualClock
    from controlroom.rundown.display import format_countdown
    from controlroom.rundown.model import Rundown, Segment
    from controlroom.rundown.runner import Runner

    steps_us = (99_000, 101_000, 100_500, 99_700, 100_300)   # an irregular ~100 ms tick, in whole µs
    # one 8-hour segment, ticked all the way through
    clock = ManualClock()
    r = Runner(Rundown((Segment("1", "8h", "product", 8 * 3600),)), clock)
    r.start()
    truth_us, i, ticks = 0, 0, 0
    t0 = time.perf_counter()
    while truth_us < 8 * 3600 * 1_000_000:
        d = steps_us[i % len(steps_us)]
        clock.advance(d / 1e6)
        truth_us += d
        i += 1
        r.tick()
        ticks += 1
    single = abs(r.remaining() - (8 * 3600 - truth_us / 1e6))
    wall = time.perf_counter() - t0
    display_ok = format_countdown(r.remaining()) == format_countdown(8 * 3600 - truth_us / 1e6)

    # an 8-hour show of 24 twenty-minute segments, "next" pressed when each reaches zero
    clock = ManualClock()
    segs = tuple(Segment(str(k), f"段{k}", "product", 1200) for k in range(24))
    r = Runner(Rundown(segs), clock)
    r.start()
    truth_us, i, worst = 0, 0, 0.0
    for k in range(24):
        seg_truth = 0
        while seg_truth < 1200 * 1_000_000:
            d = min(steps_us[i % len(steps_us)], 1200 * 1_000_000 - seg_truth)
            clock.advance(d / 1e6)
            seg_truth += d
            truth_us += d
            i += 1
            r.tick()
        worst = max(worst, abs(r.remaining()))
        r.next()
    show_offset = abs(r.timeline()["offset_s"])
    return {"show_hours": 8, "ticks": ticks, "sim_wall_s": round(wall, 2),
            "drift_single_8h_segment_ms": round(single * 1000, 6),
            "drift_per_segment_max_ms": round(worst * 1000, 6),
            "drift_show_offset_after_24_segments_ms": round(show_offset * 1000, 6),
            "display_matches_truth": display_ok, "target_ms": 10}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=300)
    args = ap.parse_args()
    out = {"message_to_repaint": bench_message_repaint(args.messages), "drift": bench_drift()}
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
