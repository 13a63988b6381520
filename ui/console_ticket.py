"""The order ticket: before a risky action it names the product and shows the resulting state (net price,
% off list, margin left, the step from the price now), and each tripped rule in words with the number that
tripped it. Blocked tickets are red and offer only the override path (supervisor name, PIN, typed reason).
Esc cancels; Enter confirms only where confirming is allowed."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from ui import theme
from ui.console_dialogs import change_words
from ui.i18n import Retranslating
from ui.words import COMMAND_KINDS as KINDS
from ui.words import VERDICTS, action_from, finding_words, off_list_words, word_for, yuan

MONO = f"font-family:{theme.MONO}; font-size:13pt;"


class TicketDialog(Retranslating, QDialog):
    def __init__(self, ticket, parent=None, product=None, settings=None):
        super().__init__(parent)
        self.ticket = ticket
        self.product = product          # the console's view of the SKU before the action (may be None)
        self.settings = settings
        v = ticket.verdict
        self.setModal(True)
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        colour = theme.colour_for(v.verdict)
        self.head = QLabel()
        self.head.setObjectName("ticketHead")
        self.head.setWordWrap(True)
        self.head.setStyleSheet(f"color:{colour}; font-size:16pt; font-weight:bold;")
        lay.addWidget(self.head)
        self.form = QFormLayout()
        self.values = {}
        for key in ("now", "change", "net", "off", "margin"):
            lab = QLabel()
            lab.setStyleSheet(MONO)
            self.values[key] = lab
            self.form.addRow(QLabel(), lab)
        lay.addLayout(self.form)
        self.reason_label = QLabel()
        self.reason_label.setTextFormat(Qt.TextFormat.RichText)
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet(f"color:{colour};")
        lay.addWidget(self.reason_label)
        self.supervisor = self.pin = self.reason = None
        self.buttons = QDialogButtonBox()
        self.error = QLabel("")
        self.error.setStyleSheet(f"color:{theme.ON_AIR};")
        self.override_label = None
        if v.verdict == "block" and ticket.overridable:
            self.override_label = QLabel()
            lay.addWidget(self.override_label)
            self.of = QFormLayout()
            self.supervisor = QLineEdit()
            self.pin = QLineEdit()
            self.pin.setEchoMode(QLineEdit.EchoMode.Password)
            self.reason = QLineEdit()
            for w in (self.supervisor, self.pin, self.reason):
                self.of.addRow(QLabel(), w)
            lay.addLayout(self.of)
            self.ok = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok.setDefault(False)
            self.ok.setAutoDefault(False)
        elif v.verdict == "block":
            self.ok = None
        else:
            self.ok = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok.setDefault(True)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.retranslate()

    def _title_of(self, sku: str) -> str:
        return self.product.title if self.product is not None and self.product.sku == sku else ""

    def retranslate(self) -> None:
        t, v, p = self.ticket, self.ticket.verdict, self.product
        self.setWindowTitle(self.tr("Confirm action"))
        before = (p.offer_price if p.offer_price is not None else p.price) if p is not None else None
        kind = KINDS.get(t.action.kind, t.action.kind)
        what = action_from(t.action, self._title_of, before if kind in ("price", "revert") else None)
        self.head.setText(f"{word_for(VERDICTS, v.verdict)} — {what}")
        names = {"now": self.tr("Live / net now"), "change": self.tr("Change"),
                 "net": self.tr("Net price after every discount"), "off": self.tr("Off list price"),
                 "margin": self.tr("Margin left over the floor")}
        for i, key in enumerate(("now", "change", "net", "off", "margin")):
            self.form.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().setText(names[key])
        self.values["now"].setText(f"{yuan(before)} / {yuan(p.net_price)}" if p is not None else "—")
        new_price = getattr(t.action, "price", None) if kind in ("price", "revert", "offer_start") else None
        change = change_words(before, new_price) if new_price is not None else ("—", theme.TEXT)
        self.values["change"].setText(change[0])
        self.values["change"].setStyleSheet(MONO + f"color:{change[1]};")
        self.values["net"].setText(yuan(v.net_price))
        off, markup = off_list_words(v.pct_off)
        self.values["off"].setText(off)
        self.values["off"].setStyleSheet(MONO + (f"color:{theme.ON_AIR};" if markup else ""))
        self.values["margin"].setText(yuan(v.margin) if v.margin is not None else "—")
        self.values["margin"].setStyleSheet(MONO + (f"color:{theme.ON_AIR};" if (v.margin or 0) < 0 else ""))
        # one line per tripped rule with the numbers that tripped it; the rule id stays in the tooltip
        lines = [f"• {html.escape(finding_words(f.rule, f.values, self.settings))}" for f in v.findings]
        self.reason_label.setText("<br>".join(lines) or html.escape(self.tr("No interlock trips.")))
        self.reason_label.setToolTip(", ".join(v.rules))
        if self.override_label is not None:
            self.override_label.setText(self.tr("Supervisor override: name, PIN and a reason (journaled)"))
            for i, text in enumerate((self.tr("Supervisor"), self.tr("PIN"), self.tr("Reason"))):
                self.of.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().setText(text)
            self.ok.setText(self.tr("Override"))
        elif self.ok is not None:
            self.ok.setText(self.tr("Confirm (Enter)"))
        self.cancel_button.setText(self.tr("Cancel (Esc)"))

    def keyPressEvent(self, e):  # Enter confirms only where a confirmation is allowed
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (self.ok is None or self.pin is not None):
            e.ignore()
            return
        super().keyPressEvent(e)

    def override(self):
        from controlroom.commerce.service import Override
        if self.pin is None:
            return None
        return Override(self.supervisor.text().strip(), self.pin.text(), self.reason.text().strip())
