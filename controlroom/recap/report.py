"""The post-show recap 复盘, built from the journal alone (no Qt): `build_recap(journal, session_id)`.

What it reads (the kinds the rooms actually write):
  session.*            start and end of the show
  rundown.loaded       the plan (segments with planned lengths); rundown.started / rundown.segment /
                       rundown.ended the actual transitions (payload t = seconds since the rundown start)
  samples              room counters (MetricsSnapshot field names, sku NULL) and per-SKU "sku.<field>"
  console.*            price_changed, offer_started/stopped, coupon_issued/stopped, readback_mismatch,
                       action_failed, sku_locked/unlocked (with readbacks carrying product titles)
  interlock.*          verdict (blocks), override (supervisor, reason_text), override_refused,
                       breaker_tripped
  alert.raised/acked   alerts of every room
  stream.*             failover / returned / failover_failed / return_failed / no_remedy / held
                       (detect_to_switch_ms, onset_to_switch_ms)
  comments.minute      the comment room's tally of each minute (by kind: questions, complaints, ...)
  console.lucky_bag_*  lucky bags 福袋: started (prize, countdown, condition) and ended (entries, winners)

The room's voice: comments per minute are charted from the platform's own comment counter (the samples)
beside the questions and complaints of the minute tallies; a complaint burst is a "complaint_peak" on the
incident timeline (with its examples); a lucky bag is an incident at its start and at its draw, and a row
of its own with the viewers (ACU) and comments per minute before, during and after it (windows as long
as the bag ran).

The KPI formulas are the metrics room's (controlroom.metrics.kpi), applied to the journaled samples,
so the recap's figures are the ones the operator saw live. Money stays integer 分; rates are floats
in 0..1; anything not measured is None (shown as "—").

Time axis: UTC wall time (POSIX seconds) of events and samples. Monotonic readings restart when the
app restarts after a crash; UTC does not, so a resumed session still lines up.

Segment call-outs (thresholds in settings [recap], RecapSettings):
  traffic index    = the segment's average concurrent viewers (ACU) / the show's ACU
  conversion index = the segment's conversion (Δbuyers / Δunique viewers, the live formula) / the
                     show's conversion
  "talk track missed": traffic index ≥ traffic_ok (0.9) and conversion index < conversion_low (0.8)
      — people were there, the pitch did not land (pain point, proof, price anchor).
  "traffic short":     conversion index ≥ conversion_ok (1.0) and traffic index < traffic_low (0.8)
      — the pitch converts but few saw it: move it to the peak or warm the room first (福袋, 投流).
  Segments shorter than min_segment_s or with fewer than min_segment_viewers new viewers are not judged.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from controlroom.journal import queries

from controlroom.metrics.history import read_series
from controlroom.metrics.kpi import Kpis, Segment, kpis_between, ratio, segment_kpis, sku_kpis, target_progress
from controlroom.metrics.series import SKU_PREFIX, SeriesStore
from controlroom.metrics.targets import Targets, TargetsError, load_targets
from controlroom.platform import MetricsSnapshot, SkuMetrics


class RecapError(RuntimeError):
    """The recap cannot be made (no such session, unreadable journal)."""


@dataclass(frozen=True)
class RecapSettings:
    traffic_ok: float = 0.9          # segment ACU ≥ 0.9 × show ACU counts as "viewers on target"
    conversion_low: float = 0.8      # segment conversion < 0.8 × show conversion is "low"
    conversion_ok: float = 1.0       # ... ≥ 1.0 × show conversion is "good"
    traffic_low: float = 0.8         # segment ACU < 0.8 × show ACU is "traffic short"
    min_segment_s: float = 60.0      # shorter segments are not judged
    min_segment_viewers: int = 50    # nor segments with fewer new viewers
    effect_window_s: float = 300.0   # orders/min before vs after a price change or offer
    min_effect_span_s: float = 30.0  # a before/after span shorter than this gives no rate
    previous_shows: int = 5          # earlier shows compared in the headline


# ---- the recap's parts -------------------------------------------------------------------------
@dataclass(frozen=True)
class HeadlineMetric:
    key: str
    label: str
    unit: str                        # fen | count | rate
    value: int | float | None
    target: int | float | None = None
    target_fraction: float | None = None   # value / target
    previous: int | float | None = None    # the latest earlier show
    previous_avg: float | None = None      # mean over the earlier shows compared
    vs_previous: float | None = None       # value / previous - 1


@dataclass(frozen=True)
class PreviousShow:
    session_id: int
    title: str
    started_utc: datetime | None
    values: dict[str, int | float | None]


@dataclass(frozen=True)
class SegmentRow:
    index: int | None
    cue: str
    title: str
    kind: str
    products: tuple[str, ...]
    planned_start_s: float | None    # from the rundown start
    planned_s: float | None
    actual_start_s: float | None     # None: planned but never played
    actual_s: float | None           # wall time until the next transition
    run_s: float | None              # the runner's timer (pauses excluded), when journaled
    start_utc: datetime | None
    new_viewers: int | None          # unique viewers who arrived during the segment
    acu: float | None
    pcu: int | None
    gmv: int | None                  # 分
    orders: int | None
    conversion: float | None
    traffic_index: float | None
    conversion_index: float | None
    callout: str = ""                # "" | talk_track_missed | traffic_short
    callout_text: str = ""

    @property
    def start_delta_s(self) -> float | None:
        if self.actual_start_s is None or self.planned_start_s is None:
            return None
        return self.actual_start_s - self.planned_start_s

    @property
    def length_delta_s(self) -> float | None:
        if self.actual_s is None or self.planned_s is None:
            return None
        return self.actual_s - self.planned_s


@dataclass(frozen=True)
class PriceChange:
    utc: datetime
    t_s: float                       # seconds since the show start
    sku: str | None                  # None: shop-wide (a coupon for every product)
    kind: str                        # price | revert | offer_start | offer_stop | coupon_issue | coupon_stop
    actor: str
    from_price: int | None           # 分
    to_price: int | None             # 分
    detail: str
    orders_per_min_before: float | None
    orders_per_min_after: float | None
    before_span_s: float
    after_span_s: float

    @property
    def effect(self) -> float | None:
        """after / before - 1 (None without both rates or when nothing sold before)."""
        if self.orders_per_min_before is None or self.orders_per_min_after is None \
                or self.orders_per_min_before <= 0:
            return None
        return self.orders_per_min_after / self.orders_per_min_before - 1.0


@dataclass(frozen=True)
class ProductRow:
    sku: str
    title: str
    gmv: int
    paid_gmv: int
    orders: int
    units: int
    impressions: int
    clicks: int
    add_to_cart: int
    ctr: float | None
    add_to_cart_rate: float | None
    conversion: float | None         # orders / product clicks (点击-成交转化率)
    changes: tuple[PriceChange, ...] = ()


@dataclass(frozen=True)
class Incident:
    utc: datetime
    t_s: float
    kind: str        # alert | alert_ack | block | override | override_refused | breaker | readback_mismatch |
    #                  action_failed | sku_unlocked | failover | returned | failover_failed | return_failed |
    #                  stream_no_remedy | stream_held | offer_failed | complaint_peak | lucky_bag
    severity: str    # info | warning | critical
    actor: str
    title: str
    detail: str = ""
    sku: str | None = None
    duration_ms: int | None = None   # failovers: detect → switch
    onset_ms: int | None = None      # failovers: onset → switch
    seq: int = 0


@dataclass(frozen=True)
class CommentMinute:
    t_s: float                       # the end of the tallied minute, seconds since the start
    utc: datetime
    total: int
    question: int
    complaint: int
    praise: int
    spam: int
    entry: int                       # lucky-bag passphrase comments


@dataclass(frozen=True)
class LuckyBagRow:
    bag_id: str
    prize: str
    start_utc: datetime
    t_s: float
    ran_s: float                     # started -> drawn (or cancelled); to the end of the show if it never ended
    countdown_s: float
    follow_required: bool
    passphrase: str
    winners_planned: int
    entries: int | None
    eligible: int | None
    winners: int | None              # how many were drawn (who: in the journal, personal data stays there)
    drawn: bool | None
    reason: str
    # average concurrent viewers and comments per minute, in windows as long as the bag ran
    acu_before: float | None
    acu_during: float | None
    acu_after: float | None
    comments_before: float | None
    comments_during: float | None
    comments_after: float | None


@dataclass(frozen=True)
class ChartMarker:
    t_s: float
    kind: str        # price | alert | failover | complaint | lucky_bag
    label: str


@dataclass
class Recap:
    session_id: int
    title: str
    status: str                      # ended | open | not started
    created_utc: datetime
    start_utc: datetime | None
    end_utc: datetime | None
    duration_s: float
    show_dir: str | None
    targets: Targets
    headline: list[HeadlineMetric]
    previous: list[PreviousShow]
    segments: list[SegmentRow]
    products: list[ProductRow]
    price_changes: list[PriceChange]
    incidents: list[Incident]
    markers: list[ChartMarker]
    series: dict[str, np.ndarray]    # t_s (seconds since start), online, gmv, orders, buyers, unique_viewers, comments
    has_samples: bool
    settings: RecapSettings
    notes: list[str] = field(default_factory=list)
    comment_minutes: list[CommentMinute] = field(default_factory=list)
    lucky_bags: list[LuckyBagRow] = field(default_factory=list)
    made_utc: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def metric(self, key: str) -> HeadlineMetric:
        return next(m for m in self.headline if m.key == key)


# ---- building ----------------------------------------------------------------------------------
HEADLINE = (  # key, label, unit
    ("gmv", "GMV (unpaid included)", "fen"),
    ("paid_gmv", "Paid GMV", "fen"),
    ("unpaid_gmv", "Unpaid GMV", "fen"),
    ("orders", "Orders", "count"),
    ("paid_orders", "Paid orders", "count"),
    ("unique_viewers", "Unique viewers (UV)", "count"),
    ("views", "Views", "count"),
    ("pcu", "Peak concurrent (PCU)", "count"),
    ("acu", "Average concurrent (ACU)", "count"),
    ("conversion", "Conversion rate", "rate"),
    ("uv_value", "UV value", "fen"),
    ("gpm", "GPM", "fen"),
    ("follow_rate", "Follow rate", "rate"),
    ("interaction_rate", "Interaction rate", "rate"),
    ("add_to_cart_rate", "Add-to-cart rate", "rate"),
)


def _kpi_values(k: Kpis) -> dict[str, int | float | None]:
    return {"gmv": k.gmv, "paid_gmv": k.paid_gmv, "unpaid_gmv": k.gmv - k.paid_gmv, "orders": k.orders,
            "paid_orders": k.paid_orders, "unique_viewers": k.unique_viewers, "views": k.views,
            "pcu": k.pcu, "acu": k.acu, "conversion": k.conversion, "uv_value": k.uv_value, "gpm": k.gpm,
            "follow_rate": k.follow_rate, "interaction_rate": k.interaction_rate,
            "add_to_cart_rate": k.add_to_cart_rate}


class _Series:
    """A session's room samples on the UTC axis, in a SeriesStore so the live KPI code applies."""

    def __init__(self, journal, session_id: int):
        data = read_series(journal, session_id)
        self.store: SeriesStore | None = None
        self.utc = np.zeros(0)
        self.values: dict[str, np.ndarray] = {}
        self.restarts: tuple[float, ...] = ()   # counters that fell in an old journal, repaired (rebase.py)
        if data is None:
            return
        self.restarts = data.restarts_utc
        order = np.argsort(data.utc, kind="stable")
        self.utc = data.utc[order]
        self.values = {m: v[order] for m, v in data.values.items()}
        self.store = SeriesStore(capacity=max(16, len(self.utc) + 1))
        names = list(self.values)
        cols = [self.values[m] for m in names]
        for i, u in enumerate(self.utc):
            self.store.append(float(u), float(u), MetricsSnapshot(**{m: int(c[i]) for m, c in zip(names, cols)}))

    def __bool__(self) -> bool:
        return self.store is not None and len(self.store) > 0

    def show_kpis(self, start: float, end: float) -> Kpis | None:
        if not self:
            return None
        last = self.store.at_or_before(end) or self.store.last()
        peak, avg = self.store.online_stats(start, end)
        return kpis_between(None, last, span_s=max(end - start, 0.0), online=last.online,
                            pcu=peak if peak is not None else self.store.pcu,
                            acu=avg if avg is not None else self.store.acu)


