"""`python main.py shop check [--show DIR] [--data-dir DIR] [--json]`: before a show, compare the plan
with the shop — read-only.

It builds the platform `[platform] kind` names in the data directory's settings.toml (through
controlroom.adapters, never an import of plugins/), reads the shop's products once (which also proves
the credentials work), and for every SKU of the show's products.csv reports how the shop has it
(price, stock, listed) and whether the shop does not know it or its list price (划线价) differs from
the plan's. It writes nothing to the shop: the platform is reached only through a read-only view.

Exit status: 0 every SKU matches; 1 a SKU is missing, its list price differs or its plan row is
invalid; 2 the check cannot run (settings, credentials, the shop unreachable, no products.csv) —
the reason is printed on stderr.

With --json: one object per line, first one per plan SKU, then the summary:
  {"kind": "sku", "sku": "LIP-001", "status": "ok" | "missing" | "list_price_differs" | "plan_invalid",
   "title": "...", "plan_list_price": "129.00", "shop_list_price": "129.00" | null,
   "shop_price": "69.00" | null, "shop_stock": 8000 | null, "listed": true | false | null, "reason": "..."}
  {"kind": "summary", "platform": "douyin", "skus": 12, "ok": 11, "missing": 1, "list_price_differs": 0,
   "plan_invalid": 0, "shop_only": 3, "exit": 1}
Money is text in 元 with two decimals, as preflight writes it.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlroom.adapters import PlatformContext, create_platform, platform_kind
from controlroom.clock import SystemClock
from controlroom.commerce.money import format_money
from controlroom.commerce.plan import PlanError, read_plan
from controlroom.paths import SAMPLE_SHOW, data_dir
from controlroom.platform import Platform, PlatformError, ProductState
from controlroom.settings import Settings, SettingsError

STATUSES = ("ok", "missing", "list_price_differs", "plan_invalid")


class CannotRun(Exception):
    """The check cannot run at all (exit 2); the message says why and what to fix."""


class ReadOnlyShop:
    """The only view of the platform this command has: reads. A write cannot be reached from here."""

    def __init__(self, platform: Platform):
        self._platform = platform
        self.name = getattr(platform, "name", "shop")

    def read_products(self) -> list[ProductState]:
        return self._platform.read_products()

    def read_product(self, sku: str) -> ProductState:
        return self._platform.read_product(sku)


@dataclass(frozen=True)
class SkuCheck:
    sku: str
    status: str
    title: str
    plan_list_price: int | None
    shop: ProductState | None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        s = self.shop
        money = (lambda v: format_money(v) if v is not None else None)
        return {"kind": "sku", "sku": self.sku, "status": self.status, "title": self.title,
                "plan_list_price": money(self.plan_list_price),
                "shop_list_price": money(s.list_price) if s else None, "shop_price": money(s.price) if s else None,
                "shop_stock": s.stock if s else None, "listed": s.listed if s else None, "reason": self.reason}


def check(shop: ReadOnlyShop, plan_path: Path) -> tuple[list[SkuCheck], int]:
    """Every plan SKU against the shop, and how many shop SKUs the plan does not name."""
    try:
        plan = read_plan(plan_path)
    except PlanError as e:
        raise CannotRun(str(e)) from None
    try:
        products = {p.sku: p for p in shop.read_products()}
    except PlatformError as e:
        raise CannotRun(f"cannot read the shop's products ({'try again' if e.retryable else 'fix this first'}): {e}") \
            from None
    out: list[SkuCheck] = []
    seen: set[str] = set()
    for row in plan.rows:
        if not row.sku or row.sku in seen:
            continue
        seen.add(row.sku)
        bad_list = [msg for f, msg in row.invalid if f == "list_price"]
        state = products.get(row.sku)
        if state is None:
            try:   # some shops list only part of their catalogue (e.g. never-listed drafts): ask for this one
                state = shop.read_product(row.sku)
            except PlatformError as e:
                if e.retryable:
                    raise CannotRun(f"the shop stopped answering while checking {row.sku}: {e}") from None
                out.append(SkuCheck(row.sku, "missing", row.title, row.list_price, None,
                                    f"the shop does not know this SKU: {e}"))
                continue
        if bad_list or row.list_price is None:
            out.append(SkuCheck(row.sku, "plan_invalid", row.title, None, state,
                                f"products.csv row {row.row}, list_price: {bad_list[0] if bad_list else 'empty'}"))
        elif state.list_price != row.list_price:
            out.append(SkuCheck(row.sku, "list_price_differs", row.title, row.list_price, state,
                                f"the plan says {format_money(row.list_price)} 元, the shop "
                                f"{format_money(state.list_price)} 元"))
        else:
            out.append(SkuCheck(row.sku, "ok", row.title, row.list_price, state))
    return out, len(set(products) - seen)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int, right: bool = False) -> str:
    gap = " " * max(0, w - _width(s))
    return gap + s if right else s + gap


def _table(results: list[SkuCheck], out) -> None:
    head = ["sku", "title", "status", "plan 元", "shop 元", "price 元", "stock", "listed"]
    rows = []
    for r in results:
        j = r.to_json()
        rows.append([r.sku, r.title[:22], r.status.upper() if r.status != "ok" else "ok",
                     j["plan_list_price"] or "—", j["shop_list_price"] or "—", j["shop_price"] or "—",
                     "—" if r.shop is None else str(r.shop.stock),
                     "—" if r.shop is None else ("yes" if r.shop.listed else "no")])
    widths = [max(_width(x[i]) for x in [head] + rows) for i in range(len(head))]
    for row, r in zip([head] + rows, [None] + results):
        line = "  ".join(_pad(c, widths[i], right=i in (3, 4, 5, 6)) for i, c in enumerate(row))
        out.write(line.rstrip() + (f"   {r.reason}" if r is not None and r.reason else "") + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="main.py shop", description="Look at the shop the console will sell through.")
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="read-only: compare the plan's SKUs with the shop (writes nothing)",
                       description="Read-only: verify the shop's credentials, list the plan's SKUs as the shop "
                                   "has them, and report SKUs the shop does not know or whose list price differs.")
    c.add_argument("--show", help="show folder with products.csv (default: the sample show)")
    c.add_argument("--data-dir", help="data directory with settings.toml ([platform] kind and its table)")
    c.add_argument("--json", action="store_true", help="one JSON object per SKU, then a summary")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    show = Path(args.show) if args.show else SAMPLE_SHOW
    ddir = data_dir(args.data_dir, create=False)
    platform = None
    try:
        if not (show / "products.csv").is_file():
            raise CannotRun(f"{show}: no products.csv (give the show folder with --show)")
        settings = Settings(ddir / Settings.FILENAME)
        kind = platform_kind(settings)
        try:
            platform = create_platform(PlatformContext(settings, show, SystemClock(), ddir))
        except (SettingsError, PlatformError) as e:
            raise CannotRun(f"the {kind!r} platform cannot start: {e}") from None
        except (ValueError, OSError) as e:   # e.g. the simulator's catalogue cannot be read
            raise CannotRun(f"the {kind!r} platform cannot start: {e}") from None
        results, shop_only = check(ReadOnlyShop(platform), show / "products.csv")
    except (CannotRun, SettingsError) as e:
        print(f"shop check: cannot run: {e}", file=sys.stderr)
        return 2
    finally:
        close = getattr(platform, "close", None)
        if close is not None:
            close()
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
    status = 0 if counts["ok"] == len(results) else 1
    out = sys.stdout
    if args.json:
        for r in results:
            out.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
        out.write(json.dumps({"kind": "summary", "platform": kind, "skus": len(results), **counts,
                              "shop_only": shop_only, "exit": status}, ensure_ascii=False) + "\n")
    else:
        _table(results, out)
        out.write(f"\n{kind}: {len(results)} plan SKUs: {counts['ok']} ok, {counts['missing']} missing, "
                  f"{counts['list_price_differs']} list price differs, {counts['plan_invalid']} invalid in the plan; "
                  f"{shop_only} shop SKUs not in the plan — "
                  f"{'the shop matches the plan' if status == 0 else 'FIX THE SHOP OR THE PLAN before the show'}\n")
    out.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
