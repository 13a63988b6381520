"""The recap as one self-contained HTML file: CSS inline, charts embedded as base64 PNG.

The same markup feeds Qt's QTextDocument for the PDF (ui/recap_render.py), so it keeps to what Qt's
rich-text engine understands: tables with cellpadding, simple CSS classes, <img width=...>. With
`image_src` the caller decides how a chart is referenced (a data: URI for the file, a resource
name for Qt).
"""
from __future__ import annotations

import base64
from html import escape
from typing import Callable

from controlroom.metrics.kpi import DASH, fmt_count, fmt_rate, fmt_yuan
from controlroom.paths import RESOURCES
from controlroom.recap.labels import (bi, fmt_change, fmt_duration, fmt_fraction, fmt_local, fmt_rate_per_min,
                                      fmt_value)
from controlroom.recap.report import Recap

CSS_FILE = RESOURCES / "recap" / "recap.css"
CHARTS = (("online", "Online viewers"), ("gmv", "GMV (cumulative)"), ("orders", "Orders per minute"),
          ("conversion", "Conversion rate (cumulative)"), ("comments", "Comments per minute"))
SEVERITY_WORD = {"critical": "CRITICAL", "warning": "WARNING", "info": "INFO"}
CHANGE_WORD = {"price": "Price change", "revert": "Price revert", "offer_start": "Offer start",
               "offer_stop": "Offer end", "coupon_issue": "Coupon issued", "coupon_stop": "Coupon stopped"}
KIND_WORD = {"alert": "Alert", "alert_ack": "Acknowledged", "block": "Interlock block", "override": "Override",
             "override_refused": "Override refused", "breaker": "Circuit breaker",
             "readback_mismatch": "Read-back mismatch", "action_failed": "Action failed",
             "sku_unlocked": "SKU unlocked", "failover": "Failover", "returned": "Return to primary",
             "failover_failed": "Failover failed", "return_failed": "Return failed",
             "stream_no_remedy": "Stream failed", "stream_held": "Stream held", "offer_failed": "Offer failed",
             "complaint_peak": "Complaint peak", "lucky_bag": "Lucky bag"}
CALLOUT_WORD = {"talk_track_missed": "Talk track missed", "traffic_short": "Traffic short", "skipped": "Skipped"}


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _css() -> str:
    try:
        return CSS_FILE.read_text(encoding="utf-8")
    except OSError:
        return "body{font-family:sans-serif;color:#111;background:#fff}"


def _e(x) -> str:
    return escape(str(x)) if x is not None else DASH


