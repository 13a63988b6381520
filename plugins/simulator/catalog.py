"""Reading a show folder for the simulated shop: products.csv (the catalog) and show.toml (when and how big).

Money cells are 元 as people type them ("29.9") and become integer 分 exactly, through the console's
strict parser (never float).
A bad cell stops the load with the file, the line, the column and what was expected: a shop that
silently sold a mis-read price would defeat the point of the control room.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from controlroom.commerce.money import parse_money
from controlroom.csvfile import CsvFileError, read_csv
from controlroom.show import ShowError, load_show

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
    if not re.fullmatch(r"\d{1,9}", s):
        raise ValueError(f"expected {what} (a whole number from 0 to 999,999,999), got {text[:40]!r}")
    return int(s)


def load_catalog(path: Path | str) -> list[CatalogItem]:
    path = Path(path)
    try:
        table = read_csv(path)  # the core's one strict CSV reader: an open quote never swallows rows
    except CsvFileError as e:
        if "no such" in e.reason:
            raise CatalogError("file not found (a show needs products.csv)", path) from None
        raise CatalogError(e.reason, path, e.row, e.column) from None
    header = [h.strip() for h in (table.rows[0] if table.rows else [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError(f"missing column(s) {', '.join(missing)}; expected at least "
                           f"{', '.join(REQUIRED_COLUMNS)}", path, 1)
    items: list[CatalogItem] = []
    seen: dict[str, int] = {}
    for line, cells in zip(table.lines[1:], table.rows[1:]):
        row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
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
    """The simulator's view of show.toml, read and checked by the core's one show reader."""
    path = Path(path)
    if not path.exists():
        return ShowInfo()
    try:
        show = load_show(path.parent)
    except ShowError as e:
        raise CatalogError(str(e).removeprefix(f"{path}: "), path) from None
    return ShowInfo(title=show.title, start_local=show.start_local, slot_minutes=show.slot_minutes or 180,
                    currency=show.currency, target_viewers=show.targets.viewers or 150_000,
                    peak_online=show.peak_online)


def local_seconds(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60
