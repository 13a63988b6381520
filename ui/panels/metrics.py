"""Live metrics panel: KPI tiles with sparklines and target progress, trend charts of the eight
core metrics (previous show overlaid, event markers, local time), SKU ranking, funnel, segments,
alerts with acknowledge.

All state lives in the metrics room (controlroom.metrics.room.MetricsService); a QTimer reads its
arrays at 2 Hz and redraws only when a new sample arrived, so samples never travel through
signals one by one and the panel can be rebuilt at any time.

Narrow docks (1366×768) get fewer tile columns rather than clipped tiles; charts say "no data yet"
instead of showing made-up axes, and they do not zoom under a stray mouse wheel unless the operator
turns zooming on.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QProgressBar, QPushButton, QScrollArea, QSizePolicy,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from controlroom.metrics.kpi import DASH, fmt_count, fmt_rate, fmt_yuan
from ui import charts, theme
from ui.i18n import Retranslating, translate
from ui.words import FUNNEL, SEVERITIES, alert_title, alert_todo, word_for

REFRESH_MS = 500          # ≤ 2 Hz: the charts read the core's arrays, not the bus
SPARK_POINTS = 600        # the last 10 minutes at 1 Hz
TILE_MIN_W = 168          # a tile narrower than this clips its footer: reflow to fewer columns instead

# (key, English title): the eight core trend charts
CHARTS = (
    ("online", QT_TRANSLATE_NOOP("MetricsPanel", "Online viewers")),
    ("unique_viewers", QT_TRANSLATE_NOOP("MetricsPanel", "Unique viewers (UV)")),
    ("gmv", QT_TRANSLATE_NOOP("MetricsPanel", "GMV (¥)")),
    ("conversion", QT_TRANSLATE_NOOP("MetricsPanel", "Conversion rate (%)")),
    ("interaction", QT_TRANSLATE_NOOP("MetricsPanel", "Interaction rate (%)")),
    ("uv_value", QT_TRANSLATE_NOOP("MetricsPanel", "UV value (¥)")),
    ("gpm", QT_TRANSLATE_NOOP("MetricsPanel", "GPM (¥)")),
    ("follow", QT_TRANSLATE_NOOP("MetricsPanel", "Follow rate (%)")),
)
TILES = (
    ("online", QT_TRANSLATE_NOOP("MetricsPanel", "Online viewers")), ("gmv", QT_TRANSLATE_NOOP("MetricsPanel", "GMV")),
    ("conversion", QT_TRANSLATE_NOOP("MetricsPanel", "Conversion rate")),
    ("uv_value", QT_TRANSLATE_NOOP("MetricsPanel", "UV value")), ("gpm", QT_TRANSLATE_NOOP("MetricsPanel", "GPM")),
    ("interaction", QT_TRANSLATE_NOOP("MetricsPanel", "Interaction rate")),
    ("follow", QT_TRANSLATE_NOOP("MetricsPanel", "Follow rate")),
    ("atc", QT_TRANSLATE_NOOP("MetricsPanel", "Add-to-cart rate")),
)
SKU_HEADERS = ("#", QT_TRANSLATE_NOOP("MetricsPanel", "SKU"), QT_TRANSLATE_NOOP("MetricsPanel", "GMV"),
               QT_TRANSLATE_NOOP("MetricsPanel", "Paid GMV"), QT_TRANSLATE_NOOP("MetricsPanel", "Orders"),
               QT_TRANSLATE_NOOP("MetricsPanel", "Product CTR"), QT_TRANSLATE_NOOP("MetricsPanel", "Add-to-cart rate"),
               QT_TRANSLATE_NOOP("MetricsPanel", "Click→order"))
SEG_HEADERS = (QT_TRANSLATE_NOOP("MetricsPanel", "Segment"), QT_TRANSLATE_NOOP("MetricsPanel", "Start"),
               QT_TRANSLATE_NOOP("MetricsPanel", "Duration"), QT_TRANSLATE_NOOP("MetricsPanel", "UV"),
               QT_TRANSLATE_NOOP("MetricsPanel", "GMV"), QT_TRANSLATE_NOOP("MetricsPanel", "Conversion rate"),
               QT_TRANSLATE_NOOP("MetricsPanel", "UV value"), QT_TRANSLATE_NOOP("MetricsPanel", "Peak online"))
ALERT_HEADERS = (QT_TRANSLATE_NOOP("MetricsPanel", "Time"), QT_TRANSLATE_NOOP("MetricsPanel", "Severity"),
                 QT_TRANSLATE_NOOP("MetricsPanel", "Status"), QT_TRANSLATE_NOOP("MetricsPanel", "Alert"),
                 QT_TRANSLATE_NOOP("MetricsPanel", "What to do"))
RANK_BY = (("gmv", QT_TRANSLATE_NOOP("MetricsPanel", "GMV")), ("ctr", QT_TRANSLATE_NOOP("MetricsPanel", "Product CTR")),
           ("add_to_cart", QT_TRANSLATE_NOOP("MetricsPanel", "Add-to-cart rate")))
NEEDED = ("online", "views", "unique_viewers", "buyers", "gmv", "paid_gmv", "interacting_viewers",
          "new_followers", "product_clicks", "add_to_cart")


def _t(text: str) -> str:
    return translate("MetricsPanel", text)


def derive(vals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Chart series from cumulative counters: show-to-date rates (smooth) in %, money in 元."""
    uv = vals["unique_viewers"].astype(np.float64)
    views = vals["views"].astype(np.float64)
    gmv = vals["gmv"].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_uv = np.where(uv > 0, 1.0 / np.where(uv > 0, uv, 1.0), np.nan)
        return {
            "online": vals["online"].astype(np.float64),
            "unique_viewers": uv,
            "gmv": gmv / 100.0,
            "conversion": vals["buyers"] * per_uv * 100.0,
            "interaction": vals["interacting_viewers"] * per_uv * 100.0,
            "uv_value": gmv * per_uv / 100.0,
            "gpm": np.where(views > 0, gmv * 1000.0 / np.where(views > 0, views, 1.0), np.nan) / 100.0,
            "follow": vals["new_followers"] * per_uv * 100.0,
        }


