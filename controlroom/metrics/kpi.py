"""KPI formulas (domain.md "Live metrics"), as pure functions over cumulative counters.

Every ratio is divide-by-zero safe: a KPI without a denominator yet is None (shown as "—"), never
an exception at show start. Money stays integer 分 (UV value, GPM are rounded half-up in integer
arithmetic); rates are floats in 0..1.

A window's KPIs are the same formulas applied to the change of the cumulative counters across the
window (Δbuyers / Δviewers ...): the viewers of a window are the distinct viewers who arrived in it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from controlroom.platform import SkuMetrics

DASH = "—"


def ratio(num: int | float, den: int | float) -> float | None:
    """num / den, or None when there is nothing to divide by (or the counters went backwards)."""
    if den is None or num is None or den <= 0 or num < 0:
        return None
    return num / den


def div_round(num: int, den: int) -> int | None:
    """Integer num/den rounded half-up, for money in 分; None when den is 0."""
    if den <= 0 or num < 0:
        return None
    return (2 * num + den) // (2 * den)


def uv_value(gmv_fen: int, unique_viewers: int) -> int | None:
    """UV价值 = GMV / UV, in 分 per viewer."""
    return div_round(gmv_fen, unique_viewers)


def gpm(gmv_fen: int, views: int) -> int | None:
    """GPM 千次观看成交额 = GMV × 1000 / views, in 分."""
    return div_round(gmv_fen * 1000, views)


def _get(c: Any, name: str) -> int:
    if c is None:
        return 0
    if isinstance(c, dict):
        return int(c.get(name, 0))
    values = getattr(c, "values", None)   # a series Row: skip its __getattr__ indirection
    if isinstance(values, dict):
        return int(values.get(name, 0))
    return int(getattr(c, name, 0))


@dataclass(frozen=True)
class Kpis:
    """The room's KPIs over one span (the whole show so far, or a rolling window)."""
    span_s: float
    online: int | None          # concurrent viewers at the end of the span
    pcu: int | None             # peak concurrent in the span
    acu: float | None           # time-weighted average concurrent in the span
    views: int                  # room entries 观看人次
    unique_viewers: int         # UV 观看人数
    gmv: int                    # 分, unpaid included
    paid_gmv: int               # 分
    orders: int
    paid_orders: int
    buyers: int
    new_followers: int
    room_impressions: int
    product_impressions: int
    product_clicks: int
    add_to_cart: int
    conversion: float | None        # buyers / viewers
    click_to_order: float | None    # orders / product clicks
    interaction_rate: float | None  # interacting viewers / viewers
    uv_value: int | None            # 分 per viewer
    gpm: int | None                 # 分 per 1000 views
    follow_rate: float | None       # new followers / viewers
    add_to_cart_rate: float | None  # add to cart / product clicks
    product_ctr: float | None       # product clicks / product impressions
    complete: bool = True           # False when the data cover less than the window asked for

    def funnel(self) -> list[tuple[str, int]]:
        """impressions → room entries → product clicks → add to cart → orders → paid."""
        return [("impressions", self.room_impressions), ("room entries", self.views),
                ("product clicks", self.product_clicks), ("add to cart", self.add_to_cart),
                ("orders", self.orders), ("paid", self.paid_orders)]


def kpis_between(start: Any, end: Any, *, span_s: float, online: int | None = None,
                 pcu: int | None = None, acu: float | None = None, complete: bool = True) -> Kpis:
    """KPIs from the change of cumulative counters between `start` (None = show start: all zero)
    and `end`. Counters may be MetricsSnapshot, a series Row or a mapping of metric -> value."""
    d = {n: _get(end, n) - _get(start, n) for n in (
        "views", "unique_viewers", "gmv", "paid_gmv", "orders", "paid_orders", "buyers",
        "new_followers", "interacting_viewers", "room_impressions", "product_impressions",
        "product_clicks", "add_to_cart")}
    uv = d["unique_viewers"]
    return Kpis(
        span_s=span_s, online=online if online is not None else (_get(end, "online") if end is not None else None),
        pcu=pcu, acu=acu,
        views=d["views"], unique_viewers=uv, gmv=d["gmv"], paid_gmv=d["paid_gmv"],
        orders=d["orders"], paid_orders=d["paid_orders"], buyers=d["buyers"],
        new_followers=d["new_followers"], room_impressions=d["room_impressions"],
        product_impressions=d["product_impressions"], product_clicks=d["product_clicks"],
        add_to_cart=d["add_to_cart"],
        conversion=ratio(d["buyers"], uv),
        click_to_order=ratio(d["orders"], d["product_clicks"]),
        interaction_rate=ratio(d["interacting_viewers"], uv),
        uv_value=uv_value(d["gmv"], uv),
        gpm=gpm(d["gmv"], d["views"]),
        follow_rate=ratio(d["new_followers"], uv),
        add_to_cart_rate=ratio(d["add_to_cart"], d["product_clicks"]),
        product_ctr=ratio(d["product_clicks"], d["product_impressions"]),
        complete=complete,
    )


# ---- per SKU ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SkuKpis:
    sku: str
    impressions: int
    clicks: int
    add_to_cart: int
    orders: int
    paid_orders: int
    units: int
    gmv: int            # 分
    paid_gmv: int       # 分
    ctr: float | None               # clicks / impressions
    add_to_cart_rate: float | None  # add to cart / clicks
    click_to_order: float | None    # orders / clicks


