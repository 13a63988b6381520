"""A show's targets from show.toml [targets] (gmv and uv_value in 元 as decimal strings, viewers
as a count, conversion as a fraction) and its slot length. Money becomes integer 分 here."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from controlroom.commerce.money import MoneyError, parse_money


class TargetsError(ValueError):
    pass


@dataclass(frozen=True)
class Targets:
    gmv: int | None = None          # 分
    viewers: int | None = None
    conversion: float | None = None
    uv_value: int | None = None     # 分 per viewer (also the category figure for the UV-value alert)
    slot_s: float | None = None     # booked slot length


def yuan_to_fen(value, where: str) -> int:
    """A target in 元 through the console's one strict money parser."""
    try:
        return parse_money(str(value), field=where)
    except MoneyError as e:
        raise TargetsError(f"{where}: expected a non-negative amount in 元 like \"600000\" or \"4.5\" "
                           f"(at most 2 decimals): {e}") from None


def load_targets(show_dir: str | Path | None) -> Targets:
    if show_dir is None:
        return Targets()
    path = Path(show_dir) / "show.toml"
    if not path.exists():
        return Targets()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    t = data.get("targets", {}) or {}
    where = f"{path}: [targets]"
    gmv = yuan_to_fen(t["gmv"], f"{where} gmv") if "gmv" in t else None
    uvv = yuan_to_fen(t["uv_value"], f"{where} uv_value") if "uv_value" in t else None
    viewers = t.get("viewers")
    if viewers is not None and (not isinstance(viewers, int) or isinstance(viewers, bool) or viewers < 0):
        raise TargetsError(f"{where} viewers: expected a whole number of viewers, got {viewers!r}")
    conv = t.get("conversion")
    if conv is not None:
        if isinstance(conv, bool) or not isinstance(conv, (int, float)) or not 0 <= conv <= 1:
            raise TargetsError(f"{where} conversion: expected a fraction between 0 and 1 (0.15 = 15 %), got {conv!r}")
        conv = float(conv)
    slot = data.get("slot_minutes")
    slot_s = float(slot) * 60.0 if isinstance(slot, (int, float)) and not isinstance(slot, bool) and slot > 0 else None
    return Targets(gmv=gmv, viewers=viewers, conversion=conv, uv_value=uvv, slot_s=slot_s)
