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

Journals written before this rule have counters that fall; `monotone` and `monotone_sku_rows` apply the
same rule when such a series is read back, so the recap of an old crashed show is whole too.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

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


def monotone(values: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """`CounterRebase.apply`'s rule over a whole journaled series (one row per sample instant). Returns the
    series with offsets added and the rows where the counters restarted. A series that never falls (every
    journal written with the rule) comes back unchanged."""
    names = [c for c in CUMULATIVE if c in values]
    if not names or len(values[names[0]]) < 2:
        return values, np.zeros(0, dtype=np.int64)
    v = np.stack([np.asarray(values[c], dtype=np.int64) for c in names], axis=1)
    prev, cur = v[:-1], v[1:]
    fell = cur < prev
    if not fell.any():
        return values, np.zeros(0, dtype=np.int64)
    running = prev > 0
    collapsed = (2 * cur < prev) & running
    restart = fell.any(axis=1) & running.any(axis=1) & (2 * collapsed.sum(axis=1) >= running.sum(axis=1))
    inc = np.where(restart[:, None], prev, np.where(fell, prev - cur, 0))
    off = np.vstack([np.zeros((1, len(names)), dtype=np.int64), np.cumsum(inc, axis=0)])
    out = dict(values)
    for j, c in enumerate(names):
        out[c] = v[:, j] + off[:, j]
    return out, np.flatnonzero(restart) + 1


def monotone_sku_rows(rows: list[tuple[float, str, str, int]], restarts: list[float]) -> list[tuple]:
    """The same rule over journaled per-SKU changes (t, sku, field, value), in time order, given the instants
    where the room's counters restarted (from `monotone`)."""
    raw: dict[tuple[str, str], int] = {}
    off: dict[tuple[str, str], int] = {}
    todo = sorted(restarts)
    k = 0
    out = []
    for t, sku, f, v in rows:
        while k < len(todo) and todo[k] <= t:
            for key, was in raw.items():   # everything counts again from zero from here
                off[key] = off.get(key, 0) + was
                raw[key] = 0
            k += 1
        key = (sku, f)
        was = raw.get(key)
        if was is not None and v < was:
            off[key] = off.get(key, 0) + was - v   # a correction: hold
        raw[key] = v
        out.append((t, sku, f, v + off.get(key, 0)))
    return out
