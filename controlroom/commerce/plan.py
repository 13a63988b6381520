"""The price plan: one CSV, checked by preflight before the show and imported by the console.

Public contract (keep stable): UTF-8 (a BOM is fine), a header row. Required columns: sku, title,
list_price, live_price (元). Optional: cost, floor_price, stock, per_buyer_limit, coupon_threshold,
coupon_off, coupon_qty (empty = unlimited), approved_deep_discount (yes/no). Other columns are
allowed and ignored by those rules. This reader also understands a few optional extras a planner
may add: offer_price, offer_qty, bundle_items_sum, gift_value (元), tiers ("2:89;3:79" = buy 2 at
89 元 each, 3 at 79 元), cue_text, planned_orders_per_min (for the live circuit breaker), and for a
sold-out product the plan's answer: substitute_sku (another SKU of this plan, never the row's own) and
substitute_talk_track (what the host says switching to it 售罄替换话术; checked for banned terms).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from controlroom.commerce.interlocks import (BLOCK, CONFIRM, Coupon, Finding, InterlockEngine, Terms, Tier,
                                             Verdict, worst)
from controlroom.commerce.compliance import check_text
from controlroom.commerce.money import MoneyError, format_money, parse_money
from controlroom.csvfile import CsvFileError, read_csv

REQUIRED = ("sku", "title", "list_price", "live_price")
MONEY_FIELDS = ("list_price", "live_price", "cost", "floor_price", "coupon_threshold", "coupon_off",
                "offer_price", "bundle_items_sum", "gift_value")
INT_FIELDS = ("stock", "per_buyer_limit", "coupon_qty", "offer_qty")
YES = {"yes", "y", "true", "1", "是", "approved"}
NO = {"no", "n", "false", "0", "否", ""}


class PlanError(ValueError):
    """The file cannot be read as a plan at all (preflight exit status 2)."""


@dataclass(frozen=True)
class PlanRow:
    row: int                     # 1-based data row
    sku: str
    title: str
    list_price: int | None
    live_price: int | None
    cost: int | None = None
    floor_price: int | None = None
    stock: int | None = None
    per_buyer_limit: int | None = None
    coupon_threshold: int | None = None
    coupon_off: int | None = None
    coupon_qty: int | None = None
    approved_deep_discount: bool = False
    offer_price: int | None = None
    offer_qty: int | None = None
    bundle_items_sum: int | None = None
    gift_value: int | None = None
    tiers: tuple[Tier, ...] = ()
    cue_text: str = ""
    planned_orders_per_min: float | None = None
    substitute_sku: str = ""
    substitute_talk_track: str = ""
    invalid: tuple[tuple[str, str], ...] = ()

    @property
    def coupon(self) -> Coupon | None:
        if self.coupon_off is None and self.coupon_threshold is None:
            return None
        return Coupon(threshold=self.coupon_threshold or 0, amount=self.coupon_off or 0,
                      total_qty=self.coupon_qty, per_buyer_limit=1, sku=self.sku)

    def terms(self, **changes: Any) -> Terms:
        c = self.coupon
        t = Terms(sku=self.sku, title=self.title, list_price=self.list_price, live_price=self.live_price,
                  cost=self.cost, floor_price=self.floor_price, stock=self.stock,
                  per_buyer_limit=self.per_buyer_limit, approved_deep_discount=self.approved_deep_discount,
                  coupons=(c,) if c and c.amount > 0 else (), tiers=self.tiers, offer_price=self.offer_price,
                  offer_qty=self.offer_qty, bundle_items_sum=self.bundle_items_sum, gift_value=self.gift_value,
                  texts=(self.cue_text,) if self.cue_text else (), invalid=self.invalid)
        return replace(t, **changes) if changes else t

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["tiers"] = [[t.min_qty, t.unit_price] for t in self.tiers]
        d["invalid"] = [list(x) for x in self.invalid]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "PlanRow":
        d = dict(d)
        d["tiers"] = tuple(Tier(int(q), int(p)) for q, p in d.get("tiers") or ())
        d["invalid"] = tuple(tuple(x) for x in d.get("invalid") or ())
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class RowResult:
    row: int
    sku: str
    verdict: Verdict

    def to_json(self) -> dict[str, Any]:
        n = self.verdict.net_price
        return {"row": self.row, "sku": self.sku, "verdict": self.verdict.verdict, "rules": self.verdict.rules,
                "net_price": format_money(n) if n is not None else None}


@dataclass
class Plan:
    path: str
    rows: list[PlanRow] = field(default_factory=list)

    def by_sku(self) -> dict[str, PlanRow]:
        out: dict[str, PlanRow] = {}
        for r in self.rows:
            out.setdefault(r.sku, r)
        return out


MAX_COUNT = 10 ** 9            # units; beyond this a cell is a typo
MAX_RATE = 1_000_000.0         # orders per minute


def _shown(s: str) -> str:
    """A cell as quoted back in a reason: a 5,000-character cell is not echoed whole."""
    return repr(s) if len(s) <= 24 else repr(s[:20] + "…") + f" ({len(s)} characters)"


def _count(digits: str, shown: str) -> int:
    """A whole number of units from its digits, bounded before it is converted: Python refuses to convert
    more than 4,300 digits with a text naming neither the row nor the column."""
    if len(digits.lstrip("0")) > len(str(MAX_COUNT)):
        raise ValueError(f"{shown} is absurdly large (above {MAX_COUNT:,})")
    n = int(digits)
    if n > MAX_COUNT:
        raise ValueError(f"{shown} is absurdly large (above {MAX_COUNT:,})")
    return n


def _int_cell(text: str, fld: str) -> int:
    s = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", s):
        return _count(s.replace(",", ""), _shown(s))
    if re.fullmatch(r"-\s*\d[\d,]*", s):
        raise ValueError(f"{_shown(s)} is negative; expected a whole number 0 or more")
    raise ValueError(f"{_shown(s)} is not a whole number")


def _rate_cell(text: str) -> float:
    """A planned rate: a plain finite number ≥ 0. nan, inf, 1e3 and negatives are refused: a rate that
    is not a number once switched the circuit breaker off."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not re.fullmatch(r"\d+(\.\d+)?", s):
        raise ValueError(f"{_shown(s)} is not a number of orders per minute (e.g. 12 or 7.5)")
    v = float(s)
    if v > MAX_RATE:
        raise ValueError(f"{_shown(s)} is absurdly large (above {MAX_RATE:,.0f} orders per minute)")
    return v


