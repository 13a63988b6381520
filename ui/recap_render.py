"""The recap's Qt side: charts painted as PNG (QPainter on a QImage) and the PDF (QTextDocument printed
onto a QPdfWriter). No browser, no widgets, no SVG (broken on Qt 6.11).

QImage painting, QTextDocument and QPdfWriter are usable outside the GUI thread (a QGuiApplication must
exist for fonts), so `write_recap` runs whole in a worker thread of the window or in the headless CLI.
"""
from __future__ import annotations

import math
import os
from datetime import timedelta
from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (QColor, QFont, QFontMetrics, QImage, QPageLayout, QPageSize, QPainter, QPainterPath,
                           QPdfWriter, QPen, QPolygonF, QTextDocument)

from controlroom.recap.html import CHARTS, render_html
from controlroom.recap.labels import bi
from controlroom.recap.report import Recap
from controlroom.recap.workbook import write_xlsx

Progress = Callable[[int, int, str], None]

INK = QColor("#16181c")
GRID = QColor("#dde2e8")
AXIS = QColor("#5b6470")
LINE = QColor("#1f5fae")
BANDS = (QColor("#e8f0fa"), QColor("#f5f7fa"))
MARKER = {"price": (QColor("#d98c00"), Qt.PenStyle.DashLine, "price / offer 改价/秒杀"),
          "alert": (QColor("#c0262d"), Qt.PenStyle.DotLine, "alert 告警"),
          "complaint": (QColor("#e0457b"), Qt.PenStyle.DashDotLine, "complaints 投诉高峰"),
          "lucky_bag": (QColor("#2e8b57"), Qt.PenStyle.SolidLine, "lucky bag 福袋"),
          "failover": (QColor("#8e3fbf"), Qt.PenStyle.SolidLine, "failover 切备用")}
FONT = "Noto Sans CJK SC"


# ---- chart data ------------------------------------------------------------------------------------
def chart_values(r: Recap) -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    """{chart: (t_s, y, y unit)}; money turns into 元 here only for drawing."""
    s = r.series
    if not s or len(s.get("t_s", ())) == 0:
        return {}
    t = s["t_s"].astype(np.float64)
    out = {"online": (t, s["online"].astype(np.float64), ""),
           "gmv": (t, s["gmv"].astype(np.float64) / 100.0, "¥")}
    # orders per minute: the cumulative counter at each minute's edge, differenced
    t_end = max(float(t[-1]), 60.0)
    edges = np.arange(0.0, t_end + 60.0, 60.0)
    idx = np.searchsorted(t, edges, side="right") - 1
    cum = np.where(idx >= 0, s["orders"][np.clip(idx, 0, None)], 0).astype(np.float64)
    out["orders"] = (edges[1:], np.diff(cum), "/min")
    uv = s["unique_viewers"].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        conv = np.where(uv > 0, s["buyers"] / np.where(uv > 0, uv, 1) * 100.0, np.nan)
    out["conversion"] = (t, conv, "%")
    if "comments" in s:   # comments per minute, from the platform's own counter, like orders
        cum_c = np.where(idx >= 0, s["comments"][np.clip(idx, 0, None)], 0).astype(np.float64)
        out["comments"] = (edges[1:], np.diff(cum_c), "/min")
    return out


def _nice_step(span: float, target: int = 5) -> float:
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _fmt_y(v: float, unit: str) -> str:
    if unit == "¥":
        if v >= 1e6:
            return f"¥{v / 1e6:.1f}M"
        if v >= 1e4:
            return f"¥{v / 1e3:.0f}k"
        return f"¥{v:,.0f}"
    if unit == "%":
        return f"{v:.0f}%"
    if v >= 1e4:
        return f"{v / 1e3:.0f}k"
    return f"{v:,.0f}"


