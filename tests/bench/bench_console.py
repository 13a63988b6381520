#!/usr/bin/env python3
"""Console benchmarks. Prints one JSON object.

1. software_path: one price change end to end on the simulated shop — judged on request, on submit and
   in its lane on the effective state, intent journaled (durable commit), the shop called, read back, the
   outcome journaled (durable commit), the snapshot rebuilt. Target p99 <= 5 ms.
2. big_catalogue: the same with 2,000 SKUs on sale and 50 live coupons and offers (25 + 25, some shop-wide).
   Judging a SKU reads its own coupons (indexed by scope), so it must not grow with the catalogue: <= 5 ms.
3. revert_while_another_hangs: real time (system clock, the GUI's 100 ms tick). The shop hangs on SKU A;
   a 3-second offer on SKU B must be reverted at the shop <= 1 s after it is due. Measured for a native
   offer (stop_offer reaches the shop) and for a console-run one (a timed price change on a shop without
   a flash-offer API: the revert is a set_price).

    python tests/bench/bench_console.py [N]
"""
from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _q(lat: list[float]) -> dict:
    q = statistics.quantiles(lat, n=100)
    return {"p50_ms": round(statistics.median(lat), 3), "p99_ms": round(q[98], 3), "max_ms": round(max(lat), 3)}


class _Stopwatch:
    """Time spent inside the journal's durable commits and the shop's calls, to tell them from the console."""

    def __init__(self, rt):
        self.spent = 0.0
        self._lock = threading.Lock()
        self._wrap(rt.journal, "append")
        for m in ("set_price", "read_product", "list_product", "start_offer", "read_offer", "issue_coupon",
                  "read_coupon"):
            self._wrap(rt.platform, m)

    def _wrap(self, obj, name):
        f = getattr(obj, name)

        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                with self._lock:
                    self.spent += time.perf_counter() - t0
        setattr(obj, name, timed)


