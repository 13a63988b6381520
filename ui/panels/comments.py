"""The room's voice for the operator: the live comment list (comments.batch from the comment room), filtered
by questions, complaints and the product they mention; push one to the host's cue screen ("观众问：…", Q),
pin it to the top (T), mark it answered on air (A), take the question off the cue screen (Shift+Q). The
running lucky bag's countdown and entries are on the line above the list.

A comment is a viewer's text: every widget here shows it as plain text (the table's delegate never renders
markup; labels are Qt.PlainText), already stripped of control characters and cut to SHOWN_CHARS by the core.
At 50 comments a second the list takes them in batches (the comment room polls twice a second) and keeps
the newest MAX_ROWS.
"""
from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QSizePolicy, QTableView, QVBoxLayout, QWidget)

from ui import theme
from ui.i18n import Retranslating, translate
from ui.words import COMMENT_KINDS, COMPLAINT_TOPICS, QUESTION_TOPICS, ProductTitles, clock_text, word_for

MAX_ROWS = 3000
ROW_HEIGHT = 20
HEADERS = (QT_TRANSLATE_NOOP("Comments", "Time"), QT_TRANSLATE_NOOP("Comments", "Kind"),
           QT_TRANSLATE_NOOP("Comments", "Product"), QT_TRANSLATE_NOOP("Comments", "Comment"))
FILTERS = (("all", QT_TRANSLATE_NOOP("Comments", "All")), ("question", QT_TRANSLATE_NOOP("Comments", "Questions")),
           ("complaint", QT_TRANSLATE_NOOP("Comments", "Complaints")))
# (id, label, key): bound once each, window-wide like the console's keys
ACTIONS = (("cue", QT_TRANSLATE_NOOP("Comments", "To cue screen"), "Q"),
           ("pin", QT_TRANSLATE_NOOP("Comments", "Pin"), "T"),
           ("answered", QT_TRANSLATE_NOOP("Comments", "Answered"), "A"),
           ("clear", QT_TRANSLATE_NOOP("Comments", "Off the cue screen"), "Shift+Q"))
KIND_COLOURS = {"question": "#58a6ff", "complaint": theme.ON_AIR, "praise": "#3fb950", "spam": theme.TEXT_DIM,
                "entry": "#d2a8ff"}


class CommentModel(QAbstractTableModel):
    def __init__(self, title_of=None, parent=None):
        super().__init__(parent)
        self._rows: deque = deque()
        self.title_of = title_of or (lambda sku: "")
        self.answered: set[str] = set()
        self.pinned: set[str] = set()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):
        return 4

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return translate("Comments", HEADERS[section])
        return None

    def item(self, r: int):
        return self._rows[r]

    def kind_words(self, it) -> str:
        kind = word_for(COMMENT_KINDS, it.kind)
        if it.kind == "question" and it.topic and it.topic != "other":
            return f"{kind} · {word_for(QUESTION_TOPICS, it.topic)}"
        if it.kind == "complaint" and it.topic:
            return f"{kind} · {word_for(COMPLAINT_TOPICS, it.topic)}"
        return kind

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        it = self._rows[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if c == 0:
                return time.strftime("%H:%M:%S", time.localtime(it.utc))
            if c == 1:
                return self.kind_words(it)
            if c == 2:
                return (it.sku or "") + ("*" if it.sku_inferred else "")
            return ("✓ " if it.comment_id in self.answered else "") + ("★ " if it.comment_id in self.pinned else "") \
                + it.text
        if role == Qt.ItemDataRole.ForegroundRole:
            if it.comment_id in self.answered:
                return QColor(theme.TEXT_DIM)
            colour = KIND_COLOURS.get(it.kind)
            return QColor(colour) if colour and c in (1, 3) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == 1:
                return self.kind_words(it)
            if c == 2 and it.sku:
                title = self.title_of(it.sku)
                tip = f"{it.sku} {title}".strip()
                return tip + ("\n" + translate("Comments", "* not named: the product being explained when it was "
                                                           "posted") if it.sku_inferred else "")
            if c == 3:
                more = translate("Comments", "{n} characters sent, {shown} shown").format(n=it.length,
                                                                                         shown=len(it.text)) \
                    if it.length > len(it.text) else ""
                why = translate("Comments", "read as {kind} because of “{term}”").format(
                    kind=self.kind_words(it), term=it.term) if it.term else ""
                return "\n".join(x for x in (it.text, why, more) if x)
        if role == Qt.ItemDataRole.UserRole:
            return it
        return None

    def append(self, items) -> None:
        if not items:
            return
        items = list(items)[-MAX_ROWS:]
        drop = len(self._rows) + len(items) - MAX_ROWS
        if drop > 0:
            self.beginRemoveRows(QModelIndex(), 0, drop - 1)
            for _ in range(drop):
                self._rows.popleft()
            self.endRemoveRows()
        n = len(self._rows)
        self.beginInsertRows(QModelIndex(), n, n + len(items) - 1)
        self._rows.extend(items)
        self.endInsertRows()

    def marks_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 3))

    def reword(self) -> None:
        self.marks_changed()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 3)


class CommentFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = "all"
        self.sku: str | None = None

    def filterAcceptsRow(self, source_row, source_parent):
        it = self.sourceModel().item(source_row)
        if self.kind != "all" and it.kind != self.kind:
            return False
        return self.sku is None or it.sku == self.sku


class CommentsPanel(Retranslating, QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.room = rt.comments
        self.setObjectName("commentsPanel")
        self._title_of = ProductTitles(rt)
        self.model = CommentModel(self._title_of, self)
        self.proxy = CommentFilter(self)
        self.proxy.setSourceModel(self.model)
        self._rate: deque = deque()          # (monotonic, n) of recent batches: comments per minute
        self._counts = {"question": 0, "complaint": 0}

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(3)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        self.filter_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        for key, _label in FILTERS:
            b = QPushButton()
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, k=key: self.set_kind(k))
            group.addButton(b)
            top.addWidget(b)
            self.filter_buttons[key] = b
        self.filter_buttons["all"].setChecked(True)
        self.sku_box = QComboBox()
        self.sku_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sku_box.currentIndexChanged.connect(self._sku_changed)
        top.addWidget(self.sku_box)
        top.addStretch(1)
        lay.addLayout(top)
        self.summary = QLabel()                 # comments a minute, questions, complaints
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setProperty("role", "dim")
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.bag = QLabel()                     # the running lucky bag: prize, countdown, entries
        self.bag.setTextFormat(Qt.TextFormat.PlainText)
        self.bag.setStyleSheet("color:#3fb950; font-weight:600;")
        self.bag.hide()
        lay.addWidget(self.bag)
        self.on_cue = QLabel()                  # what the host sees now: 观众问：…
        self.on_cue.setTextFormat(Qt.TextFormat.PlainText)
        self.on_cue.setWordWrap(False)
        self.on_cue.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.on_cue.setStyleSheet("color:#58a6ff; font-weight:600;")
        self.on_cue.hide()
        lay.addWidget(self.on_cue)
        self.pins = QListWidget()               # pinned comments, always in sight above the stream
        self.pins.setMaximumHeight(64)
        self.pins.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.pins.currentRowChanged.connect(lambda _r: self.view.clearSelection() if self.pins.hasFocus() else None)
        self.pins.hide()
        lay.addWidget(self.pins)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setStyleSheet("QTableView { font-size: 12px; }")
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(40)
        vh = self.view.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(ROW_HEIGHT)
        self.follow = True
        self.view.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        lay.addWidget(self.view, 1)

        grid = QGridLayout()
        grid.setSpacing(3)
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        slots = {"cue": self.push_to_cue, "pin": self.pin, "answered": self.answered, "clear": self.clear_cue}
        for i, (aid, _label, key) in enumerate(ACTIONS):
            b = QPushButton()
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            b.clicked.connect(slots[aid])
            grid.addWidget(b, i // 2, i % 2)      # two by two: every label and its key fit at 1366×768
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slots[aid])
            self.buttons[aid] = b
            self.shortcuts[aid] = sc
        lay.addLayout(grid)
        lay.addWidget(self.summary)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.status)

        self._fit = QTimer(self)
        self._fit.setSingleShot(True)
        self._fit.setInterval(300)
        self._fit.timeout.connect(self.fit_columns)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._refresh_lines)
        self._tick.start(500)
        bridge.event.connect(self._on_event)
        if self.room is not None:
            self.model.append(self.room.recent(limit=MAX_ROWS))
            self._take_marks(self.room.marks())
        self.retranslate()

    # ---- words ---------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        for key, label in FILTERS:
            self.filter_buttons[key].setText(translate("Comments", label))
        for aid, label, key in ACTIONS:
            shown = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            text = translate("Comments", label)
            self.buttons[aid].setText(f"{text}  {shown}")
            self.buttons[aid].setToolTip(f"{text} ({shown})")
            self.shortcuts[aid].setWhatsThis(self.tr("Comments: {what}").format(what=text))
        self._fill_skus()
        self.model.reword()
        if self.room is None or not self.room.enabled:
            self.status.setText(self.tr("This platform gives no live comments: read them in its own live console."))
        self._refresh_lines()
        self._fit.start()

    def _fill_skus(self) -> None:
        keep = self.sku_box.currentData()
        self.sku_box.blockSignals(True)
        self.sku_box.clear()
        self.sku_box.addItem(self.tr("Every product"), None)
        console = self.rt.console
        if console is not None:
            for p in console.snapshot().products:
                self.sku_box.addItem(p.sku, p.sku)
                self.sku_box.setItemData(self.sku_box.count() - 1, p.title, Qt.ItemDataRole.ToolTipRole)
        i = self.sku_box.findData(keep)
        self.sku_box.setCurrentIndex(max(0, i))
        self.sku_box.blockSignals(False)

    # ---- the stream of comments -------------------------------------------------------------------------
    def _on_event(self, topic: str, payload) -> None:
        if topic == "comments.batch":
            self.add(payload)
        elif topic == "comments.marks":
            self._take_marks(payload)
        elif topic == "session.current":
            self.model.beginResetModel()
            self.model._rows.clear()
            self.model.endResetModel()
            self._counts = {"question": 0, "complaint": 0}
            self._rate.clear()
            if self.room is not None:
                self._take_marks(self.room.marks())
            self._fill_skus()
        elif topic == "console.state" and isinstance(payload, dict) and payload.get("why") == "plan":
            self._fill_skus()

    def add(self, items) -> None:
        items = tuple(items or ())
        if not items:
            return
        now = time.monotonic()
        self._rate.append((now, len(items)))
        for it in items:
            if it.kind in self._counts:
                self._counts[it.kind] += 1
        self.model.append(items)
        if self.follow:
            self.view.scrollToBottom()

    def fit_columns(self) -> None:
        """Time, kind and product are sized from their possible texts, not from the rows: measuring 3,000 rows
        (resizeColumnToContents) costs a frame ~150 ms at 50 comments a second."""
        fm = self.view.fontMetrics()
        kinds = [word_for(COMMENT_KINDS, k) for k in COMMENT_KINDS]
        kinds += [f"{word_for(COMMENT_KINDS, 'question')} · {word_for(QUESTION_TOPICS, t)}" for t in QUESTION_TOPICS]
        kinds += [f"{word_for(COMMENT_KINDS, 'complaint')} · {word_for(COMPLAINT_TOPICS, t)}" for t in COMPLAINT_TOPICS]
        skus = [self.sku_box.itemData(i) or "" for i in range(self.sku_box.count())] or ["SKU-000"]
        hh = self.view.horizontalHeader()
        for c, texts in ((0, ["88:88:88"]), (1, kinds), (2, [s + "*" for s in skus])):
            head = hh.fontMetrics().horizontalAdvance(str(self.model.headerData(c, Qt.Orientation.Horizontal)))
            width = max([fm.horizontalAdvance(t) for t in texts] + [head]) + 14
            if c == 1:   # the comment itself keeps most of the room; a long kind is elided (whole in its tooltip)
                width = min(width, 110)
            self.view.setColumnWidth(c, width)

    def _on_scrolled(self, value: int) -> None:
        self.follow = value >= self.view.verticalScrollBar().maximum() - 2

    def _take_marks(self, marks: dict) -> None:
        self.model.pinned = set(marks.get("pinned") or [])
        self.model.answered = set(marks.get("answered") or [])
        self.model.marks_changed()
        self.pins.clear()
        state = self.room.state if self.room is not None else None
        for cid in marks.get("pinned") or []:
            m = state.pinned.get(cid) if state is not None else None
            if m is not None:
                item = QListWidgetItem("★ " + m.text)         # QListWidgetItem text is never markup
                item.setData(Qt.ItemDataRole.UserRole, cid)
                item.setToolTip(m.text)
                self.pins.addItem(item)
        self.pins.setVisible(self.pins.count() > 0)
        on = marks.get("on_cue")
        self.on_cue.setVisible(on is not None)
        if on is not None:
            self.on_cue.setText(self.tr("On the cue screen: Viewer asks: {text}").format(text=on.text))
            self.on_cue.setToolTip(on.text)

    def _refresh_lines(self) -> None:
        now = time.monotonic()
        while self._rate and self._rate[0][0] < now - 60:
            self._rate.popleft()
        per_min = sum(n for _, n in self._rate)
        self.summary.setText(self.tr("{n}/min · {q} questions · {c} complaints").format(
            n=per_min, q=self._counts["question"], c=self._counts["complaint"]))
        console = self.rt.console
        bag = console.snapshot().lucky_bag if console is not None else None
        self.bag.setVisible(bag is not None)
        if bag is not None:
            entries = len(self.room.state.bag_users.get(bag.bag_id, {})) if self.room is not None else 0
            self.bag.setText(self.tr("Lucky bag {prize} × {n} · {left} left · {entries} entries").format(
                prize=bag.prize, n=bag.winners, left=clock_text(bag.remaining_s), entries=entries))

    # ---- filters ----------------------------------------------------------------------------------------
    def set_kind(self, kind: str) -> None:
        self.filter_buttons[kind].setChecked(True)
        self.proxy.beginFilterChange()
        self.proxy.kind = kind
        self.proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.view.scrollToBottom()

    def set_sku(self, sku: str | None) -> None:
        self.sku_box.setCurrentIndex(max(0, self.sku_box.findData(sku)))

    def _sku_changed(self) -> None:
        self.proxy.beginFilterChange()
        self.proxy.sku = self.sku_box.currentData()
        self.proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    # ---- marks ------------------------------------------------------------------------------------------
    def selected(self):
        if self.pins.hasFocus() and self.pins.currentItem() is not None:
            cid = self.pins.currentItem().data(Qt.ItemDataRole.UserRole)
            return self.room.item(cid) if self.room is not None else None
        idx = self.view.currentIndex()
        if idx.isValid() and self.view.selectionModel().isSelected(idx):
            return self.proxy.data(idx, Qt.ItemDataRole.UserRole)
        return None

    def _target(self, prefer_question: bool = True):
        """The selected comment; with none selected, the newest question in sight (Q pushes what was asked)."""
        it = self.selected()
        if it is not None or not prefer_question:
            return it
        for r in range(self.proxy.rowCount() - 1, -1, -1):
            cand = self.proxy.data(self.proxy.index(r, 0), Qt.ItemDataRole.UserRole)
            if cand.kind == "question" and cand.comment_id not in self.model.answered:
                return cand
        return None

    def _do(self, fn, it) -> None:
        if self.room is None or it is None:
            self._say(self.tr("Select a comment first"), theme.WARNING)
            return
        try:
            fn(it.comment_id)
        except Exception as e:  # noqa: BLE001 - a journal that refuses is shown, the list carries on
            self._say(self.tr("Not done: {why}").format(why=str(e)), theme.ON_AIR)
            return
        self._say("")

    def _say(self, text: str, colour: str = theme.TEXT_DIM) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color:{colour};")
        if not self.isVisible():   # on a tab behind another panel (1366×768): the keys still answer, where one looks
            win = self.window()
            bar = win.statusBar() if hasattr(win, "statusBar") else None
            if bar is not None:
                bar.showMessage(text, 6000)

    def push_to_cue(self) -> None:
        self._do(self.room.push_to_cue if self.room else None, self._target())

    def pin(self) -> None:
        it = self._target(prefer_question=False)
        if it is not None and self.room is not None and it.comment_id in self.model.pinned:
            self._do(self.room.unpin, it)
        else:
            self._do(self.room.pin if self.room else None, it)

    def answered(self) -> None:
        on = self.room.state.on_cue if self.room is not None else None
        it = self.selected()
        if it is None and on is not None:          # A with nothing selected: the question on the cue screen
            self._do(self.room.mark_answered, self.room.item(on.comment_id) or on)
            return
        self._do(self.room.mark_answered if self.room else None, it)

    def clear_cue(self) -> None:
        if self.room is not None:
            self.room.clear_cue()


def create_panel(rt, bridge, parent=None) -> QWidget:
    return CommentsPanel(rt, bridge, parent)
