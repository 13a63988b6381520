"""The in-memory time series of a show: one row per sample, preallocated numpy columns.

Memory stays bounded for any show length: when the arrays are full the oldest half is thinned to
every other row (cumulative counters stay exact at the rows kept), so a 12-hour show keeps full
1-second resolution for its recent hours and coarser history, in a fixed number of bytes. Peak
and time-weighted average concurrency are kept as running accumulators, so thinning never
changes PCU/ACU. A sample's online figure holds until the next one for at most `max_hold_s`: a hole in
the data (a crash, a long platform outage) is left out of the averages, not filled with an invented value.

Thread-safety: the sampler thread appends; readers (KPI code on the same thread, the UI timer)
take copies under the lock.
"""
from __future__ import annotations

import threading
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, fields

import numpy as np

from controlroom.platform import MetricsSnapshot, SkuMetrics

# Stable metric names: the journal's samples use these, readers (recap, export) rely on them.
ROOM_METRICS: tuple[str, ...] = tuple(f.name for f in fields(MetricsSnapshot) if f.name != "skus")
SKU_METRICS: tuple[str, ...] = tuple(f.name for f in fields(SkuMetrics) if f.name != "sku")
SKU_PREFIX = "sku."  # per-SKU rows: metric "sku.<field>" with the sku column set

_COL = {name: i for i, name in enumerate(ROOM_METRICS)}


@dataclass(frozen=True)
class Row:
    """The room's cumulative counters at one sample (a MetricsSnapshot without SKUs, plus time)."""
    mono: float
    utc: float  # POSIX seconds
    values: dict[str, int]

    def __getattr__(self, name):  # row.gmv, row.views ... like a MetricsSnapshot
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


