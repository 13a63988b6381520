"""The order ticket: before a risky action it shows the resulting state (net price, % off list,
margin left) and the rule in words. Blocked tickets are red and offer only the override path
(supervisor name, PIN, typed reason). Esc cancels; Enter confirms only where confirming is allowed."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout)

from controlroom.commerce.money import format_yuan
from ui import theme
from ui.i18n import tr


class TicketDialog(QDialog):
    def __init__(self, ticket, parent=None):
        super().__init__(parent)
        self.ticket = ticket
        v = ticket.verdict
        self.setWindowTitle(tr("Confirm action"))
        self.setModal(True)
        lay = QVBoxLayout(self)
        colour = theme.colour_for(v.verdict)
        word = {"allow": tr("ALLOWED"), "confirm": tr("CONFIRM"), "block": tr("BLOCKED")}[v.verdict]
        head = QLabel(f"{word} — {ticket.action.describe()}")
        head.setObjectName("ticketHead")
        head.setStyleSheet(f"color:{colour}; font-size:16pt; font-weight:bold;")
        lay.addWidget(head)
        form = QFormLayout()
        mono = f"font-family:{theme.MONO}; font-size:13pt;"
        net = QLabel(format_yuan(v.net_price) if v.net_price is not None else "—")
        net.setStyleSheet(mono)
        form.addRow(tr("Net price after every discount"), net)
        off = QLabel(f"{v.pct_off:.1f} %" if v.pct_off is not None else "—")
        off.setStyleSheet(mono)
        form.addRow(tr("Off list price"), off)
        margin = QLabel(format_yuan(v.margin) if v.margin is not None else "—")
        margin.setStyleSheet(mono + (f"color:{theme.ON_AIR};" if (v.margin or 0) < 0 else ""))
        form.addRow(tr("Margin left over floor"), margin)
        lay.addLayout(form)
        # one line per tripped rule, its id beside the words: the operator reads what tripped and by how much
        lines = [f"• <b>{html.escape(f.rule)}</b> — {html.escape(f.message)}" for f in v.findings] or [html.escape(v.words)]
        self.reason_label = QLabel("<br>".join(lines))
        self.reason_label.setTextFormat(Qt.TextFormat.RichText)
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet(f"color:{colour};")
        lay.addWidget(self.reason_label)
        self.supervisor = self.pin = self.reason = None
        buttons = QDialogButtonBox()
        self.buttons = buttons
        self.error = QLabel("")
        self.error.setStyleSheet(f"color:{theme.ON_AIR};")
        if v.verdict == "block" and ticket.overridable:
            lay.addWidget(QLabel(tr("Supervisor override: name, PIN and a reason (journaled)")))
            of = QFormLayout()
            self.supervisor = QLineEdit()
            self.pin = QLineEdit()
            self.pin.setEchoMode(QLineEdit.EchoMode.Password)
            self.reason = QLineEdit()
            of.addRow(tr("Supervisor"), self.supervisor)
            of.addRow(tr("PIN"), self.pin)
            of.addRow(tr("Reason"), self.reason)
            lay.addLayout(of)
            self.ok = buttons.addButton(tr("Override"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok.setDefault(False)
            self.ok.setAutoDefault(False)
        elif v.verdict == "block":
            self.ok = None
        else:
            self.ok = buttons.addButton(tr("Confirm (Enter)"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok.setDefault(True)
        cancel = buttons.addButton(tr("Cancel (Esc)"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

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
