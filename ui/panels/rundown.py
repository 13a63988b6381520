"""The run-of-show panel: segments with now/next, the segment timer, ahead/behind, projected end,
cadence warnings, and the operator's keys.

Keys (window-wide, shown on the buttons): Space start/pause/resume, N next, B back, + / - one minute,
M message to the host, Shift+M clear it, C open the cue screen. All state lives in the runner;
this panel can be rebuilt at any time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGridLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from controlroom.rundown.files import RundownImportError, format_duration
from controlroom.rundown.display import format_countdown
from controlroom.rundown.model import KIND_LABELS_ZH
from ui import i18n, theme
from ui.i18n import tr

PHASE_COLOURS = {"idle": theme.IDLE, "normal": theme.TEXT, "warning": theme.WARNING, "danger": theme.ON_AIR,
                 "overtime": theme.ON_AIR}


def _local(iso: str | None, plus_s: float = 0.0) -> str:
    if not iso:
        return ""
    return (datetime.fromisoformat(iso) + timedelta(seconds=plus_s)).astimezone().strftime("%H:%M")


def _cadence_text(c: dict) -> str:
    span = f"{format_duration(int(c['start_s']))}–{format_duration(int(c['end_s']))}"
    if c["rule"] == "anchor_gap":
        return tr("{m} min without a price anchor ({span})", m=c["minutes"], span=span)
    if c["rule"] == "interaction_gap":
        return tr("{m} min without an interaction trigger ({span})", m=c["minutes"], span=span)
    if c["rule"] == "overrun":
        return tr("the show runs {m} min over its slot", m=c["minutes"])
    return c.get("message", "")


class MessageDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Message to the host"))
        form = QFormLayout(self)
        self.text = QLineEdit()
        self.text.setMinimumWidth(360)
        self.style = QComboBox()
        for s in ("normal", "blink", "blackout"):
            self.style.addItem(tr(s), s)
        form.addRow(tr("Message"), self.text)
        form.addRow(tr("Style"), self.style)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class RundownPanel(QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.bridge = bridge
        self.room = rt.rundown
        self.runner = self.room.runner if self.room else None
        self._table_key = None
        self._own_cue_screen = None
        self.setStyleSheet(f"background:{theme.PANEL}; color:{theme.TEXT};")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(6)

        self.now_label = QLabel()
        self.now_label.setWordWrap(True)
        self.now_label.setStyleSheet("font-size:15px; font-weight:bold;")
        lay.addWidget(self.now_label)

        self.timer_label = QLabel("--:--")
        f = QFont()
        f.setFamilies(["DejaVu Sans Mono", "Noto Sans Mono CJK SC"])
        f.setPixelSize(56)
        f.setBold(True)
        self.timer_label.setFont(f)
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.timer_label)

        grid = QGridLayout()
        self.status_label = QLabel()
        self.offset_label = QLabel()
        self.offset_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.end_label = QLabel()
        self.next_label = QLabel()
        self.next_label.setStyleSheet(f"color:{theme.TEXT_DIM};")
        self.end_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.status_label, 0, 0)
        grid.addWidget(self.offset_label, 0, 1)
        grid.addWidget(self.next_label, 1, 0)
        grid.addWidget(self.end_label, 1, 1)
        lay.addLayout(grid)

        self.cadence_label = QLabel()
        lay.addWidget(self.cadence_label)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        lay.addWidget(self.message_label)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([tr("Cue"), tr("Title"), tr("Kind"), tr("Planned"), tr("Start")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c in (0, 2, 3, 4):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setToolTip(tr("Go to this cue"))
        self.table.cellDoubleClicked.connect(lambda row, _c: self._act(self.runner.goto, row))
        lay.addWidget(self.table, 1)

        self.buttons: dict[str, QPushButton] = {}
        rows = [[("toggle", tr("Start / pause"), "Space", self._toggle), ("back", tr("Back"), "B", self._back),
                 ("next", tr("Next"), "N", self._next)],
                [("minus", tr("-1 min"), "-", lambda: self._act(self.runner.add_time, -60)),
                 ("plus", tr("+1 min"), "+", lambda: self._act(self.runner.add_time, 60)),
                 ("message", tr("Message"), "M", self.ask_message)],
                [("clear", tr("Clear message"), "Shift+M", lambda: self._act(self.runner.clear_message)),
                 ("cue", tr("Cue screen…"), "C", self.open_cue_screen),
                 ("import", tr("Import…"), "", self.import_file), ("export", tr("Export…"), "", self.export_file)]]
        for row in rows:
            h = QHBoxLayout()
            for key, text, shortcut, fn in row:
                b = QPushButton(f"{text}  [{shortcut}]" if shortcut else text)
                b.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # Space must reach the shortcut, not a focused button
                b.clicked.connect(fn)
                h.addWidget(b)
                self.buttons[key] = b
                if shortcut:
                    seqs = [shortcut] + (["="] if key == "plus" else [])
                    for seq in seqs:
                        sc = QShortcut(QKeySequence(seq), self)
                        sc.setContext(Qt.ShortcutContext.WindowShortcut)
                        sc.activated.connect(fn)
            lay.addLayout(h)

        if self.runner is None:
            self.now_label.setText(tr("No rundown loaded"))
            for b in self.buttons.values():
                b.setEnabled(False)
            return
        api = getattr(self.room, "control_api", None)
        if api is not None:
            self.api_label = QLabel(f"{tr('Control API')}: {api.url}")
            self.api_label.setStyleSheet(f"color:{theme.TEXT_DIM};")
            self.api_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lay.addWidget(self.api_label)
        if self.room.load_error:
            self.message_label.setText(f"<span style='color:{theme.ON_AIR}'>{tr('Rundown import failed')}: "
                                       f"{self.room.load_error}</span>")
        bridge.event.connect(self._on_event)
        self.update_state(self.runner.snapshot())

    # ---- actions ---------------------------------------------------------------------------------
    def _act(self, fn, *args) -> None:
        if self.runner is None:
            return
        try:
            fn(*args, actor="operator")
        except Exception as e:
            QMessageBox.warning(self, tr("Run of show"), str(e))
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
        win = self.window()
        if win is not self and hasattr(win, "open_cue_screen"):
            win.open_cue_screen()
            return
        from ui.cue_screen import CueScreen
        if self._own_cue_screen is None:
            self._own_cue_screen = CueScreen(self.rt, self.bridge)
        self._own_cue_screen.show_on_screen(-1)

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Import…"), str(self.room.show_dir),
                                              "Rundown (*.csv *.xlsx)")
        if not path:
            return
        try:
            rundown = self.room.import_file(path)
        except RundownImportError as e:
            QMessageBox.critical(self, tr("Rundown import failed"), str(e))
            return
        if rundown.warnings:
            QMessageBox.warning(self, tr("Rundown imported with warnings"), "\n".join(str(w) for w in rundown.warnings))

    def export_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export…"), str(self.rt.data_dir / "rundown.xlsx"),
                                              "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            self.room.export_file(path)

    # ---- state -----------------------------------------------------------------------------------
    def _on_event(self, topic: str, payload) -> None:
        if topic == "rundown.state" and isinstance(payload, dict):
            self.update_state(payload)

    def update_state(self, s: dict) -> None:
        seg, nxt = s.get("segment"), s.get("next")
        zh = i18n.current() == "zh_CN"
        if seg:
            kind = KIND_LABELS_ZH.get(seg["kind"], seg["kind"]) if zh else seg["kind"]
            self.now_label.setText(f"{tr('Now')}: {seg['cue']} · {seg['title']} ({kind})")
        phase = s.get("phase", "idle")
        colour = PHASE_COLOURS.get(phase, theme.TEXT)
        self.timer_label.setText(format_countdown(s.get("remaining_s", 0)) if seg else "--:--")
        self.timer_label.setStyleSheet(f"color:{colour};")
        status = s.get("status", "idle")
        self.status_label.setText(f"{tr('Status')}: <b style='color:{theme.colour_for('ON_AIR' if status == 'running' else 'IDLE')}'>"
                                  f"{tr(status)}</b>  {tr(phase.upper()) if phase == 'overtime' else ''}")
        off = s.get("offset_s", 0.0)
        if abs(off) < 1:
            word, col = tr("on time"), theme.HEALTHY
        else:
            word = (tr("behind") if off > 0 else tr("ahead"))
            col = theme.ON_AIR if off > 120 else theme.WARNING if off > 0 else theme.HEALTHY
            word = f"{'+' if off > 0 else '-'}{format_duration(int(abs(off)))} {word}"
        self.offset_label.setText(f"<b style='color:{col}'>{word}</b>")
        proj_end = _local(s.get("projected_end_utc"))
        planned_end = _local(s.get("planned_end_utc"))
        end_col = theme.ON_AIR if s.get("projected_end_offset_s", 0) > 60 else theme.TEXT
        self.end_label.setText(f"<span style='color:{end_col}'>{tr('Projected end {t}', t=proj_end)}</span> "
                               f"<span style='color:{theme.TEXT_DIM}'>({tr('planned {t}', t=planned_end)})</span>")
        self.next_label.setText(f"{tr('NEXT')}: {nxt['cue']} {nxt['title']} {format_duration(nxt['planned_s'])}"
                                if nxt else "")
        cad = s.get("cadence") or []
        if cad:
            self.cadence_label.setText("<br>".join(f"<span style='color:{theme.WARNING}'>⚠ {_cadence_text(c)}</span>"
                                                   for c in cad))
            self.cadence_label.setMinimumHeight(len(cad) * (self.cadence_label.fontMetrics().lineSpacing() + 5) + 4)
        else:
            self.cadence_label.setText(f"<span style='color:{theme.HEALTHY}'>✓ {tr('Cadence OK')}</span>")
            self.cadence_label.setMinimumHeight(0)
        msg = s.get("message")
        if msg and not (self.room and self.room.load_error):
            self.message_label.setText(f"<span style='color:{theme.ACCENT}'>✉ [{tr(msg['style'])}] {msg['text']}</span>")
        elif not (self.room and self.room.load_error):
            self.message_label.setText("")
        self._update_table(s)

    def _update_table(self, s: dict) -> None:
        starts = s.get("starts") or []
        key = (tuple(x["cue"] for x in s.get("segments", [])), s.get("index"), s.get("status"),
               tuple(None if t is None else int(t // 60) for t in starts))
        if key == self._table_key:
            return
        self._table_key = key
        segs = s.get("segments", [])
        zh = i18n.current() == "zh_CN"
        self.table.setRowCount(len(segs))
        idx = s.get("index", 0)
        running = s.get("status") in ("running", "paused")
        for r, seg in enumerate(segs):
            marks = (" ◆" if seg.get("price_anchor") else "") + (" ★" if seg.get("interaction") else "")
            kind = KIND_LABELS_ZH.get(seg["kind"], seg["kind"]) if zh else seg["kind"]
            start = starts[r] if r < len(starts) else None
            cells = [seg["cue"], seg["title"] + marks, kind, format_duration(seg["planned_s"]),
                     _local(s.get("show_start_utc"), start) if start is not None else "—"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (0, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
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
        self.table.scrollToItem(self.table.item(idx, 0)) if segs else None


def create_panel(rt, bridge, parent=None) -> QWidget:
    return RundownPanel(rt, bridge, parent)