def _price_changes(rt, skus: list[str], n: int, watch: "_Stopwatch | None" = None) -> tuple[list[float], list[float]]:
    """(end to end ms, software ms = end to end less the journal's fsync'd commits and the shop's calls)."""
    svc = rt.console
    lat, soft = [], []
    for i in range(n):
        sku = skus[i % len(skus)]
        base = svc.plan_row(sku).live_price
        price = base - 100 if (i // len(skus)) % 2 == 0 else base    # within the band, back and forth
        spent0 = watch.spent if watch else 0.0
        t0 = time.perf_counter()
        t = svc.change_price(sku, price, wait=True)
        total = (time.perf_counter() - t0) * 1000
        lat.append(total)
        soft.append(total - ((watch.spent - spent0) * 1000 if watch else 0.0))
        assert t.outcome and t.outcome.ok, (t.verdict.words, t.outcome)
        rt.clock.advance(0.05)
    return lat, soft


def software_path(n: int) -> dict:
    from controlroom.clock import ManualClock
    from controlroom.paths import SAMPLE_SHOW
    from controlroom.runtime import Runtime
    from plugins.simulator import SimulatedShop
    clock = ManualClock()
    with tempfile.TemporaryDirectory() as d:
        shop = SimulatedShop.from_show(SAMPLE_SHOW, clock=clock, seed=7)
        shop.audience = False
        rt = Runtime.create(Path(d), clock=clock, platform=shop, show_dir=SAMPLE_SHOW, alert_sinks=False,
                            rooms={"console": "controlroom.commerce.room"})
        rt.new_show("bench")
        skus = [p.sku for p in rt.console.products() if p.plan_price and p.plan_price > 1000]
        for sku in skus:
            assert rt.console.list_product(sku, wait=True).outcome.ok
        watch = _Stopwatch(rt)
        _price_changes(rt, skus, 50, watch)   # warm up
        lat, soft = _price_changes(rt, skus, n, watch)
        rt.close()
    return {"actions": n, "skus": len(skus), "software": _q(soft), "end_to_end_with_2_durable_commits": _q(lat),
            "target_p99_ms": 5, "pass": _q(soft)["p99_ms"] <= 5}


def _big_show(d: Path, n_skus: int) -> Path:
    show = d / "show"
    show.mkdir()
    lines = ["sku,title,list_price,live_price,cost,floor_price,stock,per_buyer_limit"]
    for i in range(n_skus):
        lst = 100 + (i % 400)
        lines.append(f"S{i:04d},商品 {i},{lst},{lst * 7 // 10},{lst // 5},{lst // 2},100000,5")
    (show / "products.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (show / "show.toml").write_text('title = "Big catalogue"\n', encoding="utf-8")
    return show


def big_catalogue(n: int, n_skus: int = 2000) -> dict:
    from controlroom.clock import ManualClock
    from controlroom.platform import CouponSpec
    from controlroom.runtime import Runtime
    from plugins.simulator import SimulatedShop
    clock = ManualClock()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as d:
        show = _big_show(Path(d), n_skus)
        shop = SimulatedShop.from_show(show, clock=clock, seed=7)
        shop.audience = False
        rt = Runtime.create(Path(d) / "data", clock=clock, platform=shop, show_dir=show, alert_sinks=False,
                            rooms={"console": "controlroom.commerce.room"})
        rt.new_show("big")
        svc = rt.console
        skus = [p.sku for p in svc.products()]
        for sku in skus:                                  # every product on sale
            svc.list_product(sku)
        svc.lanes.wait_idle(600)
        assert all(p.listed for p in svc.products())
        live = 0
        for i in range(20):                               # 20 SKU coupons, 5 shop-wide ones
            sku = skus[rng.randrange(len(skus))]
            lst = svc.plan_row(sku).list_price
            assert svc.issue_coupon(CouponSpec(sku, lst * 2, lst // 20, 1000), confirmed=True, wait=True).outcome.ok
            live += 1
        for i in range(5):
            assert svc.issue_coupon(CouponSpec(None, 100000 + 1000 * i, 500, 1000), confirmed=True,
                                    wait=True).outcome.ok
            live += 1
        offered = rng.sample(skus, 25)
        for sku in offered:                               # 25 flash offers
            base = svc.plan_row(sku).live_price
            assert svc.start_offer(sku, base - 50, 3600, 500, per_buyer_limit=2, confirmed=True,
                                   wait=True).outcome.ok
            live += 1
        plain = [s for s in skus if s not in offered]
        targets = [plain[rng.randrange(len(plain))] for _ in range(max(50, n // 20))]
        watch = _Stopwatch(rt)
        _price_changes(rt, targets, 50, watch)
        lat, soft = _price_changes(rt, targets, n, watch)
        # judging alone, the part that would grow with the catalogue if it scanned it
        jl = []
        from controlroom.commerce import commands as cmds
        for sku in targets[:n]:
            cmd = cmds.SetPrice(sku, svc.plan_row(sku).live_price - 100)
            t0 = time.perf_counter()
            with svc._lock:
                svc.judge.verdict(cmd)
            jl.append((time.perf_counter() - t0) * 1000)
        rt.close()
    return {"skus": n_skus, "live_coupons_and_offers": live, "actions": n, "software": _q(soft),
            "end_to_end_with_2_durable_commits": _q(lat), "judge_only": _q(jl), "target_p99_ms": 5,
            "pass": _q(soft)["p99_ms"] <= 5}


def revert_while_another_hangs(native: bool) -> dict:
    from controlroom.clock import SystemClock
    from controlroom.paths import SAMPLE_SHOW
    from controlroom.platform import Capabilities
    from controlroom.runtime import Runtime
    from plugins.simulator import SimulatedShop

    class PriceOnlyShop(SimulatedShop):
        capabilities = Capabilities()      # no flash-offer API: the console runs a timed price change

    clock = SystemClock()
    with tempfile.TemporaryDirectory() as d:
        cls = SimulatedShop if native else PriceOnlyShop
        shop = cls.from_show(SAMPLE_SHOW, clock=clock, seed=7)
        shop.audience = False
        rt = Runtime.create(Path(d), clock=clock, platform=shop, show_dir=SAMPLE_SHOW, alert_sinks=False,
                            rooms={"console": "controlroom.commerce.room"})
        rt.new_show("hang")
        svc = rt.console
        for sku in ("LIP-001", "SER-002"):
            assert svc.list_product(sku, wait=True).outcome.ok
        stop = threading.Event()

        def ticker():                   # the GUI's QTimer: every 100 ms
            while not stop.is_set():
                rt.tick()
                time.sleep(0.1)
        th = threading.Thread(target=ticker, daemon=True)
        th.start()
        shop.inject_fault("hang", "LIP-001", 30)
        hung = svc.change_price("LIP-001", 6500)               # hangs until its 5 s deadline
        time.sleep(0.2)
        t = svc.start_offer("SER-002", 18900, 3.0, wait=True)
        assert t.outcome.ok, t.outcome
        due = svc.mono_of(svc.state.offers["SER-002"].ends_utc)
        seen = len(shop.write_log)
        method = "stop_offer" if native else "set_price"
        reached = None
        while clock.monotonic() < due + 10 and reached is None:
            for (_t, m, _k, args) in list(shop.write_log)[seen:]:
                if m == method and (m == "stop_offer" or args[0] == "SER-002"):
                    reached = clock.monotonic()
            time.sleep(0.002)
        stop.set()
        th.join()
        hung_outcome = hung.result(15).status
        rt.close()
    delay = None if reached is None else round(reached - due, 3)
    return {"offer": "native" if native else "console-run", "revert_after_due_s": delay,
            "hung_call_outcome": hung_outcome, "target_s": 1.0, "pass": delay is not None and delay <= 1.0}


def main(n: int = 400) -> dict:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    out = {"bench": "console", "load_1min": round(load, 2) if load is not None else None,
           "software_path": software_path(n), "big_catalogue": big_catalogue(n),
           "revert_while_another_hangs": [revert_while_another_hangs(True), revert_while_another_hangs(False)]}
    return out


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 400), ensure_ascii=False, indent=1))
