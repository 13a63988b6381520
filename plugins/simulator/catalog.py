"""Reading a show folder for the simulated shop: products.csv (the catalog) and show.toml (when and how big).

Money cells are 元 as people type them ("29.9") and become integer 分 exactly, through the console's
strict parser (never float).
A bad cell stops the load with the file, the line, the column and what was expected: a shop that
silently sold a mis-read price would defeat the point of the control room.
"""
from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from controlroom.commerce.money import parse_money

REQUIRED_COLUMNS = ("sku", "title", "list_price", "live_price", "stock")


class CatalogError(ValueError):
    """A show file could not be read. `path`, `line` and `column` say where."""

    def __init__(self, message: str, path: Path | str, line: int | None = None, column: str | None = None):
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class CatalogItem:
    sku: str
    title: str
    list_price: int      # 分
    live_price: int      # 分: the planned live price; the simulator's demand is anchored on it
    stock: int
    per_buyer_limit: int = 1
    role: str = ""


@dataclass(frozen=True)
class ShowInfo:
    title: str = ""
    start_local: str = "20:00"   # local time of day the show starts: drives the time-of-day traffic curve
    slot_minutes: int = 180
    currency: str = "CNY"
    target_viewers: int = 150_000
    peak_online: int | None = None   # [simulator] peak_online: size the room by its peak instead of its viewers


def _parse_yuan(text: str, column: str) -> int:
    """The console's one strict money parser; its MoneyError is a ValueError the caller turns into a named cell."""
    return parse_money(text, field=column)


def _parse_int(text: str, what: str) -> int:
    s = text.strip()
    if not re.fullmatch(r"\d+", s):
        raise ValueError(f"expected {what} (a whole number ≥ 0), got {text!r}")
    return int(s)


def load_catalog(path: Path | str) -> list[CatalogItem]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CatalogError("file not found (a show needs products.csv)", path) from None
    except UnicodeDecodeError as e:
        raise CatalogError(f"not UTF-8 text ({e.reason})", path) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError(f"missing column(s) {', '.join(missing)}; expected at least "
                           f"{', '.join(REQUIRED_COLUMNS)}", path, 1)
    items: list[CatalogItem] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "") for k, v in row.items()}
        if not any(v.strip() for v in row.values()):
            continue  # blank line
        sku = row["sku"].strip()
        if not sku:
            raise CatalogError("empty SKU", path, line, "sku")
        if sku in seen:
            raise CatalogError(f"SKU {sku!r} appears twice (first on line {seen[sku]})", path, line, "sku")
        seen[sku] = line
        title = row["title"].strip()
        if not title:
            raise CatalogError("empty title", path, line, "title")
        values: dict[str, int] = {}
        for col in ("list_price", "live_price"):
            try:
                values[col] = _parse_yuan(row[col], col)
            except ValueError as e:
                raise CatalogError(str(e), path, line, col) from None
            if values[col] <= 0:
                raise CatalogError(f"expected a price above 0 元, got {row[col]!r}", path, line, col)
        try:
            stock = _parse_int(row["stock"], "a stock count")
        except ValueError as e:
            raise CatalogError(str(e), path, line, "stock") from None
        limit = 1
        if row.get("per_buyer_limit", "").strip():
            try:
                limit = _parse_int(row["per_buyer_limit"], "a per-buyer limit")
            except ValueError as e:
                raise CatalogError(str(e), path, line, "per_buyer_limit") from None
            if limit < 1:
                raise CatalogError("expected a per-buyer limit of at least 1", path, line, "per_buyer_limit")
        items.append(CatalogItem(sku, title, values["list_price"], values["live_price"], stock, limit,
                                 row.get("role", "").strip()))
    if not items:
        raise CatalogError("no products", path)
    return items


def load_show_info(path: Path | str) -> ShowInfo:
    path = Path(path)
    if not path.exists():
        return ShowInfo()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"not valid TOML ({e})", path) from None
    start = str(data.get("start_local", "20:00")).strip()
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", start):
        raise CatalogError(f"expected a local time like \"20:00\", got {start!r}", path, column="start_local")
    slot = data.get("slot_minutes", 180)
    if not isinstance(slot, int) or isinstance(slot, bool) or slot <= 0:
        raise CatalogError(f"expected a whole number of minutes > 0, got {slot!r}", path, column="slot_minutes")
    viewers = (data.get("targets") or {}).get("viewers", 150_000)
    if not isinstance(viewers, int) or isinstance(viewers, bool) or viewers <= 0:
        raise CatalogError(f"expected a whole number of viewers > 0, got {viewers!r}", path,
                           column="targets.viewers")
    peak = (data.get("simulator") or {}).get("peak_online")
    if peak is not None and (not isinstance(peak, int) or isinstance(peak, bool) or peak <= 0):
        raise CatalogError(f"expected a whole number of viewers > 0, got {peak!r}", path,
                           column="simulator.peak_online")
    return ShowInfo(title=str(data.get("title", "")), start_local=start, slot_minutes=slot,
                    currency=str(data.get("currency", "CNY")), target_viewers=viewers, peak_online=peak)


def local_seconds(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60