def _num_item(text: str, colour: str | None = None) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    it.setFont(charts.mono_font(10))
    if colour:
        it.setForeground(QColor(colour))
    return it


def _local(utc: float, seconds: bool = True) -> str:
    return datetime.fromtimestamp(utc).strftime("%H:%M:%S" if seconds else "%H:%M")


def _table(columns: int, stretch: int | None = None) -> QTableWidget:
    """Columns as wide as their contents (never cut mid-number); a narrow dock scrolls sideways instead."""
    t = QTableWidget(0, columns)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(22)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    t.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(stretch is None)
    if stretch is not None:
        t.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


class KpiTile(Retranslating, QFrame):
    def __init__(self, title: str, colour: str, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.setStyleSheet(f"QFrame#panel {{ background: {theme.PANEL}; border: 1px solid {theme.BORDER};"
                           f" border-radius: 4px; }} QLabel {{ background: transparent; }}")
        self.setMinimumWidth(TILE_MIN_W - 8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 5, 8, 5)
        lay.setSpacing(1)
        self.source_title = title
        self.title = QLabel(_t(title))
        self.title.setStyleSheet(f"color: {theme.TEXT_DIM}; font-size: 11px; font-weight: 600;")
        self.value = QLabel(DASH)
        self.value.setFont(charts.mono_font(16, bold=True))
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.sub = QLabel("")
        self.sub.setFont(charts.mono_font(8))
        self.sub.setStyleSheet(f"color: {theme.TEXT_DIM};")
        self.sub.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.sub.setWordWrap(True)         # a long footer takes a second line instead of being cut on both sides
        self.sub.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.spark = charts.Sparkline(colour)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedHeight(14)
        self.bar.setFont(charts.mono_font(7))
        self.bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.bar.setVisible(False)
        self._progress = None
        for w in (self.title, self.value, self.sub, self.spark, self.bar):
            lay.addWidget(w)

    def retranslate(self) -> None:
        self.title.setText(_t(self.source_title))
        if self._progress is not None:
            self.set_target(self._progress)

    def set_target(self, progress) -> None:
        self._progress = progress
        if progress is None or progress.fraction is None:
            self.bar.setVisible(progress is not None)
            if progress is not None:
                self.bar.setValue(0)
                self.bar.setFormat(self.tr("target") + " " + DASH)
            return
        self.bar.setVisible(True)
        self.bar.setValue(int(min(progress.fraction, 1.0) * 1000))
        if progress.on_track is None:
            state, word = "IDLE", self.tr("too early")
        elif progress.on_track:
            state, word = "HEALTHY", self.tr("on track")
        else:
            state, word = "WARNING", self.tr("behind")
        colour = theme.ok_colour() if state == "HEALTHY" else theme.colour_for(state)
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
        proj = ""
        if progress.projected_fraction is not None and progress.name in ("gmv", "viewers"):
            proj = self.tr("end ≈ {pct}").format(pct=f"{progress.projected_fraction * 100:.0f}%")
        # the bar's own text stays short (it is as narrow as the tile); the long form is the tooltip
        self.bar.setFormat(f"{progress.fraction * 100:.0f}% · {word}")
        self.bar.setToolTip(self.tr("{pct} of target").format(pct=f"{progress.fraction * 100:.0f}%")
                            + (f" · {proj}" if proj else "") + f" · {word}")


class TileGrid(QWidget):
    """KPI tiles in as many columns as fit (4 on a wide dock, 2 at 1366×768): never clipped."""

    def __init__(self, tiles: list[QWidget], parent=None):
        super().__init__(parent)
        self.tiles = tiles
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.columns = 0
        self._place(4)

    def _place(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for t in self.tiles:
            self.grid.removeWidget(t)
        for c in range(8):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
        for i, t in enumerate(self.tiles):
            self.grid.addWidget(t, i // columns, i % columns)

    def resizeEvent(self, ev) -> None:
        columns = max(1, min(4, self.width() // TILE_MIN_W))
        self._place(columns)
        for t in self.tiles:   # two columns (1366×768): no sparklines, so the charts below keep their room
            t.spark.setVisible(columns > 2)
        super().resizeEvent(ev)

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        hint.setWidth(TILE_MIN_W)
        return hint


class MetricsPanel(Retranslating, QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.svc = rt.metrics
        self._version = -1
        self._prev_shown = None
        self._alerts_dirty = True
        self._tables_at = 0.0
        self._follow = True
        root = QVBoxLayout(self)
        root.setContentsMargins(4, 4, 4, 4)
        root.setSpacing(4)
        if self.svc is None:
            self.missing = QLabel(self.tr("Metrics are not available (the metrics room is not loaded)."))
            root.addWidget(self.missing)
            return
        self._build_tiles(root)
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setMinimumHeight(250)   # the dock scrolls rather than squeeze the charts to a sliver
        root.addWidget(self.tabs, 1)
        self._build_trends()
        self._build_skus()
        self._build_funnel()
        self._build_segments()
        self._build_alerts()
        if bridge is not None:
            bridge.event.connect(self._on_event)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.retranslate()

    def retranslate(self) -> None:
        if self.svc is None:
            self.missing.setText(self.tr("Metrics are not available (the metrics room is not loaded)."))
            return
        for key, title in CHARTS:
            self.plots[key].set_title(_t(title))
            self.plots[key].set_empty_text(self.tr("{chart}: no data yet").format(chart=_t(title)))
        self.legend.setText(self.tr("Colour: this show · grey: previous show · lines: blue segment, "
                                    "amber price change, red alert, pink failover"))
        self.follow_button.setText(self.tr("Follow live"))
        self.zoom_box.setText(self.tr("Zoom with the mouse"))
        self.rank_label.setText(self.tr("Rank by"))
        for i, (_key, label) in enumerate(RANK_BY):
            self.rank_by.setItemText(i, _t(label))
        self.sku_table.setHorizontalHeaderLabels([_t(h) for h in SKU_HEADERS])
        self.seg_table.setHorizontalHeaderLabels([_t(h) for h in SEG_HEADERS])
        self.alert_table.setHorizontalHeaderLabels([_t(h) for h in ALERT_HEADERS])
        self.ack_button.setText(self.tr("Acknowledge"))
        self.funnel_note.setText(self.tr("Whole show so far; each step shows its conversion from the step above."))
        for i, text in enumerate((self.tr("Trends"), self.tr("SKU ranking"), self.tr("Funnel"), self.tr("Segments"))):
            self.tabs.setTabText(i, text)
        self._alerts_dirty = True
        self._version = -1
        self._tables_at = 0.0
        self.refresh()

    # ---- building -------------------------------------------------------------------------
    def _build_tiles(self, root) -> None:
        self.tiles: dict[str, KpiTile] = {}
        for i, (key, title) in enumerate(TILES):
            self.tiles[key] = KpiTile(title, charts.SERIES_COLOURS[i % len(charts.SERIES_COLOURS)])
        self.tile_grid = TileGrid(list(self.tiles.values()))
        self.stale = QLabel("")
        self.stale.setStyleSheet(f"color: {theme.TEXT_DIM};")
        root.addWidget(self.tile_grid)
        root.addWidget(self.stale)

    def _build_trends(self) -> None:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setSpacing(4)
        self.plots, self.curves, self.prev_curves, self.marker_layers = {}, {}, {}, {}
        first = None
        for i, (key, _title) in enumerate(CHARTS):
            # x is linked: time labels on the bottom row only (less to read, less to paint)
            chart = charts.TimeChart(height=150, time_labels=i >= len(CHARTS) - 2)
            plot = chart.plot
            colour = charts.SERIES_COLOURS[i % len(charts.SERIES_COLOURS)]
            self.prev_curves[key] = charts.long_curve(plot, charts.PREVIOUS_COLOUR)
            self.curves[key] = charts.long_curve(plot, colour)
            self.marker_layers[key] = charts.MarkerLayer(plot, label_kinds=("segment",) if i == 0 else ())
            plot.getPlotItem().getViewBox().sigRangeChangedManually.connect(self._user_moved)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            self.plots[key] = chart
            grid.addWidget(chart, i // 2, i % 2)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet(f"color: {theme.TEXT_DIM}; font-size: 11px;")
        self.zoom_box = QCheckBox()
        self.zoom_box.toggled.connect(self._set_zoom)
        self.follow_button = QPushButton()
        self.follow_button.setEnabled(False)
        self.follow_button.clicked.connect(self._follow_live)
        row = QHBoxLayout()
        row.addWidget(self.zoom_box)
        row.addStretch(1)
        row.addWidget(self.follow_button)
        grid.addWidget(self.legend, 4, 0, 1, 2)
        grid.addLayout(row, 5, 0, 1, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.tabs.addTab(scroll, "")

    def _set_zoom(self, on: bool) -> None:
        """Mouse zoom/pan on the time axis only while the operator asks for it (a stray wheel must not
        turn the axes to ±2e7 mid-show)."""
        for chart in self.plots.values():
            chart.plot.setMouseEnabled(x=on, y=False)
        if not on:
            self._follow_live()

    def _build_skus(self) -> None:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(2, 2, 2, 2)
        top = QHBoxLayout()
        self.rank_label = QLabel()
        top.addWidget(self.rank_label)
        self.rank_by = QComboBox()
        for key, _label in RANK_BY:
            self.rank_by.addItem("", key)
        self.rank_by.currentIndexChanged.connect(lambda _i: self._refresh_skus())
        top.addWidget(self.rank_by)
        top.addStretch(1)
        lay.addLayout(top)
        self.sku_table = _table(len(SKU_HEADERS))
        lay.addWidget(self.sku_table)
        self.tabs.addTab(w, "")

    def _build_funnel(self) -> None:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.funnel = charts.FunnelWidget()
        lay.addWidget(self.funnel, 1)
        self.funnel_note = QLabel("")
        self.funnel_note.setWordWrap(True)
        self.funnel_note.setStyleSheet(f"color: {theme.TEXT_DIM};")
        lay.addWidget(self.funnel_note)
        self.tabs.addTab(w, "")

    def _build_segments(self) -> None:
        self.seg_table = _table(len(SEG_HEADERS))
        self.tabs.addTab(self.seg_table, "")

    def _build_alerts(self) -> None:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(2, 2, 2, 2)
        self.alert_table = _table(len(ALERT_HEADERS))
        lay.addWidget(self.alert_table)
        row = QHBoxLayout()
        self.ack_button = QPushButton()
        self.ack_button.setProperty("role", "primary")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        row.addStretch(1)
        row.addWidget(self.ack_button)
        lay.addLayout(row)
        self.alerts_tab = self.tabs.addTab(w, "")

    def _user_moved(self, *_a) -> None:
        # the operator panned or zoomed the time axis: stop following until they ask again
        self._follow = False
        self.follow_button.setEnabled(True)

    def _follow_live(self) -> None:
        self._follow = True
        self.follow_button.setEnabled(False)
        self._version = -1
        self.refresh()

    # ---- events ---------------------------------------------------------------------------
    def _on_event(self, topic: str, _payload) -> None:
        if topic.startswith(("alert.", "journal.alert.")):
            self._alerts_dirty = True

    # ---- refresh --------------------------------------------------------------------------
    def refresh(self) -> None:
        svc = self.svc
        if self._alerts_dirty:
            self._alerts_dirty = False
            self._refresh_alerts()
        if svc.store.version == self._version:
            return
        self._version = svc.store.version
        rep = svc.report
        self._refresh_tiles(rep)
        self._refresh_charts()
        if rep is not None:
            self.funnel.set_stages([(word_for(FUNNEL, n), v) for n, v in rep.show.funnel()])
        import time
        now = time.monotonic()
        if now - self._tables_at >= 2.0:  # tables change slowly; spare the GUI thread
            self._tables_at = now
            self._refresh_skus()
            self._refresh_segments()

    def _refresh_tiles(self, rep) -> None:
        if rep is None:
            for t in self.tiles.values():
                t.value.setText(DASH)
            return
        s, w1, w5 = rep.show, rep.windows.get(60.0), rep.windows.get(300.0)
        targets = {t.name: t for t in rep.targets}
        T = self.tiles
        T["online"].value.setText(fmt_count(s.online))
        uv, paid, c2o = self.tr("UV"), self.tr("paid"), self.tr("click→order")
        T["online"].sub.setText(f"{uv} {fmt_count(s.unique_viewers)} · PCU {fmt_count(s.pcu)} · "
                                f"ACU {fmt_count(s.acu)}")
        T["online"].set_target(targets.get("viewers"))
        T["gmv"].value.setText(fmt_yuan(s.gmv, decimals=False))
        T["gmv"].sub.setText(f"{paid} {fmt_yuan(s.paid_gmv, False)} · 1′ {fmt_yuan(w1.gmv, False)}")
        T["gmv"].set_target(targets.get("gmv"))
        T["conversion"].value.setText(fmt_rate(s.conversion))
        T["conversion"].sub.setText(f"5′ {fmt_rate(w5.conversion)} · {c2o} {fmt_rate(s.click_to_order)}")
        T["conversion"].set_target(targets.get("conversion"))
        T["uv_value"].value.setText(fmt_yuan(s.uv_value))
        T["uv_value"].sub.setText(f"5′ {fmt_yuan(w5.uv_value)}")
        T["uv_value"].set_target(targets.get("uv_value"))
        T["gpm"].value.setText(fmt_yuan(s.gpm, decimals=False))
        T["gpm"].sub.setText(f"5′ {fmt_yuan(w5.gpm, False)}")
        T["interaction"].value.setText(fmt_rate(s.interaction_rate))
        T["interaction"].sub.setText(f"5′ {fmt_rate(w5.interaction_rate)}")
        T["follow"].value.setText(fmt_rate(s.follow_rate, 2))
        T["follow"].sub.setText(f"5′ {fmt_rate(w5.follow_rate, 2)}")
        T["atc"].value.setText(fmt_rate(s.add_to_cart_rate))
        T["atc"].sub.setText(f"CTR {fmt_rate(s.product_ctr)} · 5′ {fmt_rate(w5.add_to_cart_rate)}")
        self.stale.setText(self.tr("Last sample {time} · show time {elapsed}").format(time=_local(rep.utc),
                                                                                      elapsed=_hms(rep.elapsed_s)))

    def _refresh_charts(self) -> None:
        store = self.svc.store
        mono, utc, vals = store.arrays(NEEDED)
        for chart in self.plots.values():
            chart.set_has_data(utc.size > 0)
        if utc.size == 0:
            for c in self.curves.values():
                c.setData([], [])
            return
        series = derive(vals)
        tail = max(utc.size - SPARK_POINTS, 0)
        spark_of = {"online": "online", "gmv": "gmv", "conversion": "conversion", "uv_value": "uv_value",
                    "gpm": "gpm", "interaction": "interaction", "follow": "follow"}
        for key, curve in self.curves.items():
            curve.setData(utc, series[key], connect="finite")
        if self._follow:
            charts.follow_time(self.plots["online"].plot, float(utc[0]), float(utc[-1]))
        for tile_key, key in spark_of.items():
            self.tiles[tile_key].spark.set_values(series[key][tail:])
        with np.errstate(divide="ignore", invalid="ignore"):
            clicks = vals["product_clicks"][tail:].astype(float)
            atc = np.where(clicks > 0, vals["add_to_cart"][tail:] / np.where(clicks > 0, clicks, 1), np.nan)
        self.tiles["atc"].spark.set_values(atc)
        self._refresh_previous(mono, utc)
        markers = self.svc.markers()
        for layer in self.marker_layers.values():
            layer.sync(markers)

    def _refresh_previous(self, mono, utc) -> None:
        prev = self.svc.previous
        if prev is None or len(prev) == 0:
            return
        start_mono = self.svc.live.start_mono
        start_mono = float(mono[0]) if start_mono is None else start_mono
        start_utc = float(utc[0]) - (float(mono[0]) - start_mono)
        key = (prev.session_id, round(start_utc, 1))
        if key == self._prev_shown:
            return
        self._prev_shown = key
        x = start_utc + prev.offset_s
        series = derive({k: prev.values[k] for k in NEEDED})
        for k, curve in self.prev_curves.items():
            curve.setData(x, series[k], connect="finite")

    def _refresh_skus(self) -> None:
        from controlroom.metrics.kpi import rank_skus
        rows = rank_skus(self.svc.store.latest_skus, self.rank_by.currentData() or "gmv")
        t = self.sku_table
        t.setRowCount(len(rows))
        for i, k in enumerate(rows):
            t.setItem(i, 0, _num_item(str(i + 1)))
            t.setItem(i, 1, QTableWidgetItem(k.sku))
            t.setItem(i, 2, _num_item(fmt_yuan(k.gmv, False)))
            t.setItem(i, 3, _num_item(fmt_yuan(k.paid_gmv, False)))
            t.setItem(i, 4, _num_item(fmt_count(k.orders)))
            t.setItem(i, 5, _num_item(fmt_rate(k.ctr)))
            low = k.add_to_cart_rate is not None and k.add_to_cart_rate < self.svc.alert_settings.sku_add_to_cart_min
            t.setItem(i, 6, _num_item(fmt_rate(k.add_to_cart_rate) + (" ▼ " + self.tr("low") if low else ""),
                                      theme.WARNING if low else None))
            t.setItem(i, 7, _num_item(fmt_rate(k.click_to_order)))

    def _refresh_segments(self) -> None:
        rows = self.svc.segment_kpis()
        last = self.svc.store.last()
        t = self.seg_table
        t.setRowCount(len(rows))
        for i, sk in enumerate(rows):
            seg, k = sk.segment, sk.kpis
            start_utc = last.utc - (last.mono - seg.start_mono) if last else None
            t.setItem(i, 0, QTableWidgetItem(seg.label))
            t.setItem(i, 1, _num_item(_local(start_utc, False) if start_utc else DASH))
            t.setItem(i, 2, _num_item(_hms(k.span_s)))
            t.setItem(i, 3, _num_item(fmt_count(k.unique_viewers)))
            t.setItem(i, 4, _num_item(fmt_yuan(k.gmv, False)))
            t.setItem(i, 5, _num_item(fmt_rate(k.conversion)))
            t.setItem(i, 6, _num_item(fmt_yuan(k.uv_value)))
            t.setItem(i, 7, _num_item(fmt_count(k.pcu)))

    def _refresh_alerts(self) -> None:
        log = list(reversed(self.svc.alert_log()))
        t = self.alert_table
        t.setRowCount(len(log))
        open_count = 0
        for i, a in enumerate(log):
            sev_colour = {"critical": theme.ON_AIR, "warning": theme.WARNING}.get(a["severity"], theme.IDLE)
            t.setItem(i, 0, _num_item(_local(a["utc"])))
            word = word_for(SEVERITIES, a["severity"])
            sev = QTableWidgetItem(word.upper() if a["severity"] != "info" else word)
            sev.setForeground(QColor(sev_colour))
            t.setItem(i, 1, sev)
            status = QTableWidgetItem(self.tr("acknowledged") if a["acked"] else self.tr("open"))
            status.setForeground(QColor(theme.TEXT_DIM if a["acked"] else theme.TEXT))
            t.setItem(i, 2, status)
            title = QTableWidgetItem(alert_title(a.get("rule") or "", a.get("values") or {}, a.get("sku"),
                                                 self._title_of, fallback=a["title"]))
            title.setData(Qt.ItemDataRole.UserRole, a["alert_id"])
            title.setToolTip(a.get("detail", ""))
            t.setItem(i, 3, title)
            t.setItem(i, 4, QTableWidgetItem(alert_todo(a.get("rule") or "", a.get("values"))
                                             or a.get("suggestion", "")))
            open_count += not a["acked"]
        label = self.tr("Alerts") + (f" ({open_count})" if open_count else "")
        self.tabs.setTabText(self.alerts_tab, label)

    def _title_of(self, sku: str) -> str:
        console = self.rt.console
        p = console.product(sku) if console is not None and sku else None
        return p.title if p is not None else ""

    def acknowledge_selected(self) -> None:
        rows = {i.row() for i in self.alert_table.selectedIndexes()}
        if not rows and self.alert_table.rowCount():
            rows = {0}
        for r in sorted(rows):
            item = self.alert_table.item(r, 3)
            status = self.alert_table.item(r, 2)
            if item is None or status is None or status.text() == self.tr("acknowledged"):
                continue
            self.rt.alerts.acknowledge(item.data(Qt.ItemDataRole.UserRole))
        self._alerts_dirty = True
        self.refresh()


def _hms(seconds: float | None) -> str:
    if seconds is None:
        return DASH
    s = int(seconds)
    return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"


def create_panel(rt, bridge, parent=None) -> QWidget:
    return MetricsPanel(rt, bridge, parent)
