"""The run-of-show panel: segments with now/next, the segment timer, ahead/behind, projected end,
cadence warnings, and the operator's keys.

Keys (window-wide, shown on the buttons): Space start/pause/resume, N next, B back, + / - one minute,
M message to the host, Shift+M clear it. The host's cue screen is the window's F11 (one binding for the
whole window). All state lives in the runner; this panel can be rebuilt at any time.
"""
from __future__ import annotations

import html
from datetime import datetime, timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGridLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu, QMessageBox,
                               QPushButton, QSizePolicy,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from controlroom.rundown.display import format_countdown
from controlroom.rundown.files import RundownImportError, format_duration
from ui import theme
from ui.i18n import Retranslating, translate
from ui.words import MESSAGE_STYLES, RUN_STATUS, kind_word, offset_words, word_for

PHASE_COLOURS = {"idle": theme.IDLE, "normal": theme.TEXT, "warning": theme.WARNING, "danger": theme.ON_AIR,
                 "overtime": theme.ON_AIR}
HEADERS = (QT_TRANSLATE_NOOP("RundownPanel", "Cue"), QT_TRANSLATE_NOOP("RundownPanel", "Title"),
           QT_TRANSLATE_NOOP("RundownPanel", "Kind"), QT_TRANSLATE_NOOP("RundownPanel", "Planned"),
           QT_TRANSLATE_NOOP("RundownPanel", "Start"))
# (id, label, keys) — the first key is shown on the button; "=" is "+" without Shift on most keyboards
BUTTONS = (("toggle", QT_TRANSLATE_NOOP("RundownPanel", "Start/pause"), ("Space",)),
           ("back", QT_TRANSLATE_NOOP("RundownPanel", "Back"), ("B",)),
           ("next", QT_TRANSLATE_NOOP("RundownPanel", "Next"), ("N",)),
           ("minus", QT_TRANSLATE_NOOP("RundownPanel", "-1 min"), ("-",)),
           ("plus", QT_TRANSLATE_NOOP("RundownPanel", "+1 min"), ("+", "=")),
           ("message", QT_TRANSLATE_NOOP("RundownPanel", "Message"), ("M",)),
           ("clear", QT_TRANSLATE_NOOP("RundownPanel", "Clear msg"), ("Shift+M",)),
           ("cue", QT_TRANSLATE_NOOP("RundownPanel", "Cue screen"), ()),
           ("file", QT_TRANSLATE_NOOP("RundownPanel", "File…"), ()))


def _local(iso: str | None, plus_s: float = 0.0) -> str:
    if not iso:
        return ""
    return (datetime.fromisoformat(iso) + timedelta(seconds=plus_s)).astimezone().strftime("%H:%M")


def _cadence_text(c: dict) -> str:
    span = f"{format_duration(int(c['start_s']))}–{format_duration(int(c['end_s']))}"
    if c["rule"] == "anchor_gap":
        return translate("RundownPanel", "{m} min without a price anchor ({span})").format(m=c["minutes"], span=span)
    if c["rule"] == "interaction_gap":
        return translate("RundownPanel", "{m} min without an interaction trigger ({span})").format(m=c["minutes"],
                                                                                                   span=span)
    if c["rule"] == "overrun":
        return translate("RundownPanel", "the show runs {m} min over its slot").format(m=c["minutes"])
    return c["rule"]