def _table(headers: list[str], rows: list[list[str]], num_cols: set[int] = frozenset(), cls: str = "") -> str:
    head = "".join(f'<th class="{"num" if i in num_cols else ""}">{h}</th>' for i, h in enumerate(headers))
    body = []
    for r in rows:
        tr_cls = ""
        if r and isinstance(r[0], tuple):  # (row class, cell) marker in the first cell
            tr_cls, first = r[0]
            r = [first] + list(r[1:])
        cells = "".join(f'<td class="{"num" if i in num_cols else ""}">{c}</td>' for i, c in enumerate(r))
        body.append(f'<tr class="{tr_cls}">{cells}</tr>')
    if not rows:
        body.append(f'<tr><td colspan="{len(headers)}" class="empty">{bi("Nothing recorded")}</td></tr>')
    return (f'<table class="{cls}" cellspacing="0" cellpadding="4" border="1" width="100%">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def render_html(recap: Recap, charts: dict[str, bytes] | None = None,
                image_src: Callable[[str, bytes], str] | None = None, chart_width: int | None = None,
                for_qt: bool = False) -> str:
    charts = charts or {}
    image_src = image_src or (lambda name, png: data_uri(png))
    r = recap
    parts: list[str] = []
    add = parts.append
    add(f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>{_e(r.title)} · {bi('Post-show recap')}</title><style>{_css()}</style></head><body>")
    add(f'<h1>{bi("Post-show recap")}</h1><p class="title">{_e(r.title)}</p>')
    status = {"ended": bi("ended"), "open": bi("still open (not ended)"), "not started": bi("not started")}[r.status]
    meta = [(bi("Session"), f"#{r.session_id} · {status}"),
            (bi("On air"), f"{fmt_local(r.start_utc, True)} → {fmt_local(r.end_utc, True)}"),
            (bi("Duration"), fmt_duration(r.duration_s)),
            (bi("Show folder"), _e(r.show_dir or DASH)),
            (bi("Made"), fmt_local(r.made_utc, True))]
    add('<table class="meta" cellspacing="0" cellpadding="2" border="0">' +
        "".join(f'<tr><td class="k">{k}</td><td>{v}</td></tr>' for k, v in meta) + "</table>")
    for n in r.notes:
        add(f'<p class="note">⚠ {_e(n)}</p>')

    # ---- headline
    add(f"<h2>{bi('Headline')}</h2>")
    prev = r.previous[0] if r.previous else None
    prev_head = f"{bi('Previous show')}" + (f"<br><span class=\"small\">#{prev.session_id} {_e(prev.title)}</span>"
                                            if prev else "")
    rows = []
    for m in r.headline:
        rows.append([bi(m.label), f"<b>{fmt_value(m.value, m.unit)}</b>", fmt_value(m.target, m.unit),
                     _progress(m.target_fraction), fmt_value(m.previous, m.unit), fmt_change(m.vs_previous),
                     fmt_value(m.previous_avg, m.unit)])
    add(_table([bi("Metric"), bi("This show"), bi("Target"), bi("% of target"), prev_head, bi("vs previous"),
                bi("Average of earlier shows") + f" (n={len(r.previous)})"], rows, {1, 2, 3, 4, 5, 6}, "headline"))

    # ---- charts
    add(f"<h2>{bi('Charts')}</h2>")
    if not charts:
        add(f'<p class="note">{bi("No metric samples: no charts.")}</p>')
    legend = bi("Bands: run-of-show segments · lines: amber price/offer, red alert, purple failover, pink complaint "
                "peak, green lucky bag")
    add(f'<p class="small">{legend}</p>')
    width_attr = f' width="{chart_width}"' if chart_width else ""
    for key, label in CHARTS:
        if key in charts:
            add(f'<div class="chart"><img src="{image_src(key, charts[key])}" alt="{escape(label)}"{width_attr}></div>')

    # ---- run of show
    add(f"<h2>{bi('Run of show: plan vs actual')}</h2>")
    rows = []
    for s in r.segments:
        cls = {"talk_track_missed": "bad", "traffic_short": "warn", "skipped": "dim"}.get(s.callout, "")
        rows.append([(cls, _e(s.cue)), _e(s.title), _e(s.kind),
                     fmt_duration(s.planned_start_s), fmt_duration(s.actual_start_s),
                     fmt_duration(s.start_delta_s, signed=True), fmt_duration(s.planned_s),
                     fmt_duration(s.actual_s), fmt_duration(s.length_delta_s, signed=True),
                     fmt_count(s.new_viewers), fmt_count(s.acu), fmt_yuan(s.gmv), fmt_count(s.orders),
                     fmt_rate(s.conversion), bi(CALLOUT_WORD[s.callout]) if s.callout else ""])
    add(_table([bi("Cue"), bi("Segment"), bi("Kind"), bi("Planned start"), bi("Actual start"), "Δ",
                bi("Planned length"), bi("Actual length"), "Δ", bi("New viewers"), "ACU", "GMV", bi("Orders"),
                bi("Conversion"), bi("Call-out")], rows, set(range(3, 14)), "segments"))
    called = [s for s in r.segments if s.callout in ("talk_track_missed", "traffic_short")]
    if called:
        add("<ul class=\"callouts\">" + "".join(
            f"<li><b>{_e(s.cue)} {_e(s.title)}</b> ({bi(CALLOUT_WORD[s.callout])}): {_e(s.callout_text)}</li>"
            for s in called) + "</ul>")
    st = r.settings
    add(f'<p class="small">{bi("How call-outs are judged")}: traffic index = segment ACU / show ACU; conversion '
        f"index = segment conversion / show conversion. Talk track missed: traffic ≥ {st.traffic_ok:g}× and "
        f"conversion &lt; {st.conversion_low:g}×. Traffic short: conversion ≥ {st.conversion_ok:g}× and traffic "
        f"&lt; {st.traffic_low:g}×. Segments under {fmt_duration(st.min_segment_s)} or with fewer than "
        f"{st.min_segment_viewers} new viewers are not judged.</p>")

    # ---- products
    add(f"<h2>{bi('Products')}</h2>")
    rows = [[_e(p.sku), _e(p.title), fmt_yuan(p.gmv), fmt_yuan(p.paid_gmv), fmt_count(p.orders),
             fmt_count(p.units), fmt_count(p.clicks), fmt_count(p.add_to_cart), fmt_rate(p.add_to_cart_rate),
             fmt_rate(p.conversion), fmt_rate(p.ctr), str(len(p.changes)) if p.changes else ""]
            for p in r.products]
    add(_table(["SKU", bi("Product"), "GMV", bi("Paid GMV"), bi("Orders"), bi("Units"), bi("Clicks"),
                bi("Add to cart"), bi("Add-to-cart rate"), bi("Click→order"), "CTR", bi("Changes")],
               rows, set(range(2, 12)), "products"))

    # ---- price changes and offers
    add(f"<h2>{bi('Price changes, offers and coupons')}</h2>")
    rows = [[fmt_local(c.utc), fmt_duration(c.t_s), _e(c.sku or bi("shop-wide")), bi(CHANGE_WORD[c.kind]),
             fmt_yuan(c.from_price), fmt_yuan(c.to_price), _e(c.detail), _e(c.actor),
             fmt_rate_per_min(c.orders_per_min_before), fmt_rate_per_min(c.orders_per_min_after),
             _effect(c.effect)] for c in r.price_changes]
    add(_table([bi("Time"), bi("Show time"), "SKU", bi("Change"), bi("From"), bi("To"), bi("Detail"), bi("By"),
                bi("Orders/min before"), bi("Orders/min after"), bi("Effect")], rows, {4, 5, 8, 9, 10}, "changes"))
    add(f'<p class="small">{bi("Effect")}: orders per minute of that SKU (shop-wide: all orders) in the '
        f"{fmt_duration(st.effect_window_s)} before against the {fmt_duration(st.effect_window_s)} after "
        f"(cut at the show's edges; spans under {st.min_effect_span_s:g} s give —).</p>")

    # ---- the room's voice: comments and lucky bags
    if r.comment_minutes:
        peak = max(r.comment_minutes, key=lambda m: m.complaint)
        total = sum(m.total for m in r.comment_minutes)
        add(f"<h2>{bi('Comments')}</h2>")
        add(f'<p>{bi("Comments")}: {fmt_count(total)} · {bi("Questions")}: '
            f"{fmt_count(sum(m.question for m in r.comment_minutes))} · {bi('Complaints')}: "
            f"{fmt_count(sum(m.complaint for m in r.comment_minutes))} · {bi('Busiest minute for complaints')}: "
            f"{fmt_local(peak.utc)} ({fmt_count(peak.complaint)})</p>")
    if r.lucky_bags:
        add(f"<h2>{bi('Lucky bags')}</h2>")
        rows = [[fmt_local(b.start_utc), _e(b.bag_id), _e(b.prize), fmt_duration(b.ran_s),
                 fmt_count(b.entries), fmt_count(b.winners), fmt_count(b.acu_before), fmt_count(b.acu_during),
                 fmt_count(b.acu_after), fmt_count(b.comments_before), fmt_count(b.comments_during),
                 fmt_count(b.comments_after)] for b in r.lucky_bags]
        add(_table([bi("Time"), "ID", bi("Prize"), bi("Ran"), bi("Entries"), bi("Winners"),
                    "ACU " + bi("before"), "ACU " + bi("during"), "ACU " + bi("after"),
                    bi("Comments/min before"), bi("Comments/min during"), bi("Comments/min after")],
                   rows, set(range(3, 12)), "bags"))

    # ---- incidents
    add(f"<h2>{bi('Incidents')}</h2>")
    rows = []
    for i in r.incidents:
        sev = SEVERITY_WORD.get(i.severity, i.severity.upper())
        rows.append([(f"sev-{i.severity}", fmt_local(i.utc)), fmt_duration(i.t_s),
                     f'<span class="sev {i.severity}">{sev}</span>', bi(KIND_WORD.get(i.kind, i.kind)),
                     _e(i.actor), _e(i.title), _e(i.detail)])
    add(_table([bi("Time"), bi("Show time"), bi("Severity"), bi("Kind"), bi("Who"), bi("What"), bi("Detail")],
               rows, {1}, "incidents"))
    fo = [i for i in r.incidents if i.kind == "failover"]
    if fo:
        worst = max((i.duration_ms for i in fo if i.duration_ms is not None), default=None)
        add(f'<p class="small">{bi("Failovers")}: {len(fo)}; {bi("slowest detect→switch")}: '
            f"{worst if worst is not None else DASH} ms</p>")
    add(f'<p class="footer">Control Room · {bi("Post-show recap")} · #{r.session_id}</p></body></html>')
    return "".join(parts)


def _progress(x: float | None) -> str:
    if x is None:
        return DASH
    cls = "good" if x >= 1.0 else ("warn" if x >= 0.8 else "bad")
    word = "✔" if x >= 1.0 else ("▲" if x >= 0.8 else "▼")
    return f'<span class="{cls}">{word} {fmt_fraction(x)}</span>'


def _effect(x: float | None) -> str:
    if x is None:
        return DASH
    cls = "good" if x > 0.05 else ("bad" if x < -0.05 else "")
    return f'<span class="{cls}">{fmt_change(x)}</span>'
