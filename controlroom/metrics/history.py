"""Reading metric samples back from the journal: the previous show's series for the overlay, a
resumed session's series after a crash, and the show's markers (segments, price changes, alerts,
failovers) from its events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import text

from controlroom.metrics.series import ROOM_METRICS, SKU_PREFIX


@dataclass(frozen=True)
class SeriesData:
    session_id: int
    title: str
    mono: np.ndarray            # seconds
    utc: np.ndarray             # POSIX seconds
    values: dict[str, np.ndarray]
    start_mono: float           # the show's start (session.started, else the first sample)

    @property
    def offset_s(self) -> np.ndarray:
        return self.mono - self.start_mono

    def __len__(self) -> int:
        return len(self.mono)


def read_series(journal, session_id: int, metrics=ROOM_METRICS) -> SeriesData | None:
    """A session's room-level samples pivoted to one row per sample instant (forward-filled).

    Instants are ordered by UTC: a session resumed after a reboot has monotonic readings from two clocks."""
    metrics = list(metrics)
    q = text("SELECT mono, utc, metric, value FROM samples WHERE session_id = :sid AND sku IS NULL "
             "AND metric IN (" + ",".join(f":m{i}" for i in range(len(metrics))) + ") ORDER BY utc, id")
    params = {"sid": session_id, **{f"m{i}": m for i, m in enumerate(metrics)}}
    with journal.engine.connect() as conn:
        rows = conn.execute(q, params).all()
    if not rows:
        return None
    stamp: dict[str, float] = {}
    for r in rows:
        if r[1] not in stamp:
            stamp[r[1]] = datetime.fromisoformat(r[1]).timestamp()
    stamps = np.fromiter((stamp[r[1]] for r in rows), dtype=np.float64, count=len(rows))
    utc, first, inverse = np.unique(stamps, return_index=True, return_inverse=True)
    uniq = np.array([rows[i][0] for i in first], dtype=np.float64)
    vals = {m: np.full(len(utc), -1, dtype=np.int64) for m in metrics}
    for r, i in zip(rows, inverse):
        vals[r[2]][i] = r[3]
    for m, arr in vals.items():  # forward-fill gaps (a metric missing from one batch)
        missing = arr < 0
        if missing.any():
            idx = np.where(~missing, np.arange(len(arr)), 0)
            np.maximum.accumulate(idx, out=idx)
            filled = arr[idx]
            filled[filled < 0] = 0
            arr[:] = filled
    start = session_start_mono(journal, session_id)
    title = journal.session(session_id).title
    return SeriesData(session_id, title, uniq, utc, vals, start if start is not None else float(uniq[0]))


def latest_sku_values(journal, session_id: int) -> dict[str, dict[str, int]]:
    """The last journaled value of each per-SKU counter: {sku: {field: value}}."""
    q = text("SELECT sku, metric, value FROM samples WHERE session_id = :sid AND sku IS NOT NULL "
             "ORDER BY utc, id")
    out: dict[str, dict[str, int]] = {}
    with journal.engine.connect() as conn:
        for sku, metric, value in conn.execute(q, {"sid": session_id}):
            if metric.startswith(SKU_PREFIX):
                out.setdefault(sku, {})[metric[len(SKU_PREFIX):]] = int(value)
    return out


def sku_rows(journal, session_id: int) -> list[tuple[float, str, str, int]]:
    """Every journaled per-SKU counter change in order: (utc POSIX seconds, sku, field, value)."""
    q = text("SELECT utc, sku, metric, value FROM samples WHERE session_id = :sid AND sku IS NOT NULL "
             "ORDER BY utc, id")
    n = len(SKU_PREFIX)
    stamp: dict[str, float] = {}
    out = []
    with journal.engine.connect() as conn:
        for utc, sku, metric, value in conn.execute(q, {"sid": session_id}):
            if metric.startswith(SKU_PREFIX):
                t = stamp.get(utc)
                if t is None:
                    t = stamp[utc] = datetime.fromisoformat(utc).timestamp()
                out.append((t, sku, metric[n:], int(value)))
    return out


def session_start_mono(journal, session_id: int) -> float | None:
    evs = journal.events(session_id, kinds=["session.started"])
    return evs[-1].mono if evs else None


def previous_series(journal, session_id: int, metrics=ROOM_METRICS) -> SeriesData | None:
    """The latest earlier session that has samples: the 'last show' to overlay."""
    q = text("SELECT DISTINCT session_id FROM samples WHERE session_id < :sid AND sku IS NULL "
             "ORDER BY session_id DESC LIMIT 1")
    with journal.engine.connect() as conn:
        prev = conn.execute(q, {"sid": session_id}).scalar()
    return None if prev is None else read_series(journal, int(prev), metrics)


# ---- markers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Marker:
    mono: float
    utc: float       # POSIX seconds
    kind: str        # segment | price | alert | failover
    label: str
    seq: int = 0


# the run-of-show runner journals the first segment as rundown.started, each change as
# rundown.segment (payload: title, index, cue, kind, t), and the end of the plan as rundown.ended
SEGMENT_KINDS = ("rundown.started", "rundown.segment")
SEGMENT_END_KINDS = ("rundown.ended",)


def marker_kind(kind: str) -> str | None:
    """Which journal events get a vertical line on the trend charts."""
    if kind in SEGMENT_KINDS:
        return "segment"
    if kind.startswith("console.") and "price" in kind and not kind.endswith(
            ("blocked", "rejected", "failed", "requested", "pending", "ticket")):
        return "price"
    if kind == "alert.raised":
        return "alert"
    if kind.startswith("stream.") and "failover" in kind:
        return "failover"
    return None


def _first(payload: dict, *keys, default=""):
    for k in keys:
        v = payload.get(k)
        if v not in (None, ""):
            return v
    return default


def marker_from_event(ev) -> Marker | None:
    mk = marker_kind(ev.kind)
    if mk is None:
        return None
    p = ev.payload or {}
    if mk == "segment":
        label = str(_first(p, "title", "segment_title", "name", "label", "segment", "segment_id", default=ev.kind))
    elif mk == "price":
        price = _first(p, "price", "new_price", "live_price", default=None)
        sku = _first(p, "sku", default="")
        label = f"{sku} ¥{int(price) / 100:.2f}" if isinstance(price, int) else f"{sku} price".strip()
    elif mk == "alert":
        label = str(_first(p, "title", "rule", default="alert"))
    else:
        label = str(_first(p, "to", "target", "reason", default="failover"))
    return Marker(ev.mono, ev.utc.timestamp(), mk, label, ev.seq)


def segment_starts(events) -> list[tuple[float, str | None, str]]:
    """(mono, label, segment_id) of each segment change in journal order; label None where the
    plan ended (the last segment stops there)."""
    out: list[tuple[float, str | None, str]] = []
    for ev in events:
        if ev.kind in SEGMENT_END_KINDS:
            out.append((ev.mono, None, ""))
            continue
        if ev.kind not in SEGMENT_KINDS:
            continue
        p = ev.payload or {}
        label = str(_first(p, "title", "cue", "name", default=ev.kind))
        sid = str(_first(p, "index", "segment_id", "cue", default=""))
        out.append((ev.mono, label, sid))
    return out