class MessageDialog(Retranslating, QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.text = QLineEdit()
        self.text.setMinimumWidth(360)
        self.style = QComboBox()
        for s in MESSAGE_STYLES:
            self.style.addItem("", s)
        self.labels = (QLabel(), QLabel())
        self.form.addRow(self.labels[0], self.text)
        self.form.addRow(self.labels[1], self.style)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Message to the host"))
        self.labels[0].setText(self.tr("Message"))
        self.labels[1].setText(self.tr("Style"))
        for i, s in enumerate(MESSAGE_STYLES):
            self.style.setItemText(i, word_for(MESSAGE_STYLES, s))


class RundownPanel(Retranslating, QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.bridge = bridge
        self.room = rt.rundown
        self.runner = self.room.runner if self.room else None
        self._table_key = None
        self._own_cue_screen = None
        self._state: dict | None = None
        self.setObjectName("rundownPanel")
        self.setStyleSheet(f"#rundownPanel {{ background:{theme.PANEL}; color:{theme.TEXT}; }}"
                           f" QPushButton {{ padding: 2px 2px; }}")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)

        head = QHBoxLayout()
        self.now_label = QLabel()
        self.now_label.setWordWrap(True)
        self.now_label.setStyleSheet("font-size:14px; font-weight:bold;")
        self.now_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head.addWidget(self.now_label, 1)
        self.timer_label = QLabel("--:--")
        self.timer_font = f"font-family:{theme.MONO}; font-size:40px; font-weight:700;"
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.timer_label)
        lay.addLayout(head)

        grid = QGridLayout()
        grid.setVerticalSpacing(2)
        self.status_label = QLabel()
        self.offset_label = QLabel()
        self.offset_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.end_label = QLabel()
        self.end_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.next_label = QLabel()
        self.next_label.setStyleSheet(f"color:{theme.TEXT_DIM};")
        self.next_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid.addWidget(self.status_label, 0, 0)
        grid.addWidget(self.offset_label, 0, 1)
        grid.addWidget(self.end_label, 1, 0, 1, 2)
        grid.addWidget(self.next_label, 2, 0, 1, 2)
        lay.addLayout(grid)

        self.cadence_label = QLabel()
        self.cadence_label.setWordWrap(True)
        lay.addWidget(self.cadence_label)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        lay.addWidget(self.message_label)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c in (0, 2, 3, 4):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellDoubleClicked.connect(lambda row, _c: self._act(self.runner.goto, row))
        lay.addWidget(self.table, 1)

        slots = {"toggle": self._toggle, "back": self._back, "next": self._next,
                 "minus": lambda: self._act(self.runner.add_time, -60),
                 "plus": lambda: self._act(self.runner.add_time, 60), "message": self.ask_message,
                 "clear": lambda: self._act(self.runner.clear_message), "cue": self.open_cue_screen,
                 "file": lambda: None}
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: dict[str, list[QShortcut]] = {}
        bgrid = QGridLayout()
        bgrid.setSpacing(3)
        for i, (key, _label, keys) in enumerate(BUTTONS):
            b = QPushButton()
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # Space must reach the shortcut, not a focused button
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            b.setMinimumHeight(38)
            if key == "file":   # import/export are rare: one button with a menu keeps the panel short
                menu = QMenu(b)
                self.import_action = menu.addAction("", self.import_file)
                self.export_action = menu.addAction("", self.export_file)
                b.setMenu(menu)
            else:
                b.clicked.connect(slots[key])
            bgrid.addWidget(b, i // 3, i % 3)
            self.buttons[key] = b
            for seq in keys:
                sc = QShortcut(QKeySequence(seq), self)
                sc.setContext(Qt.ShortcutContext.WindowShortcut)
                sc.activated.connect(slots[key])
                self.shortcuts.setdefault(key, []).append(sc)
        lay.addLayout(bgrid)
        self.api_label = None
        if self.runner is not None:
            api = getattr(self.room, "control_api", None)
            if api is not None:
                self.api_label = QLabel()
                self.api_label.setStyleSheet(f"color:{theme.TEXT_DIM};")
                self.api_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                lay.addWidget(self.api_label)
            bridge.event.connect(self._on_event)
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([translate("RundownPanel", h) for h in HEADERS])
        self.table.setToolTip(self.tr("Double-click: go to this cue"))
        for key, label, keys in BUTTONS:
            text = translate("RundownPanel", label)
            if key == "cue":
                keys = ("F11",)
            shown = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText) if keys else ""
            # two lines (words, then the key): the panel is narrow at 1366×768 and nothing may be cut
            self.buttons[key].setText(f"{text}\n{shown}" if shown else text)
            self.buttons[key].setToolTip(f"{text} ({shown})" if shown else text)
            for sc in self.shortcuts.get(key, []):
                sc.setWhatsThis(self.tr("Run of show: {what}").format(what=text))
        self.import_action.setText(self.tr("Import a run of show…"))
        self.export_action.setText(self.tr("Export the run of show…"))
        if self.api_label is not None:
            self.api_label.setText(self.tr("Control API: {url}").format(url=self.room.control_api.url))
        if self.runner is None:
            self.now_label.setText(self.tr("No rundown loaded"))
            for b in self.buttons.values():
                b.setEnabled(False)
            return
        self._table_key = None
        self.update_state(self._state or self.runner.snapshot())

    def resizeEvent(self, ev) -> None:
        # narrow (1366×768): the kind gives way (it is in the "Now" line); title, planned and start stay
        self.table.setColumnHidden(2, self.width() < 340)
        super().resizeEvent(ev)

    # ---- actions ---------------------------------------------------------------------------------
    def _act(self, fn, *args) -> None:
        if self.runner is None:
            return
        try:
            fn(*args, actor="operator")
        except Exception as e:
            QMessageBox.warning(self, self.tr("Run of show"), str(e))
        self.update_state(self.runner.snapshot())

    def _toggle(self):
        self._act(self.runner.toggle)

    def _next(self):
        self._act(self.runner.next)

    def _back(self):
        self._act(self.runner.previous)

    def ask_message(self) -> None:
        d = MessageDialog(self)
        if d.exec() == QDialog.DialogCode.Accepted:
            self._act(self.runner.send_message, d.text.text(), d.style.currentData())

    def open_cue_screen(self) -> None:
        """The window's F11 (toggle); shown on its own, the panel opens one itself."""
        win = self.window()
        if win is not self and hasattr(win, "toggle_cue_screen"):
            win.toggle_cue_screen()
            return
        from ui.cue_screen import CueScreen
        if self._own_cue_screen is None:
            self._own_cue_screen = CueScreen(self.rt, self.bridge)
        self._own_cue_screen.show_on_screen(-1)

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a run of show"), str(self.room.show_dir),
                                              self.tr("Run of show (*.csv *.xlsx)"))
        if not path:
            return
        try:
            rundown = self.room.import_file(path)
        except RundownImportError as e:
            QMessageBox.critical(self, self.tr("Rundown import failed"), str(e))
            return
        if rundown.warnings:
            QMessageBox.warning(self, self.tr("Rundown imported with warnings"),
                                "\n".join(str(w) for w in rundown.warnings))

    def export_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the run of show"),
                                              str(self.rt.data_dir / "rundown.xlsx"), "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            self.room.export_file(path)

    # ---- state -----------------------------------------------------------------------------------
    def _on_event(self, topic: str, payload) -> None:
        if topic == "rundown.state" and isinstance(payload, dict):
            self.update_state(payload)

    def update_state(self, s: dict) -> None:
        self._state = s
        seg, nxt = s.get("segment"), s.get("next")
        status = s.get("status", "idle")
        if seg:
            self.now_label.setText(self.tr("Now: {cue} · {title} ({kind})").format(
                cue=seg["cue"], title=seg["title"], kind=kind_word(seg["kind"])))
        phase = s.get("phase", "idle")
        colour = PHASE_COLOURS.get(phase, theme.TEXT)
        ended = status == "ended"
        self.timer_label.setText(format_countdown(s.get("remaining_s", 0)) if seg and not ended else "--:--")
        self.timer_label.setStyleSheet(self.timer_font + f"color:{theme.IDLE if ended else colour};")
        status_colour = theme.ON_AIR if status == "running" else theme.WARNING if status == "paused" else theme.IDLE
        overtime = self.tr("OVERTIME") if phase == "overtime" and not ended else ""
        status_name = html.escape(self.tr("Status"))
        self.status_label.setText(f"{status_name}: <b style='color:{status_colour}'>"
                                  f"{html.escape(word_for(RUN_STATUS, status))}</b> {html.escape(overtime)}")
        if ended or status == "idle":
            self.offset_label.setText("")
            self.end_label.setText("")
        else:
            words, kind = offset_words(s.get("offset_s", 0.0))
            off = s.get("offset_s", 0.0)
            col = theme.ON_AIR if off > 120 else theme.WARNING if kind == "behind" else theme.ok_colour()
            self.offset_label.setText(f"<b style='color:{col}'>{html.escape(words)}</b>")
            end_col = theme.ON_AIR if s.get("projected_end_offset_s", 0) > 60 else theme.TEXT
            proj = html.escape(self.tr("ends {t}").format(t=_local(s.get("projected_end_utc"))))
            planned = html.escape(self.tr("(plan {t})").format(t=_local(s.get("planned_end_utc"))))
            self.end_label.setText(f"<span style='color:{end_col}'>{proj}</span> "
                                   f"<span style='color:{theme.TEXT_DIM}'>{planned}</span>")
        self.next_label.setText(self.tr("NEXT: {cue} {title} {length}").format(
            cue=nxt["cue"], title=nxt["title"], length=format_duration(nxt["planned_s"])) if nxt and not ended else "")
        cad = s.get("cadence") or []
        if cad and not ended:
            self.cadence_label.setText("<br>".join(f"<span style='color:{theme.WARNING}'>⚠ "
                                                   f"{html.escape(_cadence_text(c))}</span>" for c in cad))
        else:
            ok = html.escape(self.tr("Cadence OK"))
            self.cadence_label.setText(f"<span style='color:{theme.ok_colour()}'>✓ {ok}</span>")
        msg = s.get("message")
        if self.room and self.room.load_error:
            failed = html.escape(self.tr("Rundown import failed"))
            self.message_label.setText(f"<span style='color:{theme.ON_AIR}'>{failed}: "
                                       f"{html.escape(self.room.load_error)}</span>")
        elif msg:
            style = html.escape(word_for(MESSAGE_STYLES, msg["style"]))
            self.message_label.setText(f"<span style='color:{theme.ACCENT}'>✉ [{style}] "
                                       f"{html.escape(msg['text'])}</span>")
        else:
            self.message_label.setText("")
        self.message_label.setVisible(bool(self.message_label.text()))
        self._update_table(s)

    def _update_table(self, s: dict) -> None:
        starts = s.get("starts") or []
        key = (tuple(x["cue"] for x in s.get("segments", [])), s.get("index"), s.get("status"),
               tuple(None if t is None else int(t // 60) for t in starts))
        if key == self._table_key:
            return
        self._table_key = key
        segs = s.get("segments", [])
        self.table.setRowCount(len(segs))
        idx = s.get("index", 0)
        running = s.get("status") in ("running", "paused")
        for r, seg in enumerate(segs):
            marks = (" ◆" if seg.get("price_anchor") else "") + (" ★" if seg.get("interaction") else "")
            start = starts[r] if r < len(starts) else None
            cells = [seg["cue"], seg["title"] + marks, kind_word(seg["kind"]), format_duration(seg["planned_s"]),
                     _local(s.get("show_start_utc"), start) if start is not None else "—"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (0, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 1:
                    item.setToolTip(seg["title"])
                if r == idx and running:
                    item.setBackground(QColor(theme.ON_AIR))
                    item.setForeground(QColor("#ffffff"))
                elif r == idx + 1 and running:
                    item.setForeground(QColor(theme.WARNING))
                elif r < idx and running:
                    item.setForeground(QColor(theme.TEXT_DIM))
                self.table.setItem(r, c, item)
            if r == idx and running:
                self.table.item(r, 0).setText("▶ " + seg["cue"])
        if segs:
            self.table.scrollToItem(self.table.item(min(idx, len(segs) - 1), 0))


def create_panel(rt, bridge, parent=None) -> QWidget:
    return RundownPanel(rt, bridge, parent)