def _utc_s(dt: datetime) -> float:
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


def build_recap(journal, session_id: int, settings: RecapSettings | None = None,
                show_dir: str | Path | None = None) -> Recap:
    """The recap of one session (ended, open, or an old one). Raises RecapError for an unknown session."""
    settings = settings or RecapSettings()
    try:
        sess = journal.session(int(session_id))
    except KeyError:
        known = [s.id for s in journal.sessions()]
        raise RecapError(f"no session {session_id} in {journal.path}"
                         + (f"; sessions there: {', '.join(map(str, known[-10:]))}" if known else
                            "; the journal has no sessions")) from None
    sid = sess.id
    notes: list[str] = []
    events = journal.events(sid)
    series = _Series(journal, sid)

    # the show's span on the UTC axis
    start = _first_utc(events, ("session.started",)) or _first_utc(events, ("rundown.started",))
    if start is None:
        start = float(series.utc[0]) if series else _utc_s(sess.created_utc)
    end_ev = _first_utc(events, ("session.ended",))
    last_seen = max([_utc_s(e.utc) for e in events[-1:]] + ([float(series.utc[-1])] if series else []) + [start])
    end = max(end_ev, float(series.utc[-1]) if series else end_ev) if end_ev is not None else last_seen
    status = "ended" if sess.ended_utc else ("open" if sess.started_utc else "not started")

    sdir = show_dir or sess.meta.get("show_dir")
    try:
        targets = load_targets(sdir) if sdir and Path(sdir).exists() else Targets()
    except (TargetsError, OSError, ValueError) as e:
        notes.append(f"targets not read: {e}")
        targets = Targets()
    if sdir and not Path(sdir).exists():
        notes.append(f"the show folder {sdir} is gone: no targets or catalog titles")

    show = series.show_kpis(start, end)
    if show is None:
        notes.append("no metric samples were journaled for this show: figures show —")
    previous = _previous_shows(journal, sid, settings.previous_shows)
    headline = _headline(show, targets, end - start, previous)

    segments = _segments(events, series, start, end, show, settings)
    changes = _price_changes(journal, sid, events, series, start, end, settings)
    products = _products(journal, sid, events, sdir, changes, series.restarts)
    incidents = _incidents(events, start)
    markers = _markers(changes, incidents)
    chart = _chart_series(series, start)
    minutes = _comment_minutes(events, start)
    bags = _lucky_bags(events, series, start, end)
    return Recap(sid, sess.title, status, sess.created_utc, _dt(start), _dt(end) if end_ev or series else None,
                 max(end - start, 0.0), str(sdir) if sdir else None, targets, headline, previous, segments,
                 products, changes, incidents, markers, chart, bool(series), settings, notes, minutes, bags)