def _tiers_cell(text: str) -> tuple[Tier, ...]:
    tiers = []
    for part in re.split(r"[;；]", text):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d+)\s*[:：]\s*(.+)", part)
        if not m:
            raise ValueError(f"tier {part!r} is not QTY:PRICE (e.g. 2:89)")
        qty = _count(m.group(1), f"tier {_shown(part)}")
        if qty < 1:
            raise ValueError(f"tier {part!r}: the quantity must be 1 or more")
        tiers.append(Tier(qty, parse_money(m.group(2), "tiers"), part))
    return tuple(tiers)


def _row(n: int, cells: dict[str, str]) -> PlanRow:
    invalid: list[tuple[str, str]] = []
    vals: dict[str, Any] = {}

    def cell(name: str) -> str:
        return (cells.get(name) or "").strip()

    sku = unicodedata.normalize("NFKC", cell("sku")).strip()
    if not sku:
        invalid.append(("sku", "empty; every row needs a SKU"))
    for f in MONEY_FIELDS:
        text = cell(f)
        if not text:
            if f in REQUIRED:
                invalid.append((f, "empty; expected a price in 元"))
            continue
        try:
            vals[f] = parse_money(text, f)
        except MoneyError as e:
            invalid.append((f, str(e).split(": ", 1)[-1]))
    for f in INT_FIELDS:
        text = cell(f)
        if text:
            try:
                vals[f] = _int_cell(text, f)
            except ValueError as e:
                invalid.append((f, str(e)))
    if vals.get("per_buyer_limit") == 0:
        invalid.append(("per_buyer_limit", "0; leave it empty for no limit or give 1 or more"))
        vals.pop("per_buyer_limit")
    if "coupon_threshold" in vals and "coupon_off" not in vals and not any(f == "coupon_off" for f, _ in invalid):
        invalid.append(("coupon_off", "empty, but a coupon_threshold is given; expected the amount off in 元"))
    if cell("coupon_qty") and "coupon_off" not in vals and "coupon_threshold" not in vals:
        pass  # a quantity with no coupon is harmless
    approved = cell("approved_deep_discount").lower()
    if approved in YES:
        vals["approved_deep_discount"] = True
    elif approved not in NO:
        invalid.append(("approved_deep_discount", f"{approved!r}; expected yes or no"))
    if cell("tiers"):
        try:
            vals["tiers"] = _tiers_cell(cell("tiers"))
        except (ValueError, MoneyError) as e:
            invalid.append(("tiers", str(e)))
    if cell("planned_orders_per_min"):
        try:
            vals["planned_orders_per_min"] = _rate_cell(cell("planned_orders_per_min"))
        except ValueError as e:
            invalid.append(("planned_orders_per_min", str(e)))
    sub = unicodedata.normalize("NFKC", cell("substitute_sku")).strip()
    talk = cell("substitute_talk_track")
    if talk and not sub:
        invalid.append(("substitute_talk_track", "given, but substitute_sku is empty; name the SKU it switches to"))
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", talk):
        invalid.append(("substitute_talk_track", "contains control characters; it is shown to the host as typed"))
    return PlanRow(row=n, sku=sku, title=cell("title"), list_price=vals.pop("list_price", None),
                   live_price=vals.pop("live_price", None), cue_text=cell("cue_text"),
                   substitute_sku=sub, substitute_talk_track=talk, invalid=tuple(invalid), **vals)


