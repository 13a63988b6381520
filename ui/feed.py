"""The live event feed: every journal event as it is committed, newest at the bottom, filterable, read
like a log a person writes ("14:03:12 · 李四 · 改价 LIP-001 丝绒口红 69.00 → 59.00 元 · ✓ 已生效").
The selected event's raw payload (keys, ids, amounts in 分) is in the details pane beside it."""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

from ui import event_words, theme
from ui.i18n import Retranslating, translate
from ui.words import ProductTitles, actor_word

MAX_ROWS = 20_000  # bounded: a 12-hour show must not grow the feed without limit
ROW_HEIGHT = 20    # compact rows: at 1366×768 the feed shows 6+ of them
FILTERS = (("all", QT_TRANSLATE_NOOP("Feed", "All")), ("actions", QT_TRANSLATE_NOOP("Feed", "Actions")),
           ("verdicts", QT_TRANSLATE_NOOP("Feed", "Verdicts")), ("alerts", QT_TRANSLATE_NOOP("Feed", "Alerts")),
           ("stream", QT_TRANSLATE_NOOP("Feed", "Stream")),
           ("simulator", QT_TRANSLATE_NOOP("Feed", "Simulated room")))
HEADERS = (QT_TRANSLATE_NOOP("Feed", "Time"), QT_TRANSLATE_NOOP("Feed", "Who"), QT_TRANSLATE_NOOP("Feed", "What"),
           QT_TRANSLATE_NOOP("Feed", "Result"))

# bookkeeping, not something that happened in the show: journaled for the recap and a resume, not a feed line
QUIET = frozenset({"comments.minute", "comments.bag_entries"})

CATEGORIES = {
    "actions": ("console.", "rundown.", "cue.", "session.", "comments."),
    "verdicts": ("interlock.",),
    "alerts": ("alert.", "metrics."),
    "stream": ("stream.",),
    # one line per input the simulated room journals so a resume replays it (every shop write, every buyer
    # of a rehearsal): it would double the log, so "All" leaves it out; its own filter shows it
    "simulator": ("simulator.",),
}
HIDDEN_FROM_ALL = frozenset({"simulator"})


def category_of(kind: str) -> str:
    for cat, prefixes in CATEGORIES.items():
        if kind.startswith(prefixes):
            return cat
    return "other"


def tone_colour(tone: str) -> str | None:
    return {event_words.OK: theme.ok_colour(), event_words.FAIL: theme.ON_AIR, event_words.BLOCK: theme.ON_AIR,
            event_words.CONFIRM: theme.WARNING, event_words.ALERT: theme.WARNING,
            event_words.WARN: theme.WARNING}.get(tone)


@dataclass
class _Row:
    seq: int
    kind: str
    actor: str
    utc: object
    payload: dict
    category: str
    line: event_words.Line | None = field(default=None)   # rendered in the current language, on demand


class FeedModel(QAbstractTableModel):
    def __init__(self, title_of=None, parent=None):
        super().__init__(parent)
        self._rows: deque[_Row] = deque(maxlen=MAX_ROWS)
        self.title_of = title_of
        self._intents: dict[str, _Row] = {}   # idempotency key -> the "sent" row its outcome replaces

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):
        return 4

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return translate("Feed", HEADERS[section])
        return None

    def line(self, row: _Row) -> event_words.Line:
        if row.line is None:
            row.line = event_words.describe(row.kind, row.payload, self.title_of)
        return row.line

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self._rows[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if c == 0:
                return row.utc.astimezone().strftime("%H:%M:%S")
            if c == 1:
                return actor_word(row.actor)
            line = self.line(row)
            return line.what if c == 2 else line.result
        if role == Qt.ItemDataRole.ForegroundRole and c >= 2:
            colour = tone_colour(self.line(row).tone)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.UserRole:
            return row.category
        if role == Qt.ItemDataRole.ToolTipRole and c == 2:
            return self.line(row).what
        return None

    def row_at(self, r: int) -> _Row:
        return self._rows[r]

    def add_event(self, ev) -> None:
        row = _Row(ev.seq, ev.kind, ev.actor, ev.utc, ev.payload or {}, category_of(ev.kind))
        key = row.payload.get("key") if row.kind.startswith("console.") else None
        if row.kind == "console.intent" and key:
            self._intents[key] = row
        elif key and key in self._intents:
            # one line per action: the "sent" line gives way to its outcome (both stay in the journal)
            sent = self._intents.pop(key)
            try:
                i = self._rows.index(sent)
            except ValueError:
                i = -1
            if i >= 0:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
        if len(self._rows) == MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            self._rows.popleft()
            self.endRemoveRows()
        n = len(self._rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self._rows.append(row)
        self.endInsertRows()

    def reword(self) -> None:
        """The language changed: render every line again when it is next shown."""
        for row in self._rows:
            row.line = None
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 3))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._intents.clear()
        self.endResetModel()

    def kinds(self) -> list[str]:
        return [r.kind for r in self._rows]


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.category = "all"

    def filterAcceptsRow(self, source_row, source_parent):
        idx = self.sourceModel().index(source_row, 0, source_parent)
        category = self.sourceModel().data(idx, Qt.ItemDataRole.UserRole)
        if self.category == "all":
            return category not in HIDDEN_FROM_ALL
        return category == self.category