def _first_utc(events, kinds) -> float | None:
    for e in events:
        if e.kind in kinds:
            return _utc_s(e.utc)
    return None


# ---- headline --------------------------------------------------------------------------------------
def _headline(show: Kpis | None, targets: Targets, elapsed_s: float,
              previous: list[PreviousShow]) -> list[HeadlineMetric]:
    values = _kpi_values(show) if show is not None else {k: None for k, _, _ in HEADLINE}
    tp = {p.name: p for p in target_progress(targets, show, elapsed_s)} if show is not None else {}
    target_of = {"gmv": targets.gmv, "unique_viewers": targets.viewers, "conversion": targets.conversion,
                 "uv_value": targets.uv_value}
    progress_of = {"gmv": "gmv", "unique_viewers": "viewers", "conversion": "conversion", "uv_value": "uv_value"}
    out = []
    for key, label, unit in HEADLINE:
        v = values.get(key)
        prev = previous[0].values.get(key) if previous else None
        prevs = [p.values.get(key) for p in previous if p.values.get(key) is not None]
        avg = float(sum(prevs) / len(prevs)) if prevs else None
        vs = None
        if v is not None and prev is not None and prev:
            vs = (v - prev) / prev
        p = tp.get(progress_of.get(key, ""))
        out.append(HeadlineMetric(key, label, unit, v, target_of.get(key), p.fraction if p else None,
                                  prev, avg, vs))
    return out