class SeriesStore:
    def __init__(self, capacity: int = 43_200, sku_history_s: float = 1_200.0, max_hold_s: float = 10.0):
        if capacity < 16:
            raise ValueError("capacity must be at least 16 rows")
        if not max_hold_s > 0:
            raise ValueError("max_hold_s must be > 0")
        self.capacity = int(capacity)
        self.max_hold_s = float(max_hold_s)
        self._lock = threading.RLock()
        self._mono = np.zeros(self.capacity, dtype=np.float64)
        self._utc = np.zeros(self.capacity, dtype=np.float64)
        self._vals = np.zeros((self.capacity, len(ROOM_METRICS)), dtype=np.int64)
        self._n = 0
        self.version = 0          # bumps on every append: the UI redraws only when it moved
        self.thinned = 0          # how many times history was thinned
        # running concurrency stats over the whole show (unaffected by thinning)
        self.pcu = 0
        self._area = 0.0          # ∫ online dt
        self._span = 0.0
        # recent per-SKU snapshots for rolling windows (the SKU set is small, the window short)
        self._sku_hist: deque[tuple[float, dict[str, SkuMetrics]]] = deque()
        self._sku_hist_s = float(sku_history_s)
        self.latest_skus: dict[str, SkuMetrics] = {}

    # ---- writing --------------------------------------------------------------------------
    def append(self, mono: float, utc: float, snap: MetricsSnapshot) -> None:
        with self._lock:
            n = self._n
            if n and mono <= self._mono[n - 1]:
                return  # a duplicate poll at the same instant adds nothing
            if n == self.capacity:
                self._thin()
                n = self._n
            if n:
                dt = min(mono - self._mono[n - 1], self.max_hold_s)
                self._area += float(self._vals[n - 1, _COL["online"]]) * dt
                self._span += dt
            self._mono[n] = mono
            self._utc[n] = utc
            self._vals[n] = [getattr(snap, m) for m in ROOM_METRICS]
            self.pcu = max(self.pcu, int(snap.online))
            self._n = n + 1
            self.version += 1
            if snap.skus:
                self.latest_skus = dict(snap.skus)
                self._sku_hist.append((mono, self.latest_skus))
                while self._sku_hist and self._sku_hist[0][0] < mono - self._sku_hist_s:
                    self._sku_hist.popleft()

    def _thin(self) -> None:
        half = self._n // 2
        keep_old = np.arange(0, half, 2)
        idx = np.concatenate([keep_old, np.arange(half, self._n)])
        m = len(idx)
        self._mono[:m] = self._mono[idx]
        self._utc[:m] = self._utc[idx]
        self._vals[:m] = self._vals[idx]
        self._n = m
        self.thinned += 1

    def clear(self) -> None:
        with self._lock:
            self._n = 0
            self.pcu, self._area, self._span = 0, 0.0, 0.0
            self._sku_hist.clear()
            self.latest_skus = {}
            self.version += 1

    # ---- reading --------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n

    @property
    def acu(self) -> float | None:
        """Time-weighted average concurrent viewers over the whole show; None before two samples."""
        with self._lock:
            return self._area / self._span if self._span > 0 else None

    def first(self) -> Row | None:
        with self._lock:
            return self._row(0) if self._n else None

    def last(self) -> Row | None:
        with self._lock:
            return self._row(self._n - 1) if self._n else None

    def at_or_before(self, mono: float) -> Row | None:
        """The last row taken at or before `mono`, or None if the series starts later."""
        with self._lock:
            i = int(np.searchsorted(self._mono[:self._n], mono, side="right")) - 1
            return self._row(i) if i >= 0 else None

    def _row(self, i: int) -> Row:
        return Row(float(self._mono[i]), float(self._utc[i]),
                   {m: int(v) for m, v in zip(ROOM_METRICS, self._vals[i])})

    def online_stats(self, start_mono: float, end_mono: float) -> tuple[int | None, float | None]:
        """(peak, time-weighted average) of online viewers between two instants (step-wise)."""
        with self._lock:
            t = self._mono[:self._n]
            on = self._vals[:self._n, _COL["online"]]
            i0 = max(int(np.searchsorted(t, start_mono, side="right")) - 1, 0)
            i1 = int(np.searchsorted(t, end_mono, side="right"))
            if i1 <= i0:
                return None, None
            tt = t[i0:i1].copy()
            oo = on[i0:i1].astype(np.float64)
            peak = int(on[i0:i1].max())
            tt[0] = max(tt[0], start_mono)
            edges = np.append(tt, max(end_mono, tt[-1]))
            dur = np.minimum(np.diff(edges), self.max_hold_s)   # a hole in the data is not averaged over
            span = dur.sum()
            if span <= 0:
                return peak, None  # no time has passed: no average yet
            return peak, float((oo * dur).sum() / span)

    def arrays(self, metrics: tuple[str, ...] | list[str] | None = None,
               since_mono: float | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Copies of (mono, utc, {metric: values}) for the UI and for bulk computations."""
        names = ROOM_METRICS if metrics is None else metrics
        with self._lock:
            i0 = 0
            if since_mono is not None:
                i0 = int(np.searchsorted(self._mono[:self._n], since_mono, side="left"))
            sl = slice(i0, self._n)
            return (self._mono[sl].copy(), self._utc[sl].copy(),
                    {m: self._vals[sl, _COL[m]].copy() for m in names})

    def skus_at_or_before(self, mono: float) -> dict[str, SkuMetrics] | None:
        with self._lock:
            if not self._sku_hist:
                return None
            monos = [h[0] for h in self._sku_hist]
            i = bisect_right(monos, mono) - 1
            return self._sku_hist[i][1] if i >= 0 else None

    def first_sku_mono(self) -> float | None:
        with self._lock:
            return self._sku_hist[0][0] if self._sku_hist else None

    @property
    def sku_history_s(self) -> float:
        """How far back the per-SKU snapshots for rolling windows reach."""
        return self._sku_hist_s

    def nbytes(self) -> int:
        return self._mono.nbytes + self._utc.nbytes + self._vals.nbytes
