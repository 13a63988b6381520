"""Live metrics: samples, KPI formulas, rolling windows, targets, alert rules.

  series.py       SeriesStore: the show's time series in preallocated numpy columns (bounded memory)
  kpi.py          pure KPI formulas (divide-by-zero safe, money in 分), SKU ranking, segments, targets
  live.py         LiveMetrics: whole-show / rolling-window / per-SKU KPIs over a store -> KpiReport
  targets.py      show.toml [targets] -> Targets (分)
  alert_rules.py  AlertSettings ([alerts] in settings.toml) and the AlertEngine (hysteresis, cool-down)
  history.py      samples read back from the journal: previous show, resume, markers, segments
  room.py         MetricsService: attach(rt); the 1 Hz sampler thread, batched journaling, bus updates
"""