def _previous_shows(journal, sid: int, limit: int) -> list[PreviousShow]:
    """Earlier sessions that have samples, latest first, with the same headline formulas."""
    if limit <= 0:
        return []
    ids = queries.earlier_sessions_with_samples(journal, sid, limit)
    out = []
    for pid in ids:
        try:
            s = journal.session(pid)
            ser = _Series(journal, pid)
            if not ser:
                continue
            evs = journal.events(pid, kinds=["session.started", "session.ended"])
            a = _first_utc(evs, ("session.started",)) or float(ser.utc[0])
            b = _first_utc(evs, ("session.ended",)) or float(ser.utc[-1])
            k = ser.show_kpis(a, max(b, float(ser.utc[-1])))
            out.append(PreviousShow(pid, s.title, s.started_utc, _kpi_values(k)))
        except Exception as e:  # an unreadable old show must not stop today's recap
            out.append(PreviousShow(pid, f"(unreadable: {e})", None, {}))
    return out


# ---- run of show -----------------------------------------------------------------------------------
def _segments(events, series: _Series, start: float, end: float, show: Kpis | None,
              st: RecapSettings) -> list[SegmentRow]:
    plan: list[dict] = []
    for e in events:
        if e.kind == "rundown.loaded" and not any(x.kind in ("rundown.started",) and x.seq < e.seq for x in events):
            plan = list(e.payload.get("segments") or [])
    if not plan:  # loaded mid-show only: still the best plan we have
        plan = next((list(e.payload.get("segments") or []) for e in reversed(events)
                     if e.kind == "rundown.loaded"), [])
    planned_starts, t = [], 0.0
    for s in plan:
        planned_starts.append(t)
        t += float(s.get("planned_s") or 0)

    trans = [e for e in events if e.kind in ("rundown.started", "rundown.segment", "rundown.ended")]
    rundown0 = next((_utc_s(e.utc) for e in trans if e.kind == "rundown.started"), None)
    visits = []
    for i, e in enumerate(trans):
        if e.kind == "rundown.ended":
            continue
        p = e.payload
        a = _utc_s(e.utc)
        nxt = trans[i + 1] if i + 1 < len(trans) else None
        b = _utc_s(nxt.utc) if nxt is not None else end
        run_s = nxt.payload.get("from_actual_s") if nxt is not None else None
        idx = p.get("index")
        pl = plan[idx] if isinstance(idx, int) and 0 <= idx < len(plan) else {}
        visits.append((idx, p, pl, a, max(b, a), run_s))

    seg_kpis = []
    if series and visits:
        segs = [Segment(str(v[1].get("title", "")), v[3], v[4], str(v[0])) for v in visits]
        seg_kpis = [sk.kpis for sk in segment_kpis(series.store, segs, end)]
    show_acu = show.acu if show else None
    show_conv = show.conversion if show else None
    rows: list[SegmentRow] = []
    for n, (idx, p, pl, a, b, run_s) in enumerate(visits):
        k = seg_kpis[n] if seg_kpis else None
        length = b - a
        ti = ratio(k.acu, show_acu) if k is not None and k.acu is not None and show_acu else None
        ci = ratio(k.conversion, show_conv) if k is not None and k.conversion is not None and show_conv else None
        callout, words = "", ""
        judged = k is not None and length >= st.min_segment_s and k.unique_viewers >= st.min_segment_viewers
        if judged and ti is not None and ci is not None:
            if ti >= st.traffic_ok and ci < st.conversion_low:
                callout = "talk_track_missed"
                words = (f"Viewers on target ({ti:.2f}× the show's average concurrent) but conversion low "
                         f"({ci:.2f}× the show's): the talk track missed the pain point.")
            elif ci >= st.conversion_ok and ti < st.traffic_low:
                callout = "traffic_short"
                words = (f"Conversion good ({ci:.2f}× the show's) but viewers short ({ti:.2f}× the show's "
                         f"average concurrent): the pitch works, bring traffic to it (peak slot, 福袋 first).")
        planned_start = p.get("planned_start_s")
        if planned_start is None and isinstance(idx, int) and idx < len(planned_starts):
            planned_start = planned_starts[idx]
        rows.append(SegmentRow(
            index=idx, cue=str(p.get("cue") or pl.get("cue") or ""), title=str(p.get("title") or pl.get("title") or ""),
            kind=str(p.get("kind") or pl.get("kind") or ""),
            products=tuple(p.get("products") or pl.get("products") or ()),
            planned_start_s=float(planned_start) if planned_start is not None else None,
            planned_s=float(p.get("planned_s") or pl.get("planned_s")) if (p.get("planned_s") or pl.get("planned_s")) else None,
            actual_start_s=(a - rundown0) if rundown0 is not None else a - start,
            actual_s=length, run_s=float(run_s) if run_s is not None else None, start_utc=_dt(a),
            new_viewers=k.unique_viewers if k else None, acu=k.acu if k else None, pcu=k.pcu if k else None,
            gmv=k.gmv if k else None, orders=k.orders if k else None, conversion=k.conversion if k else None,
            traffic_index=ti, conversion_index=ci, callout=callout, callout_text=words))
    played = {r.index for r in rows}
    for i, pl in enumerate(plan):  # planned but never played: plan vs actual shows the gap
        if i in played:
            continue
        rows.append(SegmentRow(i, str(pl.get("cue", "")), str(pl.get("title", "")), str(pl.get("kind", "")),
                               tuple(pl.get("products") or ()), planned_starts[i], float(pl.get("planned_s") or 0),
                               None, None, None, None, None, None, None, None, None, None, None, None,
                               "skipped", "Planned but not played."))
    rows.sort(key=lambda r: (r.actual_start_s is None, r.actual_start_s if r.actual_start_s is not None
                             else (r.planned_start_s or 0)))
    return rows


