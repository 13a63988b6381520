"""The live event feed: every journal event as it is committed, newest at the bottom, filterable."""
from __future__ import annotations

import json
from collections import deque

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ui import theme
from ui.event_labels import label
from ui.i18n import tr

MAX_ROWS = 20_000  # bounded: a 12-hour show must not grow the feed without limit

CATEGORIES = {
    "actions": ("console.", "rundown.", "cue.", "session."),
    "verdicts": ("interlock.",),
    "alerts": ("alert.",),
    "stream": ("stream.",),
}


def category_of(kind: str) -> str:
    for cat, prefixes in CATEGORIES.items():
        if kind.startswith(prefixes):
            return cat
    return "other"


def summarize(payload: dict, limit: int = 160) -> str:
    """One readable line from a payload: the fields a person scans for first, then the rest."""
    if not payload:
        return ""
    first = ("title", "message", "verdict", "sku", "reason", "detail", "result", "state", "error")
    parts = [f"{k}={_short(payload[k])}" for k in first if k in payload and payload[k] not in (None, "", [], {})]
    parts += [f"{k}={_short(v)}" for k, v in payload.items()
              if k not in first and v not in (None, "", [], {})]
    text = "  ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(v) -> str:
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))[:60]
    return str(v)


def colour_for_event(kind: str, payload: dict) -> str | None:
    verdict = str(payload.get("verdict", "")).upper()
    if verdict in ("BLOCK", "CONFIRM", "ALLOW"):
        return theme.colour_for(verdict)
    if kind.startswith("alert.raised"):
        return theme.ON_AIR if payload.get("severity") == "critical" else theme.WARNING
    if kind.startswith("stream.failover") or "mismatch" in kind or "failed" in kind or "error" in kind:
        return theme.ON_AIR
    if kind.startswith("stream.returned"):
        return theme.HEALTHY
    return None


class FeedModel(QAbstractTableModel):
    HEADERS = ("Time", "Who", "What", "Details")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: deque = deque(maxlen=MAX_ROWS)

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):
        return 4

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(self.HEADERS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and row[5]:
            return QColor(row[5])
        if role == Qt.ItemDataRole.UserRole:
            return row[4]  # category, for filtering
        if role == Qt.ItemDataRole.ToolTipRole:
            return row[8] if index.column() == 2 else row[6] if index.column() == 3 else None
        return None

    def add_event(self, ev) -> None:
        local = ev.utc.astimezone().strftime("%H:%M:%S")
        full = json.dumps(ev.payload, ensure_ascii=False, indent=1)
        row = (local, ev.actor, label(ev.kind), summarize(ev.payload), category_of(ev.kind),
               colour_for_event(ev.kind, ev.payload), full, ev.seq, ev.kind)
        if len(self._rows) == MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            self._rows.popleft()
            self.endRemoveRows()
        n = len(self._rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self._rows.append(row)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()

    def kinds(self) -> list[str]:
        return [r[8] for r in self._rows]


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.category = "all"

    def filterAcceptsRow(self, source_row, source_parent):
        if self.category == "all":
            return True
        idx = self.sourceModel().index(source_row, 0, source_parent)
        return self.sourceModel().data(idx, Qt.ItemDataRole.UserRole) == self.category


class EventFeed(QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.model = FeedModel(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self._last_seq = 0

        self.filter = QComboBox()
        for key, label in (("all", "All"), ("actions", "Actions"), ("verdicts", "Verdicts"),
                           ("alerts", "Alerts"), ("stream", "Stream")):
            self.filter.addItem(tr(label), key)
        self.filter.currentIndexChanged.connect(self._set_filter)
        self.count = QLabel()
        self.count.setProperty("role", "dim")
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Show")))
        top.addWidget(self.filter)
        top.addStretch(1)
        top.addWidget(self.count)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setFont(QFont("DejaVu Sans Mono", 10))
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(True)
        self.view.verticalHeader().setDefaultSectionSize(22)
        # Follow the newest event unless the operator scrolled up to read something; back at the bottom, follow again.
        self.follow = True
        self.view.verticalScrollBar().valueChanged.connect(self._on_scrolled)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.view)
        bridge.event.connect(self._on_event)
        self.reload()

    def reload(self) -> None:
        """Show the current session's history (after a resume, a reopen or a language switch)."""
        self.model.clear()
        self._last_seq = 0
        if self.rt.session_id is not None:
            for ev in self.rt.journal.tail(self.rt.session_id, MAX_ROWS):
                self._add(ev)
        QTimer.singleShot(0, self.view.scrollToBottom)
        self._update_count()

    def _on_event(self, topic: str, payload) -> None:
        if not topic.startswith("journal.") or self.rt.session_id is None:
            return
        if getattr(payload, "session_id", None) != self.rt.session_id:
            return
        self._add(payload)
        self._update_count()

    def _add(self, ev) -> None:
        if ev.seq <= self._last_seq:  # the bus and a reload can both deliver an event
            return
        self._last_seq = ev.seq
        self.model.add_event(ev)
        if self.follow:
            QTimer.singleShot(0, self.view.scrollToBottom)  # after the view has laid out the new row

    def _on_scrolled(self, value: int) -> None:
        bar = self.view.verticalScrollBar()
        self.follow = value >= bar.maximum() - 2

    def _set_filter(self) -> None:
        self.proxy.category = self.filter.currentData()
        self.proxy.invalidateRowsFilter()
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(tr("{n} events", n=self.proxy.rowCount()))
