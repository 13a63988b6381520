"""Set or change the supervisor's override PIN. Only its salted hash is stored (settings [supervisor] pin_hash);
changing an existing PIN needs the current one. The change is journaled, never the PIN. It takes effect at
once: the console reads the hash at every override, so the old PIN stops working the moment this is saved."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from controlroom.commerce.supervisor import (MIN_PIN_LENGTH, SupervisorSettings, check_new_pin, set_supervisor_pin,
                                             verify_pin)
from ui import theme


MIN_LEN = MIN_PIN_LENGTH


class PinDialog(QDialog):
    def __init__(self, rt, parent=None):
        super().__init__(parent)
        self.rt = rt
        self.setWindowTitle(self.tr("Supervisor PIN"))
        self.stored = rt.settings.section("supervisor", SupervisorSettings).pin_hash
        form = QFormLayout(self)
        self.current = self._pw() if self.stored else None
        if self.current is not None:
            form.addRow(self.tr("Current PIN"), self.current)
        self.new1, self.new2 = self._pw(), self._pw()
        form.addRow(self.tr("New PIN"), self.new1)
        form.addRow(self.tr("New PIN again"), self.new2)
        self.error = QLabel()
        self.error.setStyleSheet(f"color:{theme.ON_AIR}; font-weight:600;")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @staticmethod
    def _pw() -> QLineEdit:
        e = QLineEdit()
        e.setEchoMode(QLineEdit.EchoMode.Password)
        return e

    def validate(self) -> str | None:
        if self.current is not None and not verify_pin(self.stored, self.current.text()):
            return self.tr("The current PIN is wrong.")
        pin = self.new1.text()
        if len(pin) < MIN_LEN or not pin.isdigit() or check_new_pin(pin):
            return self.tr("The PIN must be at least {n} digits.").format(n=MIN_LEN)
        if pin != self.new2.text():
            return self.tr("The two new PINs differ.")
        return None

    def try_accept(self) -> None:
        err = self.validate()
        if err:
            self.error.setText(err)
            return
        set_supervisor_pin(self.rt.settings, self.new1.text())
        if self.rt.session_id is not None:
            self.rt.journal.append(self.rt.session_id, "console.supervisor_pin_changed", "supervisor",
                                   {"first_time": self.current is None})
        self.accept()