def render_chart(r: Recap, key: str, title: str, width: int = 1600, height: int = 440) -> bytes:
    """One chart as PNG bytes: the metric over show time, segment bands, event markers, a legend."""
    img = QImage(width, height, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        _paint_chart(p, r, key, title, width, height)
    finally:
        p.end()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(buf.data())


def _paint_chart(p: QPainter, r: Recap, key: str, title: str, w: int, h: int) -> None:
    f_title = QFont(FONT, 15, QFont.Weight.Bold)
    f_small = QFont(FONT, 10)
    f_tiny = QFont(FONT, 9)
    L, R, T, B = 96, 24, 56, 44
    plot = QRectF(L, T, w - L - R, h - T - B)
    p.setFont(f_title)
    p.setPen(INK)
    p.drawText(QRectF(12, 6, w * 0.6, 30), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
    # legend, words beside colours
    p.setFont(f_small)
    fm = QFontMetrics(f_small)
    x = w - R
    kinds = ["failover", "alert", "price"] + [k for k in ("complaint", "lucky_bag") if any(m.kind == k for m in r.markers)]
    for kind in kinds:
        col, style, word = MARKER[kind]
        tw = fm.horizontalAdvance(word)
        x -= tw + 8
        p.setPen(INK)
        p.drawText(QPointF(x, 26), word)
        p.setPen(QPen(col, 3, style))
        p.drawLine(QPointF(x - 30, 21), QPointF(x - 6, 21))
        x -= 46

    data = chart_values(r).get(key)
    x_max = max(r.duration_s, float(data[0][-1]) if data is not None and len(data[0]) else 0.0, 60.0)

    def X(t: float) -> float:
        return plot.left() + plot.width() * min(max(t, 0.0), x_max) / x_max

    # segment bands with their cue and title
    p.setFont(f_tiny)
    played = [s for s in r.segments if s.actual_start_s is not None and s.actual_s is not None]
    seg_offset = 0.0
    if played and r.start_utc is not None and played[0].start_utc is not None:
        seg_offset = (played[0].start_utc - r.start_utc).total_seconds() - played[0].actual_start_s
    for i, s in enumerate(sorted(played, key=lambda s: s.actual_start_s)):
        a, b = X(s.actual_start_s + seg_offset), X(s.actual_start_s + seg_offset + s.actual_s)
        if b - a < 1:
            continue
        band = QRectF(a, plot.top(), b - a, plot.height())
        p.fillRect(band, BANDS[i % 2])
        p.setPen(AXIS)
        label = f"{s.cue} {s.title}"
        if b - a > 30:
            p.drawText(band.adjusted(3, 2, -2, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                       QFontMetrics(f_tiny).elidedText(label, Qt.TextElideMode.ElideRight, int(b - a - 5)))

    # axes and grid
    p.setFont(f_small)
    ys = data[1] if data is not None else np.zeros(0)
    finite = ys[np.isfinite(ys)] if len(ys) else ys
    y_max = float(finite.max()) if len(finite) else 1.0
    y_max = y_max * 1.1 if y_max > 0 else 1.0
    step = _nice_step(y_max)
    y_max = math.ceil(y_max / step) * step
    unit = data[2] if data is not None else ""

    def Y(v: float) -> float:
        return plot.bottom() - plot.height() * v / y_max

    v = 0.0
    while v <= y_max + 1e-9:
        y = Y(v)
        p.setPen(QPen(GRID, 1))
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        p.setPen(AXIS)
        p.drawText(QRectF(0, y - 9, L - 8, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   _fmt_y(v, unit))
        v += step
    t_step = next((s for s in (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800) if x_max / s <= 12), 21600)
    t = 0.0
    while t <= x_max + 1e-9:
        x = X(t)
        p.setPen(QPen(GRID, 1))
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        p.setPen(AXIS)
        label = ((r.start_utc + timedelta(seconds=t)).astimezone().strftime("%H:%M") if r.start_utc
                 else f"{int(t // 60)}′")
        p.drawText(QRectF(x - 40, plot.bottom() + 4, 80, 18), Qt.AlignmentFlag.AlignHCenter, label)
        t += t_step
    p.setPen(QPen(AXIS, 1))
    p.drawRect(plot)

    # event markers
    order = {"alert": 0, "price": 1, "failover": 2}  # a failover's own alert must not hide it
    for m in sorted(r.markers, key=lambda m: order.get(m.kind, 0)):
        col, style, _ = MARKER.get(m.kind, MARKER["alert"])
        x = X(m.t_s)
        p.setPen(QPen(col, 2, style))
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        p.setBrush(col)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawPolygon(QPolygonF([QPointF(x - 5, plot.top() - 8), QPointF(x + 5, plot.top() - 8),
                                 QPointF(x, plot.top())]))
    p.setBrush(Qt.BrushStyle.NoBrush)

    # the series
    if data is None or not len(finite):
        p.setPen(AXIS)
        p.setFont(QFont(FONT, 14))
        p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "— no samples 无数据 —")
        return
    ts, vals = data[0], data[1]
    path = QPainterPath()
    started = False
    dt, dv = _decimate(ts, vals, int(plot.width()) * 2)
    for tt, vv in zip(dt, dv):
        if not math.isfinite(vv):
            started = False
            continue
        pt = QPointF(X(float(tt)), Y(float(vv)))
        if started:
            path.lineTo(pt)
        else:
            path.moveTo(pt)
            started = True
    p.setClipRect(plot.adjusted(-2, -2, 2, 2))
    p.setPen(QPen(LINE, 2.2))
    p.drawPath(path)
    p.setClipping(False)
    # the last value, printed: charts get read on paper
    last = next((float(v) for v in dv[::-1] if math.isfinite(v)), None)
    if last is not None:
        p.setPen(INK)
        p.setFont(QFont(FONT, 11, QFont.Weight.Bold))
        p.drawText(QRectF(w * 0.45, 6, w * 0.2, 30), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   f"{bi('last')}: {_fmt_y(last, unit)}")


def _decimate(t: np.ndarray, v: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Min/max per bucket so a 12-hour series keeps its peaks at a few thousand points."""
    n = len(t)
    if n <= buckets * 2 or buckets <= 0:
        return t, v
    edges = np.linspace(0, n, buckets + 1).astype(int)
    out_t, out_v = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        if b <= a:
            continue
        seg = v[a:b]
        if not np.isfinite(seg).any():
            continue
        i0, i1 = int(np.nanargmin(seg)), int(np.nanargmax(seg))
        for i in sorted((i0, i1)):
            out_t.append(t[a + i])
            out_v.append(seg[i])
    return np.asarray(out_t), np.asarray(out_v)


def render_charts(r: Recap, width: int = 1600, height: int = 440) -> dict[str, bytes]:
    if not r.series:
        return {}
    return {key: render_chart(r, key, bi(label), width, height) for key, label in CHARTS}


# ---- PDF ------------------------------------------------------------------------------------------
def write_pdf(r: Recap, charts: dict[str, bytes], path: str | Path) -> Path:
    """The same content as the HTML, paginated A4 landscape by Qt's text engine onto a QPdfWriter."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    doc = QTextDocument()
    doc.setDefaultFont(QFont(FONT, 8))
    for key, png in charts.items():
        img = QImage.fromData(QByteArray(png), "PNG")
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"recap:{key}.png"), img)
    doc.setHtml(render_html(r, charts, image_src=lambda name, _png: f"recap:{name}.png", chart_width=1000,
                            for_qt=True))
    writer = QPdfWriter(str(tmp))
    writer.setTitle(f"{r.title} · Post-show recap 复盘 #{r.session_id}")
    writer.setCreator("Control Room")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    writer.setResolution(144)
    # paginate at the page's own size (in the document's 96-dpi pixels): without it Qt adds a 2 cm
    # margin of its own and lays the text out for a screen
    paint = writer.pageLayout().paintRect(QPageLayout.Unit.Point)
    doc.setPageSize(QSizeF(paint.width() * 96 / 72, paint.height() * 96 / 72))
    doc.setDocumentMargin(8)
    try:
        doc.print_(writer)
        del writer  # closes the file
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise RuntimeError(f"Qt wrote no PDF to {tmp}")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


# ---- everything ------------------------------------------------------------------------------------
def write_recap(r: Recap, out_dir: str | Path, progress: Progress | None = None) -> dict[str, Path]:
    """Charts (PNG files), the HTML, the XLSX and the PDF into out_dir; returns {kind: path}."""
    from PySide6.QtGui import QGuiApplication
    if QGuiApplication.instance() is None:  # fonts need one; Qt aborts the process without it
        raise RuntimeError("the recap's charts and PDF need a QGuiApplication (ui.recap_cli creates one)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"recap-{r.session_id}"
    steps = 5
    say = progress or (lambda done, total, stage: None)
    say(0, steps, "charts")
    charts = render_charts(r)
    paths: dict[str, Path] = {}
    if charts:
        cdir = out / f"{stem}-charts"
        cdir.mkdir(exist_ok=True)
        for key, png in charts.items():
            f = cdir / f"{key}.png"
            f.write_bytes(png)
            paths[f"chart_{key}"] = f
    say(1, steps, "html")
    html = out / f"{stem}.html"
    tmp = html.with_name(html.name + ".part")
    tmp.write_text(render_html(r, charts), encoding="utf-8")
    os.replace(tmp, html)
    paths["html"] = html
    say(2, steps, "xlsx")
    paths["xlsx"] = write_xlsx(r, out / f"{stem}.xlsx")
    say(3, steps, "pdf")
    paths["pdf"] = write_pdf(r, charts, out / f"{stem}.pdf")
    say(steps, steps, "done")
    return paths
