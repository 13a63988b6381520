"""Journal and export benchmark. Prints JSON.

  .venv/bin/python tests/bench/bench_journal.py [--events 1000000] [--xlsx-events 100000] [--dir DIR]

Targets (issue 2): durable commit p99 <= 5 ms; sample ingest >= 100,000 rows/s; export of
1,000,000 events to CSV <= 4 s and to Parquet <= 1 s, of 100,000 events to XLSX <= 8 s.
Export timings are end to end: reading from SQLite, converting, writing the files.
The large journals are filled with a bulk INSERT (the export is what is measured there);
the commit and ingest figures go through Journal.append / append_samples on a real file."""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from controlroom.journal import Journal, Sample  # noqa: E402
from controlroom.journal.export import export_session  # noqa: E402

KINDS = ["console.price_set", "console.listed", "rundown.segment_started", "cue.sent", "alert.raised",
         "metrics.snapshot", "interlock.blocked", "stream.bitrate_low"]


def bench_commits(d: Path, n: int) -> dict:
    with Journal(d / "commit.sqlite") as j:
        sid = j.new_session("bench")
        lat = []
        for i in range(n):
            t = time.perf_counter()
            j.append(sid, "console.price_set", "operator", {"sku": f"SKU-{i % 50}", "price_fen": 9900 + i})
            lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    return {"n": n, "p50_ms": round(statistics.median(lat), 3), "p99_ms": round(lat[int(0.99 * n) - 1], 3),
            "max_ms": round(lat[-1], 3)}


def bench_samples(d: Path, batches: int, size: int) -> dict:
    with Journal(d / "samples.sqlite") as j:
        sid = j.new_session("bench")
        base = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
        total = 0.0
        for b in range(batches):
            utc = base + timedelta(seconds=b)
            rows = [Sample(f"m{k % 20}", b * size + k, f"SKU-{k % 200}", 1000.0 + b, utc) for k in range(size)]
            t = time.perf_counter()
            j.append_samples(sid, rows)
            total += time.perf_counter() - t
    n = batches * size
    return {"rows": n, "batch": size, "rows_per_s": round(n / total)}


def make_events(path: Path, n: int) -> int:
    with Journal(path) as j:
        sid = j.new_session("1M events", {"obs": {"password": "x"}})
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("BEGIN")
    base = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    step = 3 * 3600 / n  # a 3-hour show
    rows = []
    for i in range(n):
        utc = (base + timedelta(seconds=i * step)).isoformat(timespec="microseconds")
        payload = json.dumps({"sku": f"SKU-{i % 300:04d}", "price_fen": 9900 + i % 1000, "by": "主播"},
                             ensure_ascii=False, sort_keys=True)
        rows.append((sid, i + 2, utc, 1000.0 + i * step, KINDS[i % len(KINDS)], "operator", payload))
        if len(rows) == 100_000:
            c.executemany("INSERT INTO events (session_id, seq, utc, mono, kind, actor, payload) "
                          "VALUES (?,?,?,?,?,?,?)", rows)
            rows = []
    if rows:
        c.executemany("INSERT INTO events (session_id, seq, utc, mono, kind, actor, payload) "
                      "VALUES (?,?,?,?,?,?,?)", rows)
    c.execute("COMMIT")
    c.close()
    return sid


def timed_export(path: Path, sid: int, fmt: str, out: Path, n: int) -> dict:
    t = time.perf_counter()
    files = export_session(path, sid, fmt, out)
    dt = time.perf_counter() - t
    return {"events": n, "seconds": round(dt, 3), "bytes": sum(f.stat().st_size for f in files)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--xlsx-events", type=int, default=100_000)
    ap.add_argument("--commits", type=int, default=2000)
    ap.add_argument("--dir", default=None, help="where to put the journals (a real disk: fsync is measured)")
    args = ap.parse_args()
    d = Path(tempfile.mkdtemp(prefix="bench-journal-", dir=args.dir))
    try:
        out = {"commit": bench_commits(d, args.commits), "sample_ingest": bench_samples(d, 50, 10_000)}
        big = d / "big.sqlite"
        sid = make_events(big, args.events)
        timed_export(big, sid, "parquet", d / "warm", args.events)  # warm the page cache once
        shutil.rmtree(d / "warm")
        out["export_csv"] = timed_export(big, sid, "csv", d / "csv", args.events)
        out["export_parquet"] = timed_export(big, sid, "parquet", d / "parquet", args.events)
        small = d / "small.sqlite"
        sid = make_events(small, args.xlsx_events)
        out["export_xlsx"] = timed_export(small, sid, "xlsx", d / "xlsx", args.xlsx_events)
        out["targets"] = {"commit_p99_ms": 5, "sample_rows_per_s": 100_000, "csv_1M_s": 4, "parquet_1M_s": 1,
                          "xlsx_100k_s": 8}
        out["met"] = {
            "commit_p99": out["commit"]["p99_ms"] <= 5,
            "sample_ingest": out["sample_ingest"]["rows_per_s"] >= 100_000,
            "export_csv": out["export_csv"]["seconds"] * 1_000_000 / args.events <= 4,
            "export_parquet": out["export_parquet"]["seconds"] * 1_000_000 / args.events <= 1,
            "export_xlsx": out["export_xlsx"]["seconds"] * 100_000 / args.xlsx_events <= 8,
        }
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
