"""Reusable pyqtgraph helpers in the dark studio theme: time plots with local-time axes, curves
that stay smooth over a 12-hour show, event markers, sparklines, a funnel.

Long series: every curve gets peak downsampling (auto) and clip-to-view, so a repaint costs about
the plot's width in pixels whatever the number of samples.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedLayout, QWidget

from ui import theme

pg.setConfigOptions(antialias=False, background=theme.PANEL, foreground=theme.TEXT_DIM)

# one colour per chart series, readable on the dark background; tally colours stay for states
SERIES_COLOURS = ("#4ea1ff", "#e5c07b", "#56d4bc", "#c678dd", "#f78c6c", "#98c379", "#ff79c6", "#61afef")
PREVIOUS_COLOUR = "#5b6270"   # solid, not dashed: dashed pens are slow on 10^4-point curves
MARKER_COLOURS = {"segment": theme.ACCENT, "price": theme.WARNING, "alert": theme.ON_AIR,
                  "failover": "#ff5fd2"}


def mono_font(point_size: int = 10, bold: bool = False) -> QFont:
    f = QFont()
    f.setFamilies(["JetBrains Mono", "DejaVu Sans Mono", "Noto Sans Mono CJK SC", "monospace"])
    f.setStyleHint(QFont.StyleHint.Monospace)
    f.setPointSize(point_size)
    f.setBold(bold)
    return f


class CompactAxis(pg.AxisItem):
    """Value axis without scientific notation: 1.2M, 350k, 12.5."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):
        return [compact_number(v * scale) for v in values]


def compact_number(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.3g}G"
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e4:
        return f"{v / 1e3:.3g}k"
    if a >= 100 or v == int(v):
        return f"{v:.0f}"
    return f"{v:.3g}"


