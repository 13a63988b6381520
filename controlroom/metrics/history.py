"""Reading metric samples back from the journal: the previous show's series for the overlay, a
resumed session's series after a crash, and the show's markers (segments, price changes, alerts,
failovers) from its events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from controlroom.journal import queries
from controlroom.metrics.rebase import monotone, monotone_sku_rows
from controlroom.metrics.series import ROOM_METRICS, SKU_PREFIX


@dataclass(frozen=True)
class SeriesData:
    session_id: int
    title: str
    mono: np.ndarray            # seconds
    utc: np.ndarray             # POSIX seconds
    values: dict[str, np.ndarray]
    start_mono: float           # the show's start (session.started, else the first sample)
    restarts_utc: tuple[float, ...] = ()   # where counters journaled before the rebase rule fell back (rebase.py)

    @property
    def offset_s(self) -> np.ndarray:
        return self.mono - self.start_mono

    def __len__(self) -> int:
        return len(self.mono)


def read_series(journal, session_id: int, metrics=ROOM_METRICS) -> SeriesData | None:
    """A session's room-level samples pivoted to one row per sample instant (forward-filled).

    Instants are ordered by UTC: a session resumed after a reboot has monotonic readings from two clocks."""
    metrics = list(metrics)
    rows = queries.room_samples(journal, session_id, metrics)
    if not rows:
        return None
    # rows come grouped by instant (ORDER BY utc): number the instants, then one vectorised scatter
    n = len(rows)
    texts = [r[1] for r in rows]
    new = np.fromiter((i == 0 or texts[i] != texts[i - 1] for i in range(n)), dtype=bool, count=n)
    inst = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    utc = np.array([datetime.fromisoformat(texts[i]).timestamp() for i in first], dtype=np.float64)
    uniq = np.array([rows[i][0] for i in first], dtype=np.float64)
    col = {m: k for k, m in enumerate(metrics)}
    which = np.fromiter((col[r[2]] for r in rows), dtype=np.int64, count=n)
    mat = np.full((len(first), len(metrics)), -1, dtype=np.int64)
    mat[inst, which] = np.fromiter((r[3] for r in rows), dtype=np.int64, count=n)
    vals = {m: mat[:, k].copy() for m, k in col.items()}
    for m, arr in vals.items():  # forward-fill gaps (a metric missing from one batch)
        missing = arr < 0
        if missing.any():
            idx = np.where(~missing, np.arange(len(arr)), 0)
            np.maximum.accumulate(idx, out=idx)
            filled = arr[idx]
            filled[filled < 0] = 0
            arr[:] = filled
    vals, restarts = monotone(vals)   # a journal written before the rebase rule may have counters that fall
    start = session_start_mono(journal, session_id)
    title = journal.session(session_id).title
    return SeriesData(session_id, title, uniq, utc, vals, start if start is not None else float(uniq[0]),
                      tuple(float(utc[i]) for i in restarts))


def latest_sku_values(journal, session_id: int, restarts_utc=()) -> dict[str, dict[str, int]]:
    """The last journaled value of each per-SKU counter: {sku: {field: value}} (`restarts_utc`: see sku_rows)."""
    out: dict[str, dict[str, int]] = {}
    for _t, sku, f, v in sku_rows(journal, session_id, restarts_utc):
        out.setdefault(sku, {})[f] = v
    return out


def sku_rows(journal, session_id: int, restarts_utc=()) -> list[tuple[float, str, str, int]]:
    """Every journaled per-SKU counter change in order: (utc POSIX seconds, sku, field, value). Counters
    that fall (journals written before the rebase rule) are repaired as the room's series is, given the
    room's restarts (`SeriesData.restarts_utc`)."""
    n = len(SKU_PREFIX)
    stamp: dict[str, float] = {}
    out = []
    for utc, sku, metric, value in queries.sku_samples(journal, session_id):
        if metric.startswith(SKU_PREFIX):
            t = stamp.get(utc)
            if t is None:
                t = stamp[utc] = datetime.fromisoformat(utc).timestamp()
            out.append((t, sku, metric[n:], int(value)))
    return monotone_sku_rows(out, list(restarts_utc)) if restarts_utc else out


def session_start_mono(journal, session_id: int) -> float | None:
    evs = journal.events(session_id, kinds=["session.started"])
    return evs[-1].mono if evs else None


def previous_series(journal, session_id: int, metrics=ROOM_METRICS) -> SeriesData | None:
    """The latest earlier session that has samples: the 'last show' to overlay."""
    prev = queries.earlier_sessions_with_samples(journal, session_id, 1)
    return read_series(journal, prev[0], metrics) if prev else None


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
