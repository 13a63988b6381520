"""Bilingual labels and number formats for the recap files (HTML, PDF, XLSX).

A recap is read by people who did not sit in the control room (the brand, the agency), often
forwarded as a file, so headings carry both languages: "Headline 核心指标". The Chinese comes from the
recap's own label file, resources/recap/labels_zh_CN.json, read here without Qt so the core can write the files
(the UI's words are in Qt Linguist catalogs, resources/i18n/*.ts; the recap is not translated, it is bilingual).
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from controlroom.metrics.kpi import DASH, fmt_count, fmt_rate, fmt_yuan
from controlroom.paths import RESOURCES

CATALOG = RESOURCES / "recap" / "labels_zh_CN.json"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, str]:
    try:
        return json.loads(CATALOG.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def zh(text: str) -> str:
    return _catalog().get(text, "")


def bi(text: str, sep: str = " ") -> str:
    """'Headline 核心指标' (English first: the source string; the Chinese when the catalog has it)."""
    z = zh(text)
    return f"{text}{sep}{z}" if z and z != text else text


def fmt_value(value, unit: str) -> str:
    if value is None:
        return DASH
    if unit == "fen":
        return fmt_yuan(int(value))
    if unit == "rate":
        return fmt_rate(value)
    return fmt_count(value)


def fmt_fraction(x: float | None) -> str:
    return DASH if x is None else f"{x * 100:.0f} %"


def fmt_change(x: float | None) -> str:
    return DASH if x is None else f"{x * 100:+.0f} %"


def fmt_duration(seconds: float | None, signed: bool = False) -> str:
    if seconds is None:
        return DASH
    sign = ("+" if seconds >= 0 else "−") if signed else ("−" if seconds < 0 else "")
    s = int(round(abs(seconds)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m}:{sec:02d}"


def fmt_local(dt: datetime | None, with_date: bool = False) -> str:
    """Local wall time, 24-hour (the journal keeps UTC)."""
    if dt is None:
        return DASH
    loc = dt.astimezone()
    return loc.strftime("%Y-%m-%d %H:%M:%S %z" if with_date else "%H:%M:%S")


def fmt_rate_per_min(x: float | None) -> str:
    return DASH if x is None else f"{x:.1f}/min"
