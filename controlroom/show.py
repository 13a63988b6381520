"""The show folder, read and checked in one place: show.toml, and where products.csv and the rundown are.

Every room reads the show through here (the runtime's title, the metrics targets, the rundown's
slot, the simulated shop's start time and audience), so a value is checked once, the same way,
and a wrong one is refused naming the file, the [section] and the key — before the show starts.

show.toml (all optional; UTF-8):

  title         = "晚间美妆专场"   text, at most 200 characters (default: the folder's name)
  slot_minutes  = 180              the booked slot, whole minutes 1..1440
  start_local   = "20:00"          local time of day the show starts (HH:MM)
  currency      = "CNY"            three capital letters
  category      = "beauty"         text
  [targets]
  gmv           = "6000000"        元 (text or a whole number), through the one money parser
  viewers       = 150000           unique viewers, 1..1,000,000,000
  conversion    = 0.15             buyers / viewers, a fraction 0..1
  uv_value      = "20"             元 per viewer
  [simulator]
  peak_online   = 280000           size the simulated room by its peak, 1..1,000,000,000

Unknown sections and keys are refused (a typo must not silently drop a target); so are NaN,
infinities, booleans where numbers belong and numbers out of range.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controlroom.commerce.money import MoneyError, parse_money
from controlroom.csvfile import CsvFileError, read_text

SHOW_FILE = "show.toml"
PRODUCTS_FILE = "products.csv"
RUNDOWN_FILE = "rundown.csv"
MAX_COUNT = 1_000_000_000
MAX_SLOT_MINUTES = 24 * 60


class ShowError(ValueError):
    """show.toml (or the folder) cannot be used. The message names the file, [section] and key."""

    def __init__(self, message: str, path: str | Path, key: str | None = None):
        super().__init__(message)
        self.path = Path(path)
        self.key = key


@dataclass(frozen=True)
class ShowTargets:
    gmv: int | None = None           # 分
    viewers: int | None = None
    conversion: float | None = None
    uv_value: int | None = None      # 分 per viewer


@dataclass(frozen=True)
class Show:
    path: Path                       # the show folder
    title: str
    slot_minutes: int | None = None
    start_local: str = "20:00"
    currency: str = "CNY"
    category: str = ""
    targets: ShowTargets = field(default_factory=ShowTargets)
    peak_online: int | None = None

    @property
    def show_file(self) -> Path:
        return self.path / SHOW_FILE

    @property
    def products_path(self) -> Path:
        return self.path / PRODUCTS_FILE

    @property
    def rundown_path(self) -> Path:
        return self.path / RUNDOWN_FILE

    @property
    def slot_s(self) -> float | None:
        return None if self.slot_minutes is None else self.slot_minutes * 60.0


# ---- the checks: each returns the value or raises ShowError naming file, section and key ----------------
_TOP = {"title", "slot_minutes", "start_local", "currency", "category"}
_SECTIONS = {"targets": {"gmv", "viewers", "conversion", "uv_value"}, "simulator": {"peak_online"}}


def _where(path: Path, section: str | None, key: str) -> str:
    return f"{path}: " + (f"[{section}] " if section else "") + key


def _text(v: Any, path: Path, section: str | None, key: str, max_len: int = 200) -> str:
    if not isinstance(v, str):
        raise ShowError(f"{_where(path, section, key)}: expected text in quotes, got {v!r}", path, key)
    if len(v) > max_len:
        raise ShowError(f"{_where(path, section, key)}: at most {max_len} characters, got {len(v)}", path, key)
    return v


def _whole(v: Any, path: Path, section: str | None, key: str, what: str, lo: int, hi: int) -> int:
    ok = isinstance(v, int) and not isinstance(v, bool)
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        v, ok = int(v), True
    if not ok or not lo <= v <= hi:
        raise ShowError(f"{_where(path, section, key)}: expected {what}, a whole number from {lo:,} to {hi:,}; "
                        f"got {v!r}", path, key)
    return v


def _money(v: Any, path: Path, section: str | None, key: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (str, int, float)) or (isinstance(v, float) and not math.isfinite(v)):
        raise ShowError(f"{_where(path, section, key)}: expected an amount in 元 like \"600000\" or \"4.5\", "
                        f"got {v!r}", path, key)
    try:
        return parse_money(str(v), field=_where(path, section, key))
    except MoneyError as e:
        raise ShowError(f"{e} (an amount in 元 like \"600000\" or \"4.5\", at most 2 decimals)", path, key) from None


def _fraction(v: Any, path: Path, section: str | None, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not 0 <= v <= 1:
        raise ShowError(f"{_where(path, section, key)}: expected a fraction between 0 and 1 (0.15 = 15 %), "
                        f"got {v!r}", path, key)
    return float(v)


def parse_show(data: dict[str, Any], folder: str | Path, path: str | Path | None = None) -> Show:
    """Check show.toml's parsed table; `path` names the file in messages."""
    folder = Path(folder)
    path = Path(path) if path is not None else folder / SHOW_FILE
    for key, value in data.items():
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise ShowError(f"{path}: [{key}] must be a table (a [{key}] section)", path, key)
            unknown = sorted(set(value) - _SECTIONS[key])
            if unknown:
                raise ShowError(f"{path}: [{key}] has unknown key(s) {', '.join(unknown)}; known: "
                                f"{', '.join(sorted(_SECTIONS[key]))}", path, f"{key}.{unknown[0]}")
        elif key not in _TOP:
            what = "section" if isinstance(value, dict) else "key"
            raise ShowError(f"{path}: unknown {what} {key!r}; known keys: {', '.join(sorted(_TOP))}; sections: "
                            f"{', '.join(f'[{s}]' for s in sorted(_SECTIONS))}", path, key)
    title = _text(data["title"], path, None, "title").strip() if "title" in data else ""
    slot = _whole(data["slot_minutes"], path, None, "slot_minutes", "the booked slot in minutes", 1,
                  MAX_SLOT_MINUTES) if "slot_minutes" in data else None
    start = _text(data.get("start_local", "20:00"), path, None, "start_local").strip()
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", start):
        raise ShowError(f"{_where(path, None, 'start_local')}: expected a local time like \"20:00\", got {start!r}",
                        path, "start_local")
    currency = _text(data.get("currency", "CNY"), path, None, "currency").strip()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ShowError(f"{_where(path, None, 'currency')}: expected a currency code like \"CNY\", got {currency!r}",
                        path, "currency")
    category = _text(data.get("category", ""), path, None, "category").strip()
    t = data.get("targets") or {}
    targets = ShowTargets(
        gmv=_money(t["gmv"], path, "targets", "gmv") if "gmv" in t else None,
        viewers=_whole(t["viewers"], path, "targets", "viewers", "unique viewers", 1, MAX_COUNT)
        if "viewers" in t else None,
        conversion=_fraction(t["conversion"], path, "targets", "conversion") if "conversion" in t else None,
        uv_value=_money(t["uv_value"], path, "targets", "uv_value") if "uv_value" in t else None)
    sim = data.get("simulator") or {}
    peak = _whole(sim["peak_online"], path, "simulator", "peak_online", "peak concurrent viewers", 1, MAX_COUNT) \
        if "peak_online" in sim else None
    return Show(folder, title or folder.name, slot, start, currency, category, targets, peak)


def load_show(folder: str | Path) -> Show:
    """The show folder's show.toml, checked; defaults when the folder has none. Raises ShowError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ShowError(f"{folder}: " + ("is a file, not a show folder" if folder.exists() else
                                         "no such show folder (it holds show.toml, products.csv, rundown.csv)"),
                        folder)
    path = folder / SHOW_FILE
    if not path.exists():
        return Show(folder, folder.name)
    try:
        text = read_text(path, "TOML file")
    except CsvFileError as e:
        raise ShowError(str(e), path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ShowError(f"{path}: not valid TOML ({e})", path) from None
    return parse_show(data, folder, path)
