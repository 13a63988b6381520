"""`python main.py preflight PLAN.csv [--json]`: the whole price plan through the interlocks.

Exit status: 0 no row blocked, 1 a row is blocked, 2 the file cannot be read as a plan.
With --json: one object per data row, in order:
  {"row": 1, "sku": "...", "verdict": "allow"|"confirm"|"block", "rules": [...], "net_price": "29.90"|null}
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata

from controlroom.commerce.interlocks import InterlockEngine, InterlockSettings
from controlroom.commerce.plan import PlanError, check_plan, read_plan


def _engine(data_dir: str | None) -> InterlockEngine:
    """Thresholds from settings.toml [interlocks] when a data dir is known; defaults otherwise."""
    import os
    from pathlib import Path
    from controlroom.settings import Settings
    d = data_dir or os.environ.get("CONTROLROOM_DATA_DIR")
    if d and (Path(d) / Settings.FILENAME).exists():
        return InterlockEngine(Settings(Path(d) / Settings.FILENAME).section("interlocks", InterlockSettings))
    return InterlockEngine()


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int, right: bool = False) -> str:
    gap = " " * max(0, w - _width(s))
    return gap + s if right else s + gap


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="main.py preflight",
                                 description="Check a price plan CSV against the mis-price interlocks.")
    ap.add_argument("plan", help="price plan CSV (UTF-8; columns sku,title,list_price,live_price,...)")
    ap.add_argument("--json", action="store_true", help="one JSON object per data row")
    ap.add_argument("--data-dir", help="read thresholds from this data dir's settings.toml")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        plan = read_plan(args.plan)
        engine = _engine(args.data_dir)
    except (PlanError, ValueError) as e:
        print(f"preflight: {e}", file=sys.stderr)
        return 2
    results = check_plan(plan, engine)
    blocked = any(r.verdict.verdict == "block" for r in results)
    out = sys.stdout
    if args.json:
        for r in results:
            out.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
    else:
        titles = {r.row: r.title for r in plan.rows}
        head = ["row", "sku", "title", "verdict", "net 元", "rules / why"]
        lines = []
        for r in results:
            net = r.to_json()["net_price"] or "—"
            why = r.verdict.words if r.verdict.findings else ""
            lines.append([str(r.row), r.sku, titles.get(r.row, "")[:24], r.verdict.verdict.upper(), net,
                          (", ".join(r.verdict.rules) + (": " + why if why else "")) if r.verdict.rules else "ok"])
        widths = [max(_width(x[i]) for x in [head] + lines) for i in range(5)]
        for row in [head] + lines:
            out.write("  ".join(_pad(c, widths[i], right=(i in (0, 4))) for i, c in enumerate(row[:5]))
                      + "  " + row[5] + "\n")
        n = {v: sum(1 for r in results if r.verdict.verdict == v) for v in ("allow", "confirm", "block")}
        out.write(f"\n{len(results)} rows: {n['allow']} allow, {n['confirm']} confirm, {n['block']} block"
                  f" — {'BLOCKED: fix the plan or get a supervisor override' if blocked else 'plan passes'}\n")
    out.flush()
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())
