"""Money: integer minor units (分), one strict parser, explicit conversion to each platform's unit.

Every price a person types or imports goes through `parse_money`. It accepts the forms people
really write (`29.9`, `1,699`, `1699元`, `¥29.9`, full-width digits) and refuses anything that
could be read two ways: `29,9` is a comma decimal (never 299), `1.699` has three decimals (a
European thousands separator would make it 1699), exponents, negatives, NaN. A wrong unit at the
platform boundary is a 100x error, so `to_platform_unit`/`from_platform_unit` name the unit.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_FEN", "MoneyError", "parse_money", "format_money", "format_yuan", "to_platform_unit",
           "from_platform_unit", "UNITS"]

UNITS = ("fen", "yuan", "decimal_string")


class MoneyError(ValueError):
    """A money value could not be read. The message names the field and the problem."""

    def __init__(self, message: str, field: str = "price", text: object = None):
        super().__init__(message)
        self.field = field
        self.text = text


# Up to 999,999,999,999,999.99 元: past any price, target or GMV, and in 分 still inside SQLite's
# 64-bit integers (a longer amount could not even be journaled).
MAX_WHOLE_DIGITS = 15
MAX_FEN = 10 ** (MAX_WHOLE_DIGITS + 2) - 1
MAX_TEXT = 48           # characters of text, spaces, separators and currency signs included


_CURRENCY_PREFIX = ("¥", "￥", "RMB", "CNY")
_CURRENCY_SUFFIX = ("元", "RMB", "CNY")
_PLAIN = re.compile(r"(\d+)(?:\.(\d{1,2}))?")
_GROUPED = re.compile(r"(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?")
_MINUS = "-−–—﹣"


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, ．，＋－ and the full-width yen sign; ideographic space too.
    s = unicodedata.normalize("NFKC", text).strip()
    for p in _CURRENCY_PREFIX:
        if s.upper().startswith(p):
            s = s[len(p):].strip()
            break
    for p in _CURRENCY_SUFFIX:
        if s.upper().endswith(p):
            s = s[: -len(p)].strip()
            break
    return s


def _diagnose(s: str, shown: str, field: str) -> str:
    """Why `s` (already normalised) is not an amount; the first problem that fits, in words."""
    low = s.lower()
    if s == "":
        return f"{field}: empty; expected an amount in 元 such as 29.90"
    if s[0] in _MINUS or (s.startswith("(") and s.endswith(")")):
        return f"{field}: {shown!r} is negative; prices and amounts must be 0 or more"
    if low.lstrip("+") in ("nan", "inf", "infinity", "-nan", "+inf"):
        return f"{field}: {shown!r} is not a number (NaN/infinity)"
    if re.fullmatch(r"[+]?[\d.,]*\d[eE][+\-]?\d+", s):
        return f"{field}: {shown!r} uses an exponent; write the amount out in full, e.g. 1500.00"
    if s.startswith("+"):
        return f"{field}: {shown!r} has a sign; write the amount without '+'"
    if re.fullmatch(r"[\d,.]+", s):
        if re.fullmatch(r"(?:\d[\d.]*)?,\d{1,2}", s) or re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", s) \
                or re.fullmatch(r"[\d,]*\d,\d{1,2}", s):
            return (f"{field}: {shown!r} uses a comma as the decimal point; write it with a dot "
                    f"(e.g. 29.9) — a comma only separates thousands, as in 1,699")
        if s.count(".") > 1:
            return f"{field}: {shown!r} has more than one decimal point"
        if "." in s and len(s.rsplit(".", 1)[1]) > 2:
            return f"{field}: {shown!r} has more than 2 decimals; 分 is the smallest unit (e.g. 29.99)"
        if s.endswith(".") or s.startswith(".") or s.endswith(","):
            return f"{field}: {shown!r} is incomplete; expected digits on both sides of the decimal point"
        if "," in s:
            return (f"{field}: {shown!r} has thousands separators that are not groups of 3 digits "
                    f"(write 1,699 or 1699)")
    return f"{field}: {shown!r} is not an amount in 元; expected something like 29.90, 1,699 or ¥29.9"


def _to_fen(whole: str, frac: str | None) -> int:
    return int(whole.replace(",", "")) * 100 + int((frac or "").ljust(2, "0") or "0")


def parse_money(text: str, field: str = "price") -> int:
    """Read an amount in 元 as typed or imported and return 分. Raises MoneyError naming the problem."""
    if not isinstance(text, str):
        raise MoneyError(f"{field}: expected text, got {type(text).__name__} {text!r}", field, text)
    if len(text) > MAX_TEXT:  # checked first: a 5,000-digit cell must not reach int() (Python refuses it, wordlessly)
        shown = text.strip()
        raise MoneyError(f"{field}: {shown[:12]!r}… is {len(shown):,} characters long; an amount has at most "
                         f"{MAX_WHOLE_DIGITS} digits before the decimal point", field, text)
    s = _normalise(text)
    m = _PLAIN.fullmatch(s) or _GROUPED.fullmatch(s)
    if not m:
        raise MoneyError(_diagnose(s, text.strip(), field), field, text)
    if len(m.group(1).replace(",", "")) > MAX_WHOLE_DIGITS:
        raise MoneyError(f"{field}: {text.strip()!r} has more than {MAX_WHOLE_DIGITS} digits before the decimal "
                         f"point; no price or target is that large", field, text)
    return _to_fen(m.group(1), m.group(2))


def format_money(fen: int, grouping: bool = False) -> str:
    """分 -> "29.90" (or "1,699.00" with grouping). Exact: integer arithmetic only."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(f"amount must be an integer number of 分, got {type(fen).__name__} {fen!r}")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    w = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{w}.{cents:02d}"


