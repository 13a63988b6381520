"""A show's targets from show.toml [targets] (gmv and uv_value in 元 as decimal strings, viewers
as a count, conversion as a fraction) and its slot length, as the metrics room uses them. The file
is read and checked by the one show reader, controlroom.show."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from controlroom.commerce.money import MoneyError, parse_money
from controlroom.show import Show, ShowError, load_show


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


def targets_from_show(show: Show) -> Targets:
    t = show.targets
    return Targets(gmv=t.gmv, viewers=t.viewers, conversion=t.conversion, uv_value=t.uv_value, slot_s=show.slot_s)


def load_targets(show_dir: str | Path | None) -> Targets:
    """The targets of a show folder, read and checked by the one show reader (controlroom.show)."""
    if show_dir is None:
        return Targets()
    try:
        return targets_from_show(load_show(show_dir))
    except ShowError as e:
        raise TargetsError(str(e)) from None