# ---- prices, offers, coupons -----------------------------------------------------------------------
CHANGE_KINDS = {"console.price_changed": "price", "console.offer_started": "offer_start",
                "console.offer_stopped": "offer_stop", "console.coupon_issued": "coupon_issue",
                "console.coupon_stopped": "coupon_stop"}


class _Steps:
    """A counter journaled only when it changes: its value at t is the last sample at or before t."""

    def __init__(self, rows: list[tuple[float, int]]):
        rows.sort()
        self.t = [r[0] for r in rows]
        self.v = [r[1] for r in rows]

    def at(self, t: float) -> int:
        i = bisect_right(self.t, t) - 1
        return self.v[i] if i >= 0 else 0


def _sku_order_steps(journal, sid: int, restarts=()) -> dict[str, _Steps]:
    rows: dict[str, list] = {}
    if restarts:   # an old journal whose counters fell: read them repaired, like the room's series
        from controlroom.metrics.history import sku_rows
        for t, sku, f, v in sku_rows(journal, sid, restarts):
            if f == "orders":
                rows.setdefault(sku, []).append((t, v))
        return {s: _Steps(r) for s, r in rows.items()}
    for sku, utc, value in queries.sku_metric_samples(journal, sid, SKU_PREFIX + "orders"):
        rows.setdefault(sku, []).append((datetime.fromisoformat(utc).timestamp(), int(value)))
    return {s: _Steps(r) for s, r in rows.items()}


