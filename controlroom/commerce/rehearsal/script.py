"""Reading a rehearsal script: JSON Lines, UTF-8, one action per line.

`#` lines and blank lines are ignored; `t` is seconds from the start, never decreasing. Everything
is checked before anything runs, and the first problem is refused with the line and the field:
`script.jsonl, line 4, field price: '59,9' is not a price in 元 ...`. Money is read from the JSON
text itself (never through a float), with the console's one strict money parser.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from controlroom.commerce.money import MoneyError, parse_money

ACTIONS = ("list", "unlist", "pin", "stock", "price", "offer", "coupon")
DOS = ACTIONS + ("orders", "fault", "restart")
FAULT_KINDS = ("hang", "apply_then_error", "error", "rate_limit", "lie")
MAX_T = 7 * 24 * 3600.0           # a week of show time: past this a time is a typo
MAX_COUNT = 1_000_000

# fields each kind of line may carry, beyond t, do and the ticket fields
FIELDS: dict[str, dict[str, bool]] = {     # field -> required
    "list": {"sku": True}, "unlist": {"sku": True}, "pin": {"sku": True},
    "stock": {"sku": True, "shown": True},
    "price": {"sku": True, "price": True},
    "offer": {"sku": True, "price": True, "duration_s": True, "quantity": False, "per_buyer_limit": False},
    "coupon": {"sku": False, "threshold": True, "off": True, "quantity": False, "per_buyer_limit": False},
    "orders": {"sku": True, "count": True, "over_s": False, "per_buyer": False},
    "fault": {"sku": False, "kind": True, "for_s": True},
    "restart": {},
}
TICKET_FIELDS = ("confirm", "confirm_at", "override")
FREE_FIELDS = ("note", "comment")


class ScriptError(ValueError):
    """The script cannot be run as written (exit status 2)."""


@dataclass(frozen=True)
class Line:
    no: int                       # 1-based line in the file
    t: float
    do: str
    sku: str | None = None
    price: int | None = None      # 分
    duration_s: float | None = None
    quantity: int | None = None
    per_buyer_limit: int | None = None
    threshold: int | None = None
    off: int | None = None
    shown: int | None = None
    count: int | None = None
    over_s: float = 0.0
    per_buyer: int = 1
    kind: str | None = None
    for_s: float | None = None
    confirm: bool = False
    confirm_at: float | None = None
    override: tuple[str, str] | None = None   # (name, reason)

    @property
    def submit_at(self) -> float:
        return self.confirm_at if self.confirm_at is not None else self.t


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_script(path: str | Path, skus: set[str] | frozenset[str]) -> list[Line]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScriptError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise ScriptError(f"{p}: is a directory, not a script") from None
    except OSError as e:
        raise ScriptError(f"{p}: cannot be read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        from controlroom.csvfile import _guess_encoding
        no = raw.count(b"\n", 0, e.start) + 1   # the message names the line, as every other script error does
        raise ScriptError(f"{p}, line {no}: not UTF-8 ({_guess_encoding(raw)}): byte 0x{raw[e.start]:02x} cannot be "
                          f"read; save the script as UTF-8") from None
    lines: list[Line] = []
    last_t = 0.0
    for no, src in enumerate(text.splitlines(), start=1):
        s = src.strip()
        if not s or s.startswith("#"):
            continue
        where = f"{p}, line {no}"
        try:
            obj = json.loads(s, parse_float=Decimal, parse_constant=_no_constants)
        except ValueError as e:
            raise ScriptError(f"{where}: not valid JSON: {e}") from None
        if not isinstance(obj, dict):
            raise ScriptError(f"{where}: expected a JSON object such as {{\"t\": 0, \"do\": \"list\", ...}}")
        line = _line(no, obj, where, skus)
        if line.t < last_t:
            raise ScriptError(f"{where}, field t: {line.t:g} is before the line above ({last_t:g}); "
                              f"times must not decrease")
        last_t = line.t
        lines.append(line)
    return lines


def _bad(where: str, field: str, why: str) -> ScriptError:
    return ScriptError(f"{where}, field {field}: {why}")


def _number(obj: dict, field: str, where: str, *, minimum: float = 0.0, maximum: float = MAX_T,
            above: bool = False) -> float:
    v = obj[field]
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
        raise _bad(where, field, f"{v!r} is not a number of seconds")
    try:
        f = float(v)
    except (InvalidOperation, OverflowError):
        raise _bad(where, field, f"{v!r} is not a number") from None
    if not math.isfinite(f):
        raise _bad(where, field, f"{v!r} is not a finite number")
    if f < minimum or (above and f <= minimum):
        raise _bad(where, field, f"{v} must be {'above' if above else 'at least'} {minimum:g}")
    if f > maximum:
        raise _bad(where, field, f"{v} is absurdly large (above {maximum:g})")
    return f


def _whole(obj: dict, field: str, where: str, *, minimum: int = 1, maximum: int = MAX_COUNT,
           nullable: bool = False) -> int | None:
    v = obj[field]
    if v is None and nullable:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise _bad(where, field, f"{v!r} is not a whole number")
    if v < minimum:
        raise _bad(where, field, f"{v} must be at least {minimum}")
    if v > maximum:
        raise _bad(where, field, f"{v} is absurdly large (above {maximum:,})")
    return v


def _money(obj: dict, field: str, where: str) -> int:
    v = obj[field]
    if isinstance(v, bool) or not isinstance(v, (str, int, Decimal)):
        raise _bad(where, field, f"{v!r} is not a price in 元 (write it as text, e.g. \"59.90\")")
    try:
        return parse_money(str(v), field)
    except MoneyError as e:
        raise _bad(where, field, str(e).split(": ", 1)[-1]) from None


def _line(no: int, obj: dict, where: str, skus) -> Line:
    if "t" not in obj:
        raise _bad(where, "t", "missing; every line needs the seconds from the start")
    t = _number(obj, "t", where)
    do = obj.get("do")
    if do not in DOS:
        raise _bad(where, "do", f"{do!r} is not one of {', '.join(DOS)}")
    allowed = FIELDS[do]
    extra = [k for k in obj if k not in ("t", "do") and k not in allowed and k not in FREE_FIELDS
             and not (do in ACTIONS and k in TICKET_FIELDS)]
    if extra:
        raise _bad(where, extra[0], f"not a field of a {do!r} line (it takes {', '.join(allowed) or 'nothing'}"
                                    f"{', ' + ', '.join(TICKET_FIELDS) if do in ACTIONS else ''})")
    for field, required in allowed.items():
        if required and obj.get(field) is None and not (do == "stock" and field == "shown" and "shown" in obj):
            raise _bad(where, field, "missing")
    vals: dict[str, Any] = {}
    if "sku" in allowed and obj.get("sku") is not None:
        sku = obj["sku"]
        if not isinstance(sku, str) or not sku.strip():
            raise _bad(where, "sku", f"{sku!r} is not a SKU")
        if sku not in skus:
            known = ", ".join(sorted(skus)[:8]) + (" …" if len(skus) > 8 else "")
            raise _bad(where, "sku", f"{sku!r} is not a product of this show (it sells {known})")
        vals["sku"] = sku
    for field in ("price", "threshold", "off"):
        if field in allowed and obj.get(field) is not None:
            vals[field] = _money(obj, field, where)
    if do == "price" or do == "offer":
        if vals["price"] <= 0:
            raise _bad(where, "price", "must be above zero")
    if do == "coupon" and vals["off"] <= 0:
        raise _bad(where, "off", "must be above zero")
    if "duration_s" in allowed and obj.get("duration_s") is not None:
        vals["duration_s"] = _number(obj, "duration_s", where, above=True, maximum=24 * 3600)
    for field in ("quantity", "per_buyer_limit"):
        if field in allowed and obj.get(field) is not None:
            vals[field] = _whole(obj, field, where)
    if do == "stock":
        vals["shown"] = _whole(obj, "shown", where, minimum=0, nullable=True)
    if do == "orders":
        vals["count"] = _whole(obj, "count", where)
        if obj.get("over_s") is not None:
            vals["over_s"] = _number(obj, "over_s", where)
        if obj.get("per_buyer") is not None:
            vals["per_buyer"] = _whole(obj, "per_buyer", where, maximum=10_000)
    if do == "fault":
        kind = obj.get("kind")
        if kind not in FAULT_KINDS:
            raise _bad(where, "kind", f"{kind!r} is not one of {', '.join(FAULT_KINDS)}")
        vals["kind"] = kind
        vals["for_s"] = _number(obj, "for_s", where)
    if do in ACTIONS:
        if "confirm" in obj:
            if not isinstance(obj["confirm"], bool):
                raise _bad(where, "confirm", f"{obj['confirm']!r} is not true or false")
            vals["confirm"] = obj["confirm"]
        if obj.get("confirm_at") is not None:
            at = _number(obj, "confirm_at", where)
            if at < t:
                raise _bad(where, "confirm_at", f"{at:g} is before the line's own t ({t:g})")
            vals["confirm_at"] = at
        if obj.get("override") is not None:
            ov = obj["override"]
            if not isinstance(ov, dict):
                raise _bad(where, "override", "expected {\"name\": \"…\", \"reason\": \"…\"}")
            bad = [k for k in ov if k not in ("name", "reason")]
            if bad:
                raise _bad(where, f"override.{bad[0]}", "not a field of an override (name, reason)")
            for k in ("name", "reason"):
                if not isinstance(ov.get(k), str) or not ov[k].strip():
                    raise _bad(where, f"override.{k}", "missing; an override names the supervisor and a reason")
            vals["override"] = (ov["name"].strip(), ov["reason"].strip())
    return Line(no=no, t=t, do=do, **vals)
