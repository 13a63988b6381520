"""F9 "fail over now" and F10 "return to primary": one QAction each for the whole application.

The status strip shows them always (whatever dock is hidden or tabbed away) and the stream panel's big
buttons trigger the same actions, so each key is bound exactly once. ApplicationShortcut: the keys work
while the host's cue screen has the focus too. Each asks first, saying what will happen.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.words import METHODS, word_for


class StreamActions(QObject):
    def __init__(self, rt, window: QWidget, keys: bool = True):
        """keys=False: the same confirmations without binding F9/F10 (a stream panel shown on its own)."""
        super().__init__(window)
        self.rt, self.window = rt, window
        self.fail_over = QAction(window)
        self.fail_over.setObjectName("actFailOver")
        self.fail_over.setShortcut(QKeySequence("F9"))
        self.fail_over.triggered.connect(self.ask_fail_over)
        self.return_ = QAction(window)
        self.return_.setObjectName("actReturn")
        self.return_.setShortcut(QKeySequence("F10"))
        self.return_.triggered.connect(self.ask_return)
        for act in (self.fail_over, self.return_):
            if not keys:
                act.setShortcut(QKeySequence())
                continue
            act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            window.addAction(act)
        self.retranslate()
        self.update_from(self.snapshot())

    def retranslate(self) -> None:
        self.fail_over.setText(self.tr("F9 Fail over"))
        self.fail_over.setToolTip(self.tr("Switch the live stream to the backup now (F9)"))
        self.return_.setText(self.tr("F10 Return"))
        self.return_.setToolTip(self.tr("Put the primary stream back on air (F10)"))

    def snapshot(self) -> dict:
        room = self.rt.stream
        return room.state() if room is not None else {"configured": False, "state": "NOT_CONFIGURED"}

    def update_from(self, snap: dict) -> None:
        configured = bool(snap.get("configured"))
        switching = bool(snap.get("switching"))
        self.fail_over.setEnabled(configured and not snap.get("on_backup") and not switching)
        self.return_.setEnabled(configured and bool(snap.get("on_backup")) and not switching)

    def _confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.window)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.last_box = box
        return box.exec() == QMessageBox.StandardButton.Yes

    def ask_fail_over(self) -> None:
        snap = self.snapshot()
        if not snap.get("configured"):
            return
        if self._confirm(self.tr("Fail over now"),
                         self.tr("Switch the live stream to the backup now ({method})? Offers pause and the host "
                                 "sees ON BACKUP.").format(method=word_for(METHODS, snap.get("method")))):
            self.rt.stream.fail_over_now("operator", "F9 pressed")

    def ask_return(self) -> None:
        snap = self.snapshot()
        if not snap.get("configured") or not snap.get("on_backup"):
            return
        if self._confirm(self.tr("Return to primary"),
                         self.tr("Put the primary back on air now? Check that its picture and ingest are healthy "
                                 "first.")):
            self.rt.stream.return_to_primary("operator", "F10 pressed")