def time_plot(title: str = "", parent: QWidget | None = None, height: int | None = None,
              time_labels: bool = True) -> pg.PlotWidget:
    """A plot with a local-time axis (x = POSIX seconds) in the dark theme. time_labels=False keeps
    the axis (ticks) but no text, for stacked plots sharing one time axis."""
    w = pg.PlotWidget(parent=parent, axisItems={"bottom": pg.DateAxisItem(orientation="bottom"),
                                                "left": CompactAxis(orientation="left")})
    w.setBackground(theme.PANEL)
    # pyqtgraph paints its whole background itself. Say so: under the app's style sheet
    # ("QWidget { background: ... }") a non-opaque view makes Qt repaint what is behind it on every
    # update, which tripled the cost of a frame (10 -> 31 ms for 8 plots).
    w.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
    w.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
    w.viewport().setAutoFillBackground(False)
    pi = w.getPlotItem()
    if title:
        pi.setTitle(f"<span style='color:{theme.TEXT}; font-size:9pt'>{title}</span>")
    # horizontal grid only: the time axis moves every frame and would redraw its grid each time;
    # the event markers give the vertical reference
    pi.showGrid(x=False, y=True, alpha=0.15)
    for ax in ("left", "bottom"):
        axis = pi.getAxis(ax)
        axis.setPen(pg.mkPen(theme.BORDER))
        axis.setTextPen(pg.mkPen(theme.TEXT_DIM))
    pi.getAxis("left").setWidth(52)
    # A fixed-height time axis: when the range crosses midnight DateAxisItem adds a second label row
    # ("Wed 15"); a growing axis would re-lay-out all stacked plots mid-show. One row fits; the
    # day row is left out.
    bottom = pi.getAxis("bottom")
    bottom.setStyle(showValues=time_labels)
    bottom.setHeight(26 if time_labels else 6)
    # the value axis changes rarely: keep it as a pixmap instead of replaying its text every frame
    pi.getAxis("left").setCacheMode(pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    pi.setMenuEnabled(False)
    pi.hideButtons()
    # charts are read, not handled: a stray wheel zoomed the axes to ±2e7 mid-show. The panel turns x zoom
    # on when the operator asks for it.
    w.setMouseEnabled(x=False, y=False)
    # x is set by the caller (follow_time); only y auto-ranges, to what is visible. Letting x
    # auto-range too made clip-to-view + auto-downsampling feed back on the view range: the range
    # flipped between two values forever (a repaint loop after a few hours of data).
    vb = pi.getViewBox()
    vb.enableAutoRange(x=False, y=True)
    vb.setAutoVisible(y=True)
    if height:
        w.setMinimumHeight(height)
    return w


class TimeChart(QWidget):
    """A time plot that says "no data yet" (instead of made-up 0–1 axes) until it has samples."""

    def __init__(self, height: int | None = None, time_labels: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = time_plot("", height=height, time_labels=time_labels)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {theme.TEXT_DIM}; background: {theme.PANEL}; border: 1px solid {theme.BORDER};")
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.plot)
        if height:
            self.setMinimumHeight(height)

    def set_title(self, title: str) -> None:
        self.plot.getPlotItem().setTitle(f"<span style='color:{theme.TEXT}; font-size:9pt'>{title}</span>")

    def set_empty_text(self, text: str) -> None:
        self.empty.setText(text)

    def set_has_data(self, has: bool) -> None:
        self.stack.setCurrentIndex(1 if has else 0)

    @property
    def has_data(self) -> bool:
        return self.stack.currentIndex() == 1


def follow_time(plot: pg.PlotWidget, x0: float, x1: float) -> None:
    """Show [x0, x1] (POSIX seconds) with a little room on the right for the next samples."""
    span = max(x1 - x0, 60.0)
    plot.getPlotItem().getViewBox().setXRange(x0, x0 + span * 1.01, padding=0)


def long_curve(plot: pg.PlotWidget | pg.PlotItem, colour: str, width: float = 1.0, dashed: bool = False,
               name: str | None = None) -> pg.PlotDataItem:
    """A curve for a long live series: auto peak downsampling + clip to view. Keep width 1: a
    1-pixel cosmetic pen takes the raster engine's fast path (wider pens cost ~3× per repaint)."""
    pen = pg.mkPen(colour, width=width, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
    item = plot.plot([], [], pen=pen, name=name)
    item.setDownsampling(auto=True, method="peak")
    item.setClipToView(True)
    return item


class MarkerLayer:
    """Vertical event lines (segments, price changes, alerts, failovers) on a plot. Only the
    newest `limit` are drawn so a busy show keeps repainting fast."""

    def __init__(self, plot: pg.PlotWidget, limit: int = 300, label_kinds: tuple[str, ...] = ()):
        self.plot, self.limit, self.label_kinds = plot, limit, label_kinds
        self._lines: dict[tuple, pg.InfiniteLine] = {}
        self._labelled: list[pg.InfiniteLine] = []
        if label_kinds:
            # labels that would overlap are hidden (the line and its tooltip stay): no smear of titles
            self._declutter_timer = QTimer(plot)   # dies with the plot (a parentless timer fired into a dead one)
            self._declutter_timer.setSingleShot(True)
            self._declutter_timer.setInterval(50)
            self._declutter_timer.timeout.connect(self.declutter)
            vb = plot.getPlotItem().getViewBox()
            vb.sigXRangeChanged.connect(self._declutter_timer.start)
            vb.sigResized.connect(self._declutter_timer.start)

    def sync(self, markers) -> None:
        """markers: objects with utc (POSIX s), kind, label, seq."""
        wanted = {}
        for m in list(markers)[-self.limit:]:
            wanted[(m.kind, m.seq, m.utc)] = m
        for key in [k for k in self._lines if k not in wanted]:
            self.plot.removeItem(self._lines.pop(key))
        for key, m in wanted.items():
            if key in self._lines:
                continue
            colour = MARKER_COLOURS.get(m.kind, theme.IDLE)
            labelled = m.kind in self.label_kinds
            line = pg.InfiniteLine(pos=m.utc, angle=90, movable=False,
                                   pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine),
                                   label=m.label[:18] if labelled else None,
                                   labelOpts={"position": 0.97, "color": colour, "anchors": [(0, 0), (0, 0)]}
                                   if labelled else None)
            line.setToolTip(m.label)
            line.setZValue(-10)
            self.plot.addItem(line, ignoreBounds=True)
            self._lines[key] = line
        self._labelled = sorted((ln for ln in self._lines.values() if getattr(ln, "label", None) is not None),
                               key=lambda ln: ln.value())
        if self.label_kinds:
            self._declutter_timer.start()

    def declutter(self) -> None:
        """Show a label only where it does not run into the one before it (in pixels, at the current zoom)."""
        vb = self.plot.getPlotItem().getViewBox()
        last_right = -1e9
        for line in self._labelled:
            label = line.label
            x = vb.mapViewToScene(QPointF(line.value(), 0)).x()
            width = label.boundingRect().width() + 6
            visible = x >= last_right and vb.sceneBoundingRect().left() - 1 <= x <= vb.sceneBoundingRect().right()
            label.setVisible(visible)
            if visible:
                last_right = x + width

    def visible_labels(self) -> list[tuple[float, float]]:
        """(left, right) scene x of every label on show (tests: none may overlap)."""
        out = []
        for line in self._labelled:
            if line.label.isVisible():
                r = line.label.sceneBoundingRect()
                out.append((r.left(), r.right()))
        return out

    def __len__(self) -> int:
        return len(self._lines)


class Sparkline(QWidget):
    """A tiny line of recent values, painted directly (cheaper than a plot per KPI tile)."""

    def __init__(self, colour: str = theme.ACCENT, parent: QWidget | None = None):
        super().__init__(parent)
        self.colour = QColor(colour)
        self._y = np.zeros(0)
        self._path = None
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, values) -> None:
        y = np.asarray(values, dtype=float)
        y = y[np.isfinite(y)] if y.size else y
        cols = max(self.width() // 2, 30)
        if y.size > cols:  # about one point per two pixel columns is all a sparkline can show
            y = y[np.linspace(0, y.size - 1, cols).astype(int)]
        self._y = y
        self._path = None
        self.update()

    def resizeEvent(self, ev) -> None:
        self._path = None
        super().resizeEvent(ev)

    def paintEvent(self, _ev) -> None:
        if self._y.size < 2:
            return
        if getattr(self, "_path", None) is None:
            r = QRectF(self.rect()).adjusted(1, 2, -1, -2)
            lo, hi = float(self._y.min()), float(self._y.max())
            span = hi - lo or 1.0
            xs = r.left() + r.width() * np.arange(self._y.size) / (self._y.size - 1)
            ys = r.bottom() - r.height() * (self._y - lo) / span
            self._path = pg.functions.arrayToQPath(xs, ys)
        p = QPainter(self)
        p.setPen(QPen(self.colour, 1))
        p.drawPath(self._path)
        p.end()


class FunnelWidget(QWidget):
    """Horizontal funnel bars (log-scaled widths: the stages span four orders of magnitude),
    with the count and the step conversion from the stage above."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._stages: list[tuple[str, int]] = []
        self.setMinimumHeight(150)

    def font_used(self) -> QFont:
        return mono_font(9)

    def columns(self) -> tuple[float, float, float]:
        """(label, number, bar) widths: the label and number columns as wide as their widest text, so nothing is
        cut; the bars get what is left (none when too little is)."""
        if not self._stages:
            return 0.0, 0.0, 0.0
        fm = QFontMetricsF(self.font_used())
        label_w = max(fm.horizontalAdvance(label) for label, _ in self._stages) + 12
        num_w = max(fm.horizontalAdvance(f"{v:,}  100.0 %") for _, v in self._stages) + 8
        bar_w = self.width() - label_w - num_w - 12
        return label_w, num_w, (bar_w if bar_w >= 30 else 0.0)

    def set_stages(self, stages: list[tuple[str, int]]) -> None:
        self._stages = list(stages)
        label_w, num_w, _ = self.columns()
        self.setMinimumWidth(int(label_w + num_w + 8))
        self.update()

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(theme.PANEL))
        if not self._stages:
            p.end()
            return
        n = len(self._stages)
        h = min(self.height() / n, 40.0)
        label_w, num_w, bar_w = self.columns()
        top = max(max(v for _, v in self._stages), 1)
        p.setFont(self.font_used())
        for i, (label, v) in enumerate(self._stages):
            y = i * h
            frac = math.log10(v + 1) / math.log10(top + 1) if top > 0 else 0.0
            w = bar_w * frac
            x0 = label_w + (bar_w - w) / 2
            colour = QColor(SERIES_COLOURS[i % len(SERIES_COLOURS)])
            colour.setAlpha(170)
            if bar_w:
                p.fillRect(QRectF(x0, y + 3, w, h - 6), colour)
            p.setPen(QColor(theme.TEXT))
            p.drawText(QRectF(4, y, label_w - 4, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            step = ""
            if i > 0:
                prev = self._stages[i - 1][1]
                step = f"  {v / prev * 100:5.1f} %" if prev > 0 else "      —"
            p.drawText(QRectF(self.width() - num_w - 4, y, num_w, h),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"{v:,}{step}")
        p.end()