def _rate(steps: _Steps | None, a: float, b: float, min_span: float) -> float | None:
    if steps is None or b - a < min_span:
        return None
    return (steps.at(b) - steps.at(a)) * 60.0 / (b - a)


def _price_changes(journal, sid, events, series: _Series, start, end, st: RecapSettings) -> list[PriceChange]:
    steps = _sku_order_steps(journal, sid, series.restarts)
    room = _Steps([(float(u), int(o)) for u, o in zip(series.utc, series.values.get("orders", []))]) \
        if series else None
    data_end = min(end, float(series.utc[-1])) if series else end
    data_start = max(start, float(series.utc[0])) if series else start
    out = []
    for e in events:
        kind = CHANGE_KINDS.get(e.kind)
        if kind is None:
            continue
        p = e.payload
        sku = p.get("sku")
        frm, to, detail = p.get("prev_price"), p.get("price"), ""
        if kind == "price" and p.get("revert"):
            kind = "revert"
        if kind == "offer_start":
            detail = f"{p.get('duration_s') or 0:g} s" + (f", qty {p['qty']}" if p.get("qty") else "")
        elif kind == "offer_stop":
            frm, to = p.get("offer_price"), p.get("price")
            detail = str(p.get("reason") or "")
        elif kind in ("coupon_issue", "coupon_stop"):
            spec = p.get("spec") or {}
            sku = spec.get("sku", sku)
            frm = to = None
            if spec:
                detail = (f"{_yuan(spec.get('amount'))} off over {_yuan(spec.get('threshold'))}"
                          + (f", {spec['total_qty']} total" if spec.get("total_qty") else ", unlimited")
                          + (f" [{p.get('coupon_id')}]" if p.get("coupon_id") else ""))
        t = _utc_s(e.utc)
        src = steps.get(sku) if sku else room
        a0, b1 = max(data_start, t - st.effect_window_s), min(data_end, t + st.effect_window_s)
        out.append(PriceChange(e.utc, t - start, sku, kind, e.actor, frm if isinstance(frm, int) else None,
                               to if isinstance(to, int) else None, detail,
                               _rate(src, a0, t, st.min_effect_span_s), _rate(src, t, b1, st.min_effect_span_s),
                               max(t - a0, 0.0), max(b1 - t, 0.0)))
    return out


def _yuan(fen) -> str:
    from controlroom.metrics.kpi import fmt_yuan
    return fmt_yuan(fen) if isinstance(fen, int) else "—"


# ---- products --------------------------------------------------------------------------------------
def _catalog_titles(show_dir) -> dict[str, str]:
    if not show_dir:
        return {}
    try:
        from controlroom.rundown.room import load_catalog
        return {s: d.get("title", "") for s, d in load_catalog(Path(show_dir)).items()}
    except Exception:
        return {}


def _products(journal, sid, events, show_dir, changes: list[PriceChange], restarts=()) -> list[ProductRow]:
    from controlroom.metrics.history import latest_sku_values
    titles = _catalog_titles(show_dir)
    for e in events:  # what the platform itself called the product (read-backs), over the plan's title
        rb = e.payload.get("readback") if e.kind.startswith("console.") else None
        if isinstance(rb, dict) and rb.get("sku") and rb.get("title"):
            titles[rb["sku"]] = rb["title"]
    vals = latest_sku_values(journal, sid, restarts)
    by_sku: dict[str, list[PriceChange]] = {}
    for c in changes:
        if c.sku:
            by_sku.setdefault(c.sku, []).append(c)
    rows = []
    for sku in sorted(set(vals) | set(by_sku)):
        k = sku_kpis(SkuMetrics(sku, **{f: int(v) for f, v in vals.get(sku, {}).items()
                                        if f in SkuMetrics.__dataclass_fields__}))
        rows.append(ProductRow(sku, titles.get(sku, ""), k.gmv, k.paid_gmv, k.orders, k.units, k.impressions,
                               k.clicks, k.add_to_cart, k.ctr, k.add_to_cart_rate, k.click_to_order,
                               tuple(by_sku.get(sku, ()))))
    rows.sort(key=lambda r: (-r.gmv, r.sku))
    return rows


# ---- incidents -------------------------------------------------------------------------------------
STREAM_INCIDENTS = {
    "stream.failover": ("failover", "critical", "Failed over to the backup stream"),
    "stream.returned": ("returned", "info", "Back on the primary stream"),
    "stream.failover_failed": ("failover_failed", "critical", "Failover FAILED"),
    "stream.return_failed": ("return_failed", "critical", "Return to primary failed"),
    "stream.no_remedy": ("stream_no_remedy", "critical", "Stream failed, no failover applies"),
    "stream.held": ("stream_held", "critical", "Primary failed, manual hold: not switching"),
}


