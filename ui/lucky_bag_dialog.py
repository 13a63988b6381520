"""Start a lucky bag 福袋: the prize, the countdown, the condition (关注 + 评论口令) and how many win. The console
judges it like any action (one bag at a time; the prize and the passphrase are checked for banned terms);
the cue screen shows its countdown; the draw is the console's, among the viewers who commented the
passphrase (and follow, where that is a condition), and is journaled."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox,
                               QVBoxLayout)

from ui.i18n import Retranslating

DEFAULT_PASSPHRASE = "福袋来啦"
DEFAULT_MINUTES = 5


class LuckyBagDialog(Retranslating, QDialog):
    def __init__(self, parent=None, *, reason: str = ""):
        super().__init__(parent)
        self.setModal(True)
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        self.why = QLabel(reason)               # e.g. the viewers-drop alert that offered it
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        self.why.setWordWrap(True)
        self.why.setVisible(bool(reason))
        lay.addWidget(self.why)
        form = QFormLayout()
        self.prize = QLineEdit()
        self.prize.setMaxLength(60)
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 60)
        self.minutes.setValue(DEFAULT_MINUTES)
        self.seconds = QSpinBox()
        self.seconds.setRange(0, 59)
        self.seconds.setSingleStep(10)
        self.passphrase = QLineEdit(DEFAULT_PASSPHRASE)
        self.passphrase.setMaxLength(20)
        self.follow = QCheckBox()
        self.follow.setChecked(True)
        self.winners = QSpinBox()
        self.winners.setRange(1, 10_000)
        self.labels = [QLabel() for _ in range(6)]
        for label, field in zip(self.labels, (self.prize, self.minutes, self.seconds, self.passphrase, self.follow,
                                              self.winners)):
            form.addRow(label, field)
        lay.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.prize.setFocus()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Start a lucky bag"))
        for label, text in zip(self.labels, (self.tr("Prize"), self.tr("Countdown: minutes"), self.tr("and seconds"),
                                             self.tr("Passphrase to comment (口令)"), self.tr("Viewers must follow (关注)"),
                                             self.tr("Winners"))):
            label.setText(text)
        self.prize.setPlaceholderText(self.tr("e.g. 丝绒口红正装一支"))

    def countdown_s(self) -> float:
        return float(self.minutes.value() * 60 + self.seconds.value())

    def values(self) -> dict:
        return {"prize": self.prize.text().strip(), "countdown_s": self.countdown_s(),
                "passphrase": self.passphrase.text().strip(), "follow_required": self.follow.isChecked(),
                "winners": self.winners.value()}