def sku_kpis(end: SkuMetrics, start: SkuMetrics | None = None) -> SkuKpis:
    def d(n: str) -> int:
        return int(getattr(end, n)) - (int(getattr(start, n)) if start is not None else 0)
    clicks, imps, atc, orders = d("clicks"), d("impressions"), d("add_to_cart"), d("orders")
    return SkuKpis(end.sku, imps, clicks, atc, orders, d("paid_orders"), d("units"), d("gmv"),
                   d("paid_gmv"), ratio(clicks, imps), ratio(atc, clicks), ratio(orders, clicks))


RANKINGS = {
    "gmv": lambda k: k.gmv,
    "ctr": lambda k: -1.0 if k.ctr is None else k.ctr,
    "add_to_cart": lambda k: -1.0 if k.add_to_cart_rate is None else k.add_to_cart_rate,
    "orders": lambda k: k.orders,
}


def rank_skus(skus: Mapping[str, SkuMetrics], by: str = "gmv",
              start: Mapping[str, SkuMetrics] | None = None) -> list[SkuKpis]:
    """SKUs best first by `by` (gmv | ctr | add_to_cart | orders); ties broken by GMV then SKU."""
    if by not in RANKINGS:
        raise ValueError(f"rank by one of {', '.join(RANKINGS)}, not {by!r}")
    rows = [sku_kpis(m, (start or {}).get(s)) for s, m in skus.items()]
    key = RANKINGS[by]
    return sorted(rows, key=lambda k: (-key(k), -k.gmv, k.sku))


# ---- run-of-show segments -----------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """One run-of-show segment's span in monotonic seconds (end None = still running)."""
    label: str
    start_mono: float
    end_mono: float | None = None
    segment_id: str = ""


@dataclass(frozen=True)
class SegmentKpis:
    segment: Segment
    kpis: Kpis


def segment_kpis(store, segments: list[Segment], now_mono: float) -> list[SegmentKpis]:
    """KPIs per segment from a SeriesStore: counters at each boundary (the last sample at or
    before it; the show start if none), online stats inside the segment."""
    out = []
    for seg in segments:
        end = seg.end_mono if seg.end_mono is not None else now_mono
        a = store.at_or_before(seg.start_mono)
        b = store.at_or_before(end)
        if b is None:
            out.append(SegmentKpis(seg, kpis_between(None, None, span_s=max(end - seg.start_mono, 0.0))))
            continue
        peak, avg = store.online_stats(seg.start_mono, end)
        out.append(SegmentKpis(seg, kpis_between(a, b, span_s=max(end - seg.start_mono, 0.0),
                                                 online=b.online, pcu=peak, acu=avg)))
    return out


# ---- targets and run-rate projection ------------------------------------------------------
@dataclass(frozen=True)
class TargetProgress:
    name: str                     # gmv | viewers | conversion | uv_value
    target: float | int
    actual: float | int | None
    fraction: float | None        # actual / target
    projected: float | int | None  # where the show ends at the current run rate
    projected_fraction: float | None
    on_track: bool | None


def _progress(name: str, target, actual, projected) -> TargetProgress:
    frac = ratio(actual, target) if actual is not None and target else None
    pfrac = ratio(projected, target) if projected is not None and target else None
    return TargetProgress(name, target, actual, frac, projected, pfrac,
                          None if pfrac is None else pfrac >= 1.0)


def project_total(actual: int, elapsed_s: float, slot_s: float | None, min_elapsed_s: float = 60.0) -> int | None:
    """Run-rate projection of a cumulative count to the end of the slot: actual × slot / elapsed.
    None too early to say (less than a minute in) or without a slot."""
    if not slot_s or elapsed_s < min_elapsed_s:
        return None
    if elapsed_s >= slot_s:
        return actual
    return (actual * int(round(slot_s * 1000)) + int(round(elapsed_s * 1000)) // 2) // int(round(elapsed_s * 1000))


def target_progress(targets, show: Kpis, elapsed_s: float) -> list[TargetProgress]:
    """Progress against the show's targets (controlroom.metrics.targets.Targets)."""
    out = []
    slot = targets.slot_s
    if targets.gmv is not None:
        out.append(_progress("gmv", targets.gmv, show.gmv, project_total(show.gmv, elapsed_s, slot)))
    if targets.viewers is not None:
        out.append(_progress("viewers", targets.viewers, show.unique_viewers,
                             project_total(show.unique_viewers, elapsed_s, slot)))
    if targets.conversion is not None:
        # a rate does not accumulate: the run-rate end value is today's value
        out.append(_progress("conversion", targets.conversion, show.conversion, show.conversion))
    if targets.uv_value is not None:
        out.append(_progress("uv_value", targets.uv_value, show.uv_value, show.uv_value))
    return out


# ---- formatting for people (shared by the UI, the cue screen, alert texts) ----------------
def fmt_rate(x: float | None, digits: int = 1) -> str:
    return DASH if x is None else f"{x * 100:.{digits}f} %"


def fmt_yuan(fen: int | None, decimals: bool = True) -> str:
    if fen is None:
        return DASH
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}" if decimals else f"{sign}¥{(abs(int(fen)) + 50) // 100:,}"


def fmt_count(n: int | float | None) -> str:
    if n is None:
        return DASH
    return f"{int(round(n)):,}"