def _incidents(events, start: float) -> list[Incident]:
    out: list[Incident] = []
    raised: dict[str, Any] = {}
    backup_since: float | None = None
    for e in events:
        p, t = e.payload, _utc_s(e.utc)
        rel = t - start

        def add(kind, severity, title, detail="", sku=None, actor=e.actor, **kw):
            out.append(Incident(e.utc, rel, kind, severity, actor, title, detail, sku, seq=e.seq, **kw))

        k = e.kind
        if k == "alert.raised":
            raised[f"A{e.seq}"] = e
            if p.get("alert_id"):
                raised[str(p["alert_id"])] = e
            add("complaint_peak" if p.get("rule") == "complaint_burst" else "alert",
                str(p.get("severity") or "warning"), str(p.get("title") or p.get("rule") or "alert"),
                "; ".join(x for x in (str(p.get("detail") or ""), str(p.get("suggestion") or "")) if x),
                p.get("sku"), actor=str(p.get("source") or e.actor))
        elif k == "console.lucky_bag_started":
            cond = "关注 + 口令" if p.get("follow_required") else "口令"
            add("lucky_bag", "info", f"Lucky bag {p.get('bag_id')}: {p.get('prize')} × {p.get('winners')}",
                f"countdown {float(p.get('countdown_s') or 0):.0f} s; condition {cond} “{p.get('passphrase')}”")
        elif k == "console.lucky_bag_ended":
            if p.get("drawn"):
                title = f"Lucky bag {p.get('bag_id')} drawn: {len(p.get('winners') or [])} winner(s)"
            else:
                title = f"Lucky bag {p.get('bag_id')} ended without a draw ({p.get('reason')})"
            add("lucky_bag", "info", title, f"{p.get('entries', 0)} entries, {p.get('eligible', 0)} eligible"
                + (f"; {p['note']}" if p.get("note") else ""))
        elif k == "alert.acked":
            src = raised.get(str(p.get("alert_id")))
            what = src.payload.get("title") if src is not None else p.get("rule") or p.get("alert_id")
            after = f" after {t - _utc_s(src.utc):.0f} s" if src is not None else ""
            add("alert_ack", "info", f"Acknowledged: {what}", f"alert {p.get('alert_id')}{after}")
        elif k == "interlock.verdict" and p.get("verdict") == "block":
            add("block", "warning", f"Blocked: {p.get('what') or p.get('action')}", str(p.get("words") or ""),
                p.get("sku"))
        elif k == "interlock.override":
            add("override", "critical", f"Override by {e.actor}: {p.get('what') or ''}".strip(),
                f"reason: {p.get('reason_text') or '—'}; operator: {p.get('operator') or '—'}; "
                f"rule: {p.get('words') or ', '.join(p.get('rules') or [])}", _sku_of(p))
        elif k == "interlock.override_refused":
            add("override_refused", "warning", f"Override refused: {p.get('what') or ''}".strip(),
                f"{p.get('why') or ''}; reason given: {p.get('reason_text') or '—'}", _sku_of(p))
        elif k == "interlock.breaker_tripped":
            add("breaker", "critical", f"Circuit breaker on {p.get('sku')}: {p.get('rule')}",
                str(p.get("words") or ""), p.get("sku"))
        elif k == "console.readback_mismatch":
            add("readback_mismatch", "critical", f"Read-back mismatch: {p.get('what') or p.get('action')}",
                f"commanded {json.dumps(p.get('commanded'), ensure_ascii=False)}, platform says "
                f"{json.dumps(p.get('readback'), ensure_ascii=False)}", p.get("sku"))
        elif k == "console.action_failed":
            add("action_failed", "warning", f"Action failed: {p.get('what') or p.get('action')}",
                str(p.get("error") or ""), p.get("sku"))
        elif k == "console.sku_unlocked":
            add("sku_unlocked", "info", f"{p.get('sku')} unlocked by {e.actor}",
                f"{p.get('note') or ''} (was: {p.get('was') or ''})".strip(), p.get("sku"))
        elif k == "rundown.offer_failed":
            add("offer_failed", "warning", f"Countdown offer {p.get('action')} failed on {p.get('sku')}",
                str(p.get("error") or ""), p.get("sku"))
        elif k in STREAM_INCIDENTS:
            kind, sev, title = STREAM_INCIDENTS[k]
            d2s, o2s = p.get("detect_to_switch_ms"), p.get("onset_to_switch_ms")
            bits = []
            if isinstance(d2s, (int, float)):
                bits.append(f"detect→switch {d2s:.0f} ms")
            if isinstance(o2s, (int, float)):
                bits.append(f"onset→switch {o2s:.0f} ms")
            if k == "stream.failover":
                backup_since = t
            elif k == "stream.returned" and backup_since is not None:
                bits.append(f"on backup for {t - backup_since:.1f} s")
                backup_since = None
            reasons = (p.get("trigger") or {}).get("reasons") if isinstance(p.get("trigger"), dict) else None
            if reasons:
                bits.append("; ".join(map(str, reasons)))
            if p.get("error"):
                bits.append(str(p["error"]))
            if p.get("target"):
                bits.append(f"target {p['target']}")
            add(kind, sev, title, " · ".join(bits), duration_ms=int(d2s) if isinstance(d2s, (int, float)) else None,
                onset_ms=int(o2s) if isinstance(o2s, (int, float)) else None)
    return out


