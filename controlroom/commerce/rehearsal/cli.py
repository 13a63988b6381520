"""`python main.py rehearse SCRIPT.jsonl [--show DIR] [--seed N] [--pin PIN] [--json]`

Runs the real console on a simulated clock against the simulated shop built from the show's
products.csv (default: the sample show), with the show's rundown running from t = 0. The journal
goes to the data dir (--data-dir / $CONTROLROOM_DATA_DIR) as a normal session.

Exit status: 0 when the script ran (whatever the verdicts); 2 when the script or the show cannot be
read (the message names the line and field), or the command line is wrong.
With --json: one JSON object per stdout line, in time order (see README, "Rehearsal (预案演练)").
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from controlroom.commerce.plan import PlanError, read_plan
from controlroom.commerce.rehearsal.script import ScriptError, read_script
from controlroom.paths import SAMPLE_SHOW, data_dir


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def _show_skus(show: Path) -> set[str]:
    """The show must be readable before anything runs: its products (the shop's catalog and the console's
    plan) and its rundown."""
    if not show.is_dir():
        raise ScriptError(f"{show}: not a show folder (expected products.csv in it)")
    products = show / "products.csv"
    if not products.is_file():
        raise ScriptError(f"{products}: no such file; a show needs its products")
    try:
        plan = read_plan(products)
    except PlanError as e:
        raise ScriptError(str(e)) from None
    bad = [(r.row, f, why) for r in plan.rows for f, why in r.invalid if f in ("sku", "list_price", "live_price")]
    if bad:
        row, f, why = bad[0]
        raise ScriptError(f"{products}, row {row}, field {f}: {why}")
    rundown = show / "rundown.csv"
    if rundown.is_file():
        from controlroom.rundown import files
        try:
            files.load(rundown, skus={r.sku for r in plan.rows})
        except files.RundownImportError as e:
            raise ScriptError(str(e)) from None
    return {r.sku for r in plan.rows if r.sku}


# the "what" of the console's own actions, as the public contract (README, issue 10) spells them
CONTRACT_AUTO = ("revert", "offer_end", "breaker", "reconcile", "lock")


def _table(records: list[dict], final: dict, out) -> None:
    head = ["t", "line", "do", "sku", "verdict", "outcome", "net 元", "rules / what"]
    rows = []
    for r in records:
        if r.get("do") == "auto":
            rows.append([f"{r['t']:.1f}", "·", f"auto:{r['what']}", r.get("sku") or "(shop)", "", r["outcome"], "",
                         r.get("reason", "")])
            continue
        extra = ", ".join(r.get("rules") or [])
        if r["do"] == "orders":
            extra = ", ".join(f"{n}×{p}" for p, n in r.get("filled", {}).items()) + \
                (f"; {r.get('rejected')} rejected" if r.get("rejected") else "")
        rows.append([f"{r['t']:.1f}", str(r["line"]), r["do"], r.get("sku") or "(shop)",
                     (r.get("verdict") or "").upper(), r["outcome"], r.get("net_price") or "", extra])
    widths = [max(_width(x[i]) for x in [head] + rows) for i in range(7)]
    for row in [head] + rows:
        out.write("  ".join(_pad(c, widths[i]) for i, c in enumerate(row[:7])) + "  " + row[7] + "\n")
    out.write("\nat the end:\n")
    fh = ["sku", "listed", "shop 元", "console 元", "locked", "sold"]
    frows = [[s["sku"], "yes" if s["listed"] else "no", s["shop_price"], s["console_price"] or "—",
              "LOCKED" if s["locked"] else "", str(s["sold"])] for s in final["skus"]]
    fw = [max(_width(x[i]) for x in [fh] + frows) for i in range(6)]
    for row in [fh] + frows:
        out.write("  ".join(_pad(c, fw[i]) for i, c in enumerate(row)) + "\n")
    differ = [s["sku"] for s in final["skus"] if s["console_price"] != s["shop_price"]]
    if differ:
        out.write(f"\nthe console and the shop disagree on: {', '.join(differ)}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="main.py rehearse",
                                 description="Rehearse a price plan and offers through the real console on a "
                                             "simulated clock (预案演练).")
    ap.add_argument("script", help="rehearsal script, JSON Lines (see README)")
    ap.add_argument("--show", help="show folder (products.csv, rundown.csv, show.toml); default: the sample show")
    ap.add_argument("--seed", type=int, default=7, help="simulator seed (default 7)")
    ap.add_argument("--pin", help="supervisor PIN for the script's overrides")
    ap.add_argument("--json", action="store_true", help="one JSON object per line, in time order")
    ap.add_argument("--data-dir", help="where the journal goes (default $CONTROLROOM_DATA_DIR)")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    # what the console logs as it works (a refused run-of-show offer, a read that failed and is retried) is in
    # the output already; stderr keeps errors only
    import logging
    logging.basicConfig(level=logging.ERROR, format="rehearse: %(name)s: %(message)s")
    show = Path(args.show) if args.show else SAMPLE_SHOW
    try:
        skus = _show_skus(show)
        lines = read_script(args.script, skus)
    except ScriptError as e:
        print(f"rehearse: {e}", file=sys.stderr)
        return 2
    from controlroom.commerce.rehearsal.driver import Rehearsal, RehearsalError
    from controlroom.runtime import START_ERRORS
    try:
        r = Rehearsal(lines, show_dir=show, data_dir=data_dir(args.data_dir, create=False), seed=args.seed,
                      pin=args.pin)
        final = r.run()
    except (*START_ERRORS, RehearsalError) as e:  # the data dir held by another writer, read-only, full, …
        print(f"rehearse: {e}", file=sys.stderr)
        return 2
    out = sys.stdout
    records = [rec for _t, _n, rec in r.records]
    if args.json:
        for rec in records:
            if rec.get("do") == "auto" and rec.get("what") not in CONTRACT_AUTO:
                continue   # the JSON contract names its auto kinds; the readable table shows the rest too
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        out.write(json.dumps(final, ensure_ascii=False) + "\n")
    else:
        _table(records, final, out)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