def format_yuan(fen: int, grouping: bool = False) -> str:
    """分 -> "¥29.90" (a negative amount as "-¥29.90")."""
    s = format_money(fen, grouping)
    return "-¥" + s[1:] if s.startswith("-") else "¥" + s


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise MoneyError(f"unknown platform money unit {unit!r}; expected one of {', '.join(UNITS)}")


def to_platform_unit(fen: int, unit: str) -> int | str:
    """分 -> what the platform takes: "fen" -> int 分 (抖店), "yuan" -> "29.90" (Taobao),
    "decimal_string" -> "29.90" (TikTok Shop)."""
    _check_unit(unit)
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(f"amount must be an integer number of 分, got {type(fen).__name__} {fen!r}")
    if fen < 0:
        raise MoneyError(f"amount {fen} 分 is negative; a platform price must be 0 or more")
    if unit == "fen":
        return fen
    return format_money(fen)


_PLATFORM_DECIMAL = re.compile(r"(\d+)(?:\.(\d{1,2}))?")


def from_platform_unit(value: object, unit: str, field: str = "price") -> int:
    """What a platform returned -> 分, as strictly as parse_money: no guessing at units."""
    _check_unit(unit)
    if isinstance(value, bool) or value is None:
        raise MoneyError(f"{field}: platform returned {value!r}, not an amount", field, value)
    if unit == "fen":
        if isinstance(value, int):
            if value < 0:
                raise MoneyError(f"{field}: platform returned a negative amount {value} 分", field, value)
            return value
        if isinstance(value, str) and re.fullmatch(r"\d+", value.strip()):
            return int(value.strip())
        raise MoneyError(f"{field}: platform unit is 分 (whole numbers); got {value!r}", field, value)
    if isinstance(value, float):
        # repr() is the shortest text that round-trips, so 29.9 reads as "29.9", never 29.899999
        text = repr(value)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise MoneyError(f"{field}: platform returned {type(value).__name__} {value!r}, not an amount",
                         field, value)
    s = text.strip()
    m = _PLATFORM_DECIMAL.fullmatch(s)
    if not m:
        raise MoneyError(_diagnose(unicodedata.normalize("NFKC", s), s, field), field, value)
    return _to_fen(m.group(1), m.group(2))