def _check_substitutes(rows: list[PlanRow]) -> list[PlanRow]:
    """A substitute must be another SKU of this plan (checked once every row is read)."""
    skus = {r.sku for r in rows if r.sku}
    out = []
    for r in rows:
        bad = []
        if r.substitute_sku:
            if r.substitute_sku == r.sku:
                bad.append(("substitute_sku", f"{r.substitute_sku!r} is the product itself; name another SKU of "
                                              f"the plan"))
            elif r.substitute_sku not in skus:
                bad.append(("substitute_sku", f"{r.substitute_sku!r} is not a SKU of this plan"))
        out.append(replace(r, invalid=r.invalid + tuple(bad)) if bad else r)
    return out


def read_plan(path: str | Path) -> Plan:
    """Read a plan CSV. Raises PlanError when the file itself is not a plan; bad cells stay in the rows."""
    p = Path(path)
    try:
        rows = read_csv(p).rows  # the one strict CSV reader: an unterminated quote is refused with its row
    except CsvFileError as e:
        raise PlanError(str(e)) from None
    if not rows or not any(c.strip() for c in rows[0]):
        raise PlanError(f"{p}: empty; expected a header row with {', '.join(REQUIRED)}")
    header = [unicodedata.normalize("NFKC", h).strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise PlanError(f"{p}: missing required column(s) {', '.join(missing)} in the header row "
                        f"(found: {', '.join(h for h in header if h) or 'nothing'})")
    dups = sorted({h for h in header if h and header.count(h) > 1})
    if dups:
        raise PlanError(f"{p}: column(s) {', '.join(dups)} appear more than once in the header row")
    plan = Plan(str(p))
    n = 0
    for cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue  # a blank line is not a data row
        n += 1
        plan.rows.append(_row(n, {h: cells[i] if i < len(cells) else "" for i, h in enumerate(header) if h}))
    plan.rows = _check_substitutes(plan.rows)
    return plan


def check_plan(plan: Plan, engine: InterlockEngine | None = None) -> list[RowResult]:
    """Run the interlock engine over every row, as if each were listed at its planned prices."""
    engine = engine or InterlockEngine()
    prices: dict[str, set] = {}
    for r in plan.rows:
        if r.sku:
            prices.setdefault(r.sku, set()).add((r.list_price, r.live_price, r.offer_price))
    counts: dict[str, int] = {}
    for r in plan.rows:
        counts[r.sku] = counts.get(r.sku, 0) + 1
    out = []
    for r in plan.rows:
        terms = r.terms()
        c = r.coupon
        v = engine.evaluate(terms, new_coupons=(c,) if c else (), listing=False)
        extra: list[Finding] = []
        hits = check_text(r.substitute_talk_track)
        if hits:
            found = list(dict.fromkeys(h.term for h in hits))
            extra.append(Finding("banned_terms", CONFIRM, "substitute_talk_track: banned absolute terms "
                                 + ", ".join(f"“{t}”" for t in found), {"field": "substitute_talk_track",
                                                                       "terms": found}))
        if r.stock is not None and r.stock <= 0:
            extra.append(Finding("list_no_stock", BLOCK, f"stock {r.stock}: the row cannot be listed", {"stock": r.stock}))
        if r.sku and counts[r.sku] > 1:
            if len(prices[r.sku]) > 1:
                extra.append(Finding("duplicate_sku", BLOCK, f"SKU {r.sku} appears {counts[r.sku]} times with "
                                     f"different prices", {"rows": counts[r.sku]}))
            else:
                extra.append(Finding("duplicate_sku", CONFIRM, f"SKU {r.sku} appears {counts[r.sku]} times "
                                     f"(same prices)", {"rows": counts[r.sku]}))
        if extra:
            findings = v.findings + tuple(extra)
            v = Verdict(worst(v.verdict, *(f.severity for f in extra)), findings, v.net_price, v.list_price,
                        v.floor, v.sku)
        out.append(RowResult(r.row, r.sku, v))
    return out
