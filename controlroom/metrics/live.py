"""The live KPI view over a SeriesStore: whole show, rolling windows, per SKU, targets.

`LiveMetrics.report()` is what "metrics.update" carries to the UI; the alert rules read the same
object through the LiveView protocol, so what the operator sees and what raises an alert agree.

Breaks: where the data start again after a hole (the app was down, the platform silent) or after the
platform's counters restarted (see rebase.py), the figures before and after are not comparable second by
second. A rolling window that reaches back across a break is marked incomplete (its counts stay
non-negative, the rules say nothing on it), and the viewers peak is taken from the break on: a "drop"
across the hole is not a drop anyone saw happen.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from controlroom.metrics.kpi import (Kpis, SkuKpis, TargetProgress, kpis_between, rank_skus,
                                     sku_kpis, target_progress)
from controlroom.metrics.series import SeriesStore
from controlroom.metrics.targets import Targets

WINDOWS_S = (60.0, 300.0, 900.0)


@dataclass(frozen=True)
class KpiReport:
    mono: float                      # the latest sample's monotonic time
    utc: float                       # ... and its POSIX time
    elapsed_s: float
    show: Kpis
    windows: dict[float, Kpis]       # 60 / 300 / 900 s rolling windows
    skus: list[SkuKpis]              # by GMV, best first
    targets: list[TargetProgress] = field(default_factory=list)


class LiveMetrics:
    def __init__(self, store: SeriesStore, targets: Targets | None = None,
                 start_mono: float | None = None, interval_s: float = 1.0):
        self.store = store
        self.targets = targets or Targets()
        self.start_mono = start_mono          # show start; the first sample when unknown
        self.tolerance = 1.5 * interval_s
        self.breaks: list[float] = []         # first sample after each break, ascending

    def add_break(self, mono: float) -> None:
        if not self.breaks or mono > self.breaks[-1]:
            self.breaks.append(mono)

    def _break_in(self, start_mono: float, end_mono: float) -> bool:
        """A break after start and at or before end: the window does not see one continuous stretch."""
        return any(start_mono < b <= end_mono for b in reversed(self.breaks))

    def _since_break(self, mono: float) -> float | None:
        return next((b for b in reversed(self.breaks) if b <= mono), None)

    # ---- LiveView ---------------------------------------------------------------------------
    def now(self) -> float:
        last = self.store.last()
        return last.mono if last else 0.0

    def _start(self) -> float | None:
        if self.start_mono is not None:
            return self.start_mono
        first = self.store.first()
        return first.mono if first else None

    def elapsed_s(self) -> float:
        start = self._start()
        return 0.0 if start is None else max(self.now() - start, 0.0)

    def show(self) -> Kpis:
        last = self.store.last()
        return kpis_between(None, last, span_s=self.elapsed_s(),
                            online=last.online if last else None,
                            pcu=self.store.pcu if last else None, acu=self.store.acu)

    def between(self, start_mono: float, end_mono: float) -> Kpis:
        first = self.store.first()
        b = self.store.at_or_before(end_mono)
        if first is None or b is None:
            return kpis_between(None, None, span_s=0.0, complete=False)
        a = self.store.at_or_before(start_mono)
        complete = (a is not None or first.mono <= start_mono + self.tolerance) \
            and not self._break_in(start_mono, end_mono)
        if a is None:
            a = first
        peak, avg = self.store.online_stats(max(start_mono, first.mono), end_mono)
        return kpis_between(a, b, span_s=max(b.mono - a.mono, 0.0), online=b.online, pcu=peak, acu=avg,
                            complete=complete)

    def window(self, seconds: float) -> Kpis:
        now = self.now()
        return self.between(now - seconds, now)

    def skus_window(self, seconds: float) -> dict[str, SkuKpis] | None:
        end = self.store.latest_skus
        if not end:
            return None
        now = self.now()
        first = self.store.first_sku_mono()
        if first is None or first > now - seconds + self.tolerance or self._break_in(now - seconds, now):
            return None  # not a full, continuous window of SKU data yet
        start = self.store.skus_at_or_before(now - seconds) or {}
        return {s: sku_kpis(m, start.get(s)) for s, m in end.items()}

    def online_peak(self, seconds: float) -> tuple[int | None, int | None]:
        last = self.store.last()
        if last is None:
            return None, None
        start = last.mono - seconds
        brk = self._since_break(last.mono)
        if brk is not None and brk > start:
            start = brk   # the peak before the hole is not compared with now
        peak, _ = self.store.online_stats(start, last.mono)
        return peak, last.online

    # ---- the UI's snapshot ------------------------------------------------------------------
    def report(self) -> KpiReport | None:
        last = self.store.last()
        if last is None:
            return None
        show = self.show()
        return KpiReport(
            mono=last.mono, utc=last.utc, elapsed_s=self.elapsed_s(), show=show,
            windows={w: self.window(w) for w in WINDOWS_S},
            skus=rank_skus(self.store.latest_skus, "gmv"),
            targets=target_progress(self.targets, show, self.elapsed_s()),
        )