def _sku_of(p: dict) -> str | None:
    what = str(p.get("what") or "")
    parts = what.split()
    return p.get("sku") or (parts[1] if len(parts) > 1 and parts[0] in ("price", "list", "offer", "revert") else None)


# ---- charts' data ----------------------------------------------------------------------------------
def _markers(changes: list[PriceChange], incidents: list[Incident]) -> list[ChartMarker]:
    out = [ChartMarker(c.t_s, "price", f"{c.sku or 'shop'} {c.kind}") for c in changes
           if c.kind in ("price", "revert", "offer_start", "offer_stop", "coupon_issue")]
    for i in incidents:
        if i.kind in ("failover", "returned", "failover_failed", "return_failed"):
            out.append(ChartMarker(i.t_s, "failover", i.title))
        elif i.kind == "alert":
            out.append(ChartMarker(i.t_s, "alert", i.title))
        elif i.kind == "complaint_peak":
            out.append(ChartMarker(i.t_s, "complaint", i.title))
        elif i.kind == "lucky_bag":
            out.append(ChartMarker(i.t_s, "lucky_bag", i.title))
    return sorted(out, key=lambda m: m.t_s)


def _comment_minutes(events, start: float) -> list[CommentMinute]:
    out = []
    for e in events:
        if e.kind != "comments.minute":
            continue
        p = e.payload
        c = p.get("counts") or {}
        end = float(p.get("end_utc") or _utc_s(e.utc))
        out.append(CommentMinute(end - start, _dt(end), int(sum(v for v in c.values() if isinstance(v, int))),
                                 *(int(c.get(k) or 0) for k in ("question", "complaint", "praise", "spam", "entry"))))
    return out


def _window_stats(series: _Series, a: float, b: float) -> tuple[float | None, float | None]:
    """(average online, comments per minute) between UTC a and b from the samples, None where not covered."""
    if not series or b - a < 1 or a < float(series.utc[0]) - 1 or b > float(series.utc[-1]) + 1:
        return None, None
    u = series.utc
    i, j = np.searchsorted(u, a, side="left"), np.searchsorted(u, b, side="right")
    acu = float(series.values["online"][i:j].mean()) if j > i and "online" in series.values else None
    per_min = None
    if "comments" in series.values and j - i >= 2:
        c = series.values["comments"]
        span = float(u[j - 1] - u[i])
        per_min = float(c[j - 1] - c[i]) * 60.0 / span if span > 0 else None
    return acu, per_min


def _lucky_bags(events, series: _Series, start: float, end: float) -> list[LuckyBagRow]:
    started: dict[str, tuple[float, dict]] = {}
    ended: dict[str, tuple[float, dict]] = {}
    for e in events:
        if e.kind == "console.lucky_bag_started":
            started[str(e.payload.get("bag_id"))] = (_utc_s(e.utc), e.payload)
        elif e.kind == "console.lucky_bag_ended":
            ended[str(e.payload.get("bag_id"))] = (_utc_s(e.utc), e.payload)
    rows = []
    for bag_id, (t0, p) in started.items():
        t1, q = ended.get(bag_id, (end, {}))
        ran = max(t1 - t0, 0.0)
        before = _window_stats(series, t0 - ran, t0)
        during = _window_stats(series, t0, t1)
        after = _window_stats(series, t1, t1 + ran)
        rows.append(LuckyBagRow(
            bag_id, str(p.get("prize") or ""), _dt(t0), t0 - start, ran, float(p.get("countdown_s") or 0),
            bool(p.get("follow_required")), str(p.get("passphrase") or ""), int(p.get("winners") or 0),
            q.get("entries"), q.get("eligible"), len(q.get("winners") or []) if q else None,
            q.get("drawn") if q else None, str(q.get("reason") or ("still running" if not q else "")),
            before[0], during[0], after[0], before[1], during[1], after[1]))
    return rows


def _chart_series(series: _Series, start: float) -> dict[str, np.ndarray]:
    if not series:
        return {}
    out = {"t_s": series.utc - start}
    for m in ("online", "gmv", "paid_gmv", "orders", "buyers", "unique_viewers", "views", "comments"):
        if m in series.values:
            out[m] = series.values[m].astype(np.int64)
    return out
