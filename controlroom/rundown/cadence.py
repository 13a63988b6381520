"""Cadence check 直播节奏: a price anchor and an interaction trigger every 15–20 minutes, and a plan that
fits its slot.

Gaps are measured between the starts of the flagged segments, and also from the show's start to
the first one and from the last one to the show's end (a long tail without an anchor loses viewers
just as a long middle does). Before the show the timeline is the plan; during the show it is the
actual start of every segment already played and the projected start of the rest (runner.timeline()).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from controlroom.rundown.model import Rundown, Segment


@dataclass(frozen=True)
class CadenceWarning:
    rule: str          # anchor_gap | interaction_gap | overrun
    message: str
    start_s: float     # seconds from the show start where the gap begins (overrun: the slot length)
    end_s: float
    minutes: float

    def to_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message, "start_s": self.start_s, "end_s": self.end_s,
                "minutes": round(self.minutes, 1)}


def check(rundown: Rundown, *, max_gap_minutes: float = 20.0, slot_minutes: float | None = None,
          starts: Sequence[float] | None = None, end_s: float | None = None) -> list[CadenceWarning]:
    """Warnings for the plan (or, with `starts`/`end_s`, for the actual + projected timeline)."""
    segs = rundown.segments
    starts = list(rundown.planned_starts() if starts is None else starts)
    end = float(rundown.total_s if end_s is None else end_s)
    out: list[CadenceWarning] = []
    limit = max_gap_minutes * 60
    for rule, flag, word in (("anchor_gap", lambda s: s.price_anchor, "price anchor"),
                             ("interaction_gap", lambda s: s.interaction, "interaction trigger")):
        out.extend(_gaps(segs, starts, end, flag, rule, word, limit))
    if slot_minutes is not None and end > slot_minutes * 60 + 0.5:
        over = (end - slot_minutes * 60) / 60
        out.append(CadenceWarning("overrun", f"the show runs {over:.1f} min over its {slot_minutes:g}-min slot",
                                  slot_minutes * 60, end, over))
    return out


def _gaps(segs: Sequence[Segment], starts: Sequence[float], end: float, flag, rule: str, word: str,
          limit: float) -> list[CadenceWarning]:
    marks = [starts[i] for i, s in enumerate(segs) if flag(s)]
    points = [0.0, *marks, end] if marks else [0.0, end]
    out = []
    for a, b in zip(points, points[1:]):
        if b - a > limit + 0.5:
            where = f"{_mmss(a)}–{_mmss(b)}"
            out.append(CadenceWarning(rule, f"{(b - a) / 60:.1f} min without {'an' if word[0] in 'aeiou' else 'a'} {word} ({where})", a, b, (b - a) / 60))
    return out


def _mmss(seconds: float) -> str:
    m = int(seconds) // 60
    return f"{m // 60}:{m % 60:02d}" if m >= 60 else f"0:{m:02d}"
