"""Benchmark of the simulated shop: how much faster than real time it runs, and what a call costs.

    .venv/bin/python tests/bench/bench_simulator.py [--hours 3]

Prints JSON: simulated seconds per CPU second for a show with 10^5 concurrent viewers and for the
sample show's own audience, and the p50/p99 of metrics() and of a write + read-back on a running room.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from controlroom.clock import ManualClock  # noqa: E402
from controlroom.paths import SAMPLE_SHOW  # noqa: E402
from plugins.simulator import SimulatedShop  # noqa: E402

PLAYBOOK = ["LIP-001", "SER-002", "MSK-004", "CRM-003", "SUN-005", "EYE-007",
            "SET-010", "PAL-008", "PRF-009", "CLN-006", "BRS-012", "SER-002"]


def run_show(hours: float, peak_online: int | None, seed: int = 7) -> dict:
    shop = SimulatedShop.from_show(SAMPLE_SHOW, clock=ManualClock(), seed=seed, peak_online=peak_online)
    for sku in shop.skus:
        shop.list_product(sku, idempotency_key=f"l-{sku}")
        shop.set_stock(sku, 10**8, idempotency_key=f"s-{sku}")
    seconds = int(hours * 3600)
    blocks = len(PLAYBOOK)
    peak = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for k in range(blocks):
        shop.pin_product(PLAYBOOK[k], idempotency_key=f"pin-{k}")
        for _ in range(seconds // blocks // 60):
            peak = max(peak, shop.run_for(60).online)   # a poll every simulated minute
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    m = shop.metrics()
    uv = max(1, m.unique_viewers)
    return {"simulated_s": shop.elapsed, "cpu_s": round(cpu, 3), "wall_s": round(wall, 3),
            "sim_s_per_cpu_s": round(shop.elapsed / cpu), "peak_online": peak, "unique_viewers": m.unique_viewers,
            "orders": m.orders, "gmv_yuan": m.gmv // 100, "conversion": round(m.buyers / uv, 4),
            "interaction_rate": round(m.interacting_viewers / uv, 4),
            "avg_order_yuan": round(m.gmv / max(1, m.orders) / 100, 1)}


def call_latency(n: int = 2000) -> dict:
    clock = ManualClock()
    shop = SimulatedShop.from_show(SAMPLE_SHOW, clock=clock, seed=7, peak_online=100_000)
    for sku in shop.skus:
        shop.list_product(sku, idempotency_key=f"l-{sku}")
    shop.run_for(1800)
    metrics, writes = [], []
    for i in range(n):
        clock.advance(1.0)    # one simulated second between polls, as the metrics sampler does
        t = time.perf_counter()
        shop.metrics()
        metrics.append(time.perf_counter() - t)
        t = time.perf_counter()
        shop.set_price("SER-002", 18000 + i % 100, idempotency_key=f"p-{i}")
        shop.read_product("SER-002")
        writes.append(time.perf_counter() - t)

    def q(xs, p):
        return round(statistics.quantiles(xs, n=100)[p - 1] * 1000, 3)
    return {"metrics_ms_p50": q(metrics, 50), "metrics_ms_p99": q(metrics, 99),
            "write_and_readback_ms_p50": q(writes, 50), "write_and_readback_ms_p99": q(writes, 99)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=3.0)
    args = ap.parse_args()
    out = {
        "big_room_1e5_concurrent": run_show(args.hours, peak_online=100_000),
        "sample_show_150k_viewers": run_show(args.hours, peak_online=None),
        "calls_at_1e5_concurrent": call_latency(),
    }
    out["target"] = "3-hour show well under 2 s CPU (>= 5400 simulated s per CPU s)"
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
