"""A platform's cumulative counters never go backwards on our screens or in the journal.

`MetricsSnapshot` counters are cumulative since the show started. They can fall when their source
restarts: a shop that resets a live room's id, an adapter that loses its session, the embedded simulator
when it could not be restored. Fed as they are, a fall shows as a negative last minute, a segment with
negative GMV, a recap that reports only what came after the restart, and a "viewers down 97 %" alert.

So every snapshot passes through `CounterRebase.apply` before anyone sees it. It keeps an offset per
counter (room-level, and per SKU) added to what the platform reports:

- a restart (most of the room's running counters fell below half of what they were): each fallen counter
  is rebased on its last value, so what the platform counts from its new zero adds to what it counted
  before. What happened between the last sample and the restart is lost and nothing pretends otherwise;
- a correction (a counter fell a little, the rest carried on): the counter holds its last value and
  counts on from there, never below.

Each change of offsets is journaled ("metrics.rebased": the full offsets, why, and what fell) so a resumed
room, the recap and an export read the same continuous figures. `online` is a gauge: never rebased.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from controlroom.metrics.series import ROOM_METRICS, SKU_METRICS
from controlroom.platform import MetricsSnapshot, SkuMetrics

CUMULATIVE: tuple[str, ...] = tuple(m for m in ROOM_METRICS if m != "online")
REBASED = "metrics.rebased"


class CounterRebase:
    def __init__(self) -> None:
        self.room: dict[str, int] = {}                     # offset per room counter
        self.skus: dict[str, dict[str, int]] = {}          # sku -> field -> offset
        self._raw_room: dict[str, int] | None = None        # what the platform said last (before offsets)
        self._raw_skus: dict[str, dict[str, int]] = {}

    # ---- state ------------------------------------------------------------------------------
    def reset(self) -> None:
        self.__init__()

    def restore(self, payload: dict | None, last_room: dict[str, int] | None,
                last_skus: dict[str, dict[str, int]]) -> None:
        """After a resume: the offsets of the last "metrics.rebased" event, and the last recorded figures.
        The platform's own last figures are then what the recorded ones imply (recorded − offset)."""
        p = payload or {}
        self.room = {k: int(v) for k, v in (p.get("offsets") or {}).items() if k in CUMULATIVE}
        self.skus = {s: {f: int(v) for f, v in d.items() if f in SKU_METRICS}
                     for s, d in (p.get("sku_offsets") or {}).items()}
        self._raw_room = None if last_room is None else \
            {c: int(last_room.get(c, 0)) - self.room.get(c, 0) for c in CUMULATIVE}
        self._raw_skus = {s: {f: int(v) - self.skus.get(s, {}).get(f, 0) for f, v in d.items()}
                          for s, d in last_skus.items()}

    def payload(self) -> dict[str, Any]:
        return {"offsets": {k: v for k, v in self.room.items() if v},
                "sku_offsets": {s: {f: v for f, v in d.items() if v} for s, d in self.skus.items()
                                if any(d.values())}}

    # ---- the one entry point ------------------------------------------------------------------
    def apply(self, snap: MetricsSnapshot) -> tuple[MetricsSnapshot, dict[str, Any] | None]:
        """The snapshot as recorded (offsets added), and the "metrics.rebased" payload when offsets changed."""
        raw = {c: int(getattr(snap, c)) for c in CUMULATIVE}
        raw_skus = {s: {f: int(getattr(m, f)) for f in SKU_METRICS} for s, m in snap.skus.items()}
        prev, prev_skus = self._raw_room, self._raw_skus
        event = None
        if prev is not None:
            fell = {c: (prev[c], raw[c]) for c in CUMULATIVE if raw[c] < prev.get(c, 0)}
            fell_skus = {s: {f: (prev_skus[s][f], v) for f, v in d.items() if v < prev_skus[s].get(f, 0)}
                         for s, d in raw_skus.items() if s in prev_skus}
            fell_skus = {s: d for s, d in fell_skus.items() if d}
            if fell or fell_skus:
                restart = _restarted(prev, raw)
                if restart:   # every counter started again from zero: all of them carry on from their last value
                    for c in CUMULATIVE:
                        self.room[c] = self.room.get(c, 0) + prev.get(c, 0)
                    for s, d in prev_skus.items():
                        offs = self.skus.setdefault(s, {})
                        for f, was in d.items():
                            offs[f] = offs.get(f, 0) + was
                else:         # a correction: what fell holds its last value
                    for c, (was, now) in fell.items():
                        self.room[c] = self.room.get(c, 0) + was - now
                    for s, d in fell_skus.items():
                        offs = self.skus.setdefault(s, {})
                        for f, (was, now) in d.items():
                            offs[f] = offs.get(f, 0) + was - now
                event = {"reason": "restart" if restart else "correction", **self.payload(),
                         "fell": {c: list(v) for c, v in fell.items()},
                         "fell_skus": {s: {f: list(v) for f, v in d.items()} for s, d in fell_skus.items()}}
        self._raw_room = raw
        self._raw_skus = {**prev_skus, **raw_skus}
        if not self.room and not self.skus:
            return snap, event
        skus = {}
        for s, m in snap.skus.items():
            offs = self.skus.get(s)
            skus[s] = m if not offs else replace(m, **{f: getattr(m, f) + o for f, o in offs.items()})
        room = {c: getattr(snap, c) + o for c, o in self.room.items() if o}
        return replace(snap, skus=skus, **room), event


def _restarted(prev: dict[str, int], raw: dict[str, int]) -> bool:
    """Most of the counters that were running fell below half: the source started again from zero."""
    running = [c for c in CUMULATIVE if prev.get(c, 0) > 0]
    if not running:
        return False
    collapsed = sum(1 for c in running if 2 * raw[c] < prev[c])
    return 2 * collapsed >= len(running)


def sku_metrics(sku: str, values: dict[str, int]) -> SkuMetrics:
    return SkuMetrics(sku, **{f: int(v) for f, v in values.items() if f in SKU_METRICS})