class EventFeed(Retranslating, QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self._title_of = ProductTitles(rt)
        self.model = FeedModel(self._title_of, self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self._last_seq = 0

        self.filter = QComboBox()
        self.filter.setMaximumHeight(24)
        for key, _label in FILTERS:
            self.filter.addItem("", key)
        self.filter.currentIndexChanged.connect(self._set_filter)
        self.count = QLabel()
        self.count.setProperty("role", "dim")
        self.show_label = QLabel()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.show_label)
        top.addWidget(self.filter)
        top.addStretch(1)
        top.addWidget(self.count)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        self.view.setStyleSheet("QTableView { font-size: 12px; }")   # compact rows: more of the log in sight
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # time, who and result fit their widest text; sized when rows arrive (ResizeToContents misses rows a
        # proxy inserts later, which cut "✖ 已拦截" to "✖ 已…")
        self._fit = QTimer(self)
        self._fit.setSingleShot(True)
        self._fit.setInterval(150)
        self._fit.timeout.connect(self.fit_columns)
        hh.setMinimumSectionSize(40)
        vh = self.view.verticalHeader()
        vh.setMinimumSectionSize(ROW_HEIGHT)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(ROW_HEIGHT)
        self.view.selectionModel().currentRowChanged.connect(self._show_details)
        # Follow the newest event unless the operator scrolled up to read something; back at the bottom, follow again.
        self.follow = True
        self.view.verticalScrollBar().valueChanged.connect(self._on_scrolled)

        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        mono = QFont()
        mono.setFamilies(["DejaVu Sans Mono", "Noto Sans Mono CJK SC"])
        mono.setPointSize(9)
        self.details.setFont(mono)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 260])

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.splitter, 1)
        bridge.event.connect(self._on_event)
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.show_label.setText(self.tr("Show"))
        for i, (_key, label) in enumerate(FILTERS):
            self.filter.setItemText(i, translate("Feed", label))
        self.details.setPlaceholderText(self.tr("Select an event to see everything it recorded."))
        self.model.reword()
        self._update_count()
        self._fit.start()

    def reload(self) -> None:
        """Show the current session's history (after a resume or a reopen)."""
        self.model.clear()
        self._last_seq = 0
        if self.rt.session_id is not None:
            for ev in self.rt.journal.tail(self.rt.session_id, MAX_ROWS):
                self._add(ev)
        QTimer.singleShot(0, self.view, self.view.scrollToBottom)
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
        if ev.kind in QUIET:
            return
        self.model.add_event(ev)
        self._fit.start()
        if self.follow:
            QTimer.singleShot(0, self.view, self.view.scrollToBottom)  # after the view has laid out the new row

    def fit_columns(self) -> None:
        for c in (0, 1, 3):
            self.view.resizeColumnToContents(c)

    def _on_scrolled(self, value: int) -> None:
        bar = self.view.verticalScrollBar()
        self.follow = value >= bar.maximum() - 2

    def _show_details(self, current, _previous=None) -> None:
        if not current.isValid():
            self.details.clear()
            return
        row = self.model.row_at(self.proxy.mapToSource(current).row())
        head = f"#{row.seq} {row.kind} · {row.actor} · {row.utc.astimezone():%Y-%m-%d %H:%M:%S}"
        self.details.setPlainText(head + "\n" + json.dumps(row.payload, ensure_ascii=False, indent=1, default=str))

    def _set_filter(self) -> None:
        self.proxy.beginFilterChange()
        self.proxy.category = self.filter.currentData()
        self.proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(self.tr("{n} events").format(n=self.proxy.rowCount()))
