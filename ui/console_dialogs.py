"""The console's input dialogs: change price, flash offer, coupon, shown stock.

Each names the product and shows where it stands now (list, live and net price, stock) and, as the
operator types, what the change does: the step in 元 and in % with its sign (a markup reads "+x %" and is
flagged), the net price a viewer would pay after every discount, the % off list, the margin left over the
floor, and which interlocks would trip — judged by the console's own engine (ConsoleService.evaluate),
the same judgement the ticket will make. Nothing is sent from here: OK hands the numbers back.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from controlroom.commerce.money import MoneyError, format_money, parse_money
from controlroom.commerce import commands as cmds
from controlroom.platform import CouponSpec
from ui import theme
from ui.i18n import Retranslating, translate
from ui.words import VERDICTS, finding_words, off_list_words, pct, word_for, yuan

MONO = f"font-family:{theme.MONO}; font-size:13pt;"


def change_words(old: int | None, new: int | None) -> tuple[str, str]:
    """("-¥10.00 (-14.5 %)", colour) — the step from old to new with its sign; a markup is flagged."""
    if old is None or new is None:
        return "—", theme.TEXT
    diff = new - old
    p = 100.0 * diff / old if old else None
    text = ("+" if diff > 0 else "-" if diff < 0 else "±") + yuan(abs(diff)) + \
        (f" ({pct(p, signed=True)})" if p is not None else "")
    if diff > 0:
        return text + "  ⚠ " + translate("ConsoleDialogs", "markup: the price goes UP"), theme.WARNING
    return text, theme.TEXT


class ProductHeader(QLabel):  # noqa: D101
    """The product and where it stands now."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)

    def show_product(self, p) -> None:
        if p is None:
            self.setText("<b>" + html.escape(translate("ConsoleDialogs", "Whole shop")) + "</b>")
            return
        live = p.offer_price if p.offer_price is not None else p.price
        stock = p.displayed_stock if p.displayed_stock is not None else p.stock
        dim = f"<span style='color:{theme.TEXT_DIM}'>%s</span>"
        names = [html.escape(translate("ConsoleDialogs", "List")), html.escape(translate("ConsoleDialogs", "Live now")),
                 html.escape(translate("ConsoleDialogs", "Net now")), html.escape(translate("ConsoleDialogs", "Stock"))]
        self.setText(
            f"<span style='font-size:15pt; font-weight:700'>{html.escape(p.sku)} {html.escape(p.title)}</span><br>"
            f"{dim % names[0]} <span style='{MONO}'><s>{yuan(p.list_price)}</s></span> &nbsp; "
            f"{dim % names[1]} <span style='{MONO}; font-weight:700'>{yuan(live)}</span> &nbsp; "
            f"{dim % names[2]} <span style='{MONO}'>{yuan(p.net_price)}</span> &nbsp; "
            f"{dim % names[3]} <span style='{MONO}'>{stock}</span>")


class _Preview(QWidget):
    """What the change does: step, net after, % off list, margin left, the verdict in words."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 6, 0, 0)
        self.labels = {}
        for key in ("change", "net", "off", "margin"):
            lab = QLabel("—")
            lab.setStyleSheet(MONO)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.labels[key] = lab
            self.form.addRow(QLabel(), lab)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.form.addRow(self.verdict)

    def retranslate(self, with_change: bool = True) -> None:
        names = {"change": translate("ConsoleDialogs", "Change"), "net": translate("ConsoleDialogs", "Net price after every discount"), "off": translate("ConsoleDialogs", "Off list price"),
                 "margin": translate("ConsoleDialogs", "Margin left over the floor")}
        for i, key in enumerate(("change", "net", "off", "margin")):
            self.form.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().setText(names[key])
        self.form.setRowVisible(0, with_change)

    def show_verdict(self, verdict, change: tuple[str, str] | None, settings=None) -> None:
        if change is not None:
            self.labels["change"].setText(change[0])
            self.labels["change"].setStyleSheet(MONO + f"color:{change[1]};")
        if verdict is None:
            for key in ("net", "off", "margin"):
                self.labels[key].setText("—")
            self.verdict.setText("")
            return
        self.labels["net"].setText(yuan(verdict.net_price))
        off, markup = off_list_words(verdict.pct_off)
        self.labels["off"].setText(off)
        self.labels["off"].setStyleSheet(MONO + (f"color:{theme.ON_AIR};" if markup else ""))
        margin = verdict.margin
        self.labels["margin"].setText(yuan(margin) if margin is not None else "—")
        self.labels["margin"].setStyleSheet(MONO + (f"color:{theme.ON_AIR};" if (margin or 0) < 0 else ""))
        colour = theme.colour_for(verdict.verdict)
        head = word_for(VERDICTS, verdict.verdict)
        lines = [f"• {html.escape(finding_words(f.rule, f.values, settings))}" for f in verdict.findings]
        if verdict.verdict == "allow":
            body = html.escape(translate("ConsoleDialogs", "No interlock trips."))
        else:
            body = "<br>".join(lines)
        self.verdict.setText(f"<span style='color:{colour}'><b>{html.escape(head)}</b><br>{body}</span>")


class _Base(Retranslating, QDialog):
    def __init__(self, svc, sku: str | None, parent=None):
        super().__init__(parent)
        self.svc, self.sku = svc, sku
        self.product = svc.product(sku) if sku else None
        self.setModal(True)
        self.setMinimumWidth(520)
        self.lay = QVBoxLayout(self)
        self.header = ProductHeader()
        self.lay.addWidget(self.header)
        self.form = QFormLayout()
        self.lay.addLayout(self.form)
        self.preview = _Preview()
        self.lay.addWidget(self.preview)
        self.error = QLabel()
        self.error.setStyleSheet(f"color:{theme.ON_AIR};")
        self.error.setWordWrap(True)
        self.lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.lay.addWidget(self.buttons)

    def _settings(self):
        return getattr(self.svc, "settings", None)

    def fields(self) -> list[QWidget]:
        """The form's input fields, top to bottom (what the operator types into)."""
        out = []
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole) or \
                self.form.itemAt(row, QFormLayout.ItemRole.SpanningRole)
            w = item.widget() if item is not None else None
            if isinstance(w, (QLineEdit, QAbstractSpinBox, QCheckBox)) and w.isEnabled():
                out.append(w)
        return out

    def showEvent(self, e) -> None:
        # The buttons are made before the subclass's fields, so Qt would give the OK button the focus: the
        # operator's "59" after P went nowhere and Enter sent the old price. The first number field takes it
        # (a pre-filled price is selected: typing replaces it), and Tab walks the fields before the buttons.
        super().showEvent(e)
        if getattr(self, "_focused_once", False):
            return
        self._focused_once = True
        fields = self.fields()
        for a, b in zip(fields, fields[1:] + [self.buttons]):
            QWidget.setTabOrder(a, b)
        first = next((f for f in fields if not isinstance(f, QCheckBox)), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            first.selectAll()

    def judge(self, cmd):
        """The console's own verdict on `cmd` as things stand (no ticket, nothing journaled, no shop call); None
        when it cannot be judged right now. A preview: the ticket judges again when it opens and when it is sent."""
        for _ in range(2):      # the console's state may change under a read from the GUI thread: try again
            try:
                return self.svc.judge.verdict(cmd, journal_ok=self.svc.journal_ok)[0]
            except Exception:  # noqa: BLE001 - a preview never breaks the dialog
                continue
        return None

    def _money(self, edit: QLineEdit, field: str) -> int | None:
        text = edit.text().strip()
        if not text:
            return None
        try:
            return parse_money(text, field)
        except MoneyError:
            return None

    def _accept(self) -> None:
        err = self.validate()
        if err:
            self.error.setText(err)
            return
        self.accept()

    def validate(self) -> str:
        return ""


class PriceDialog(_Base):
    """Change the live price (mode "price") or start a flash offer (mode "offer")."""

    def __init__(self, svc, sku: str, mode: str = "price", parent=None):
        super().__init__(svc, sku, parent)
        self.mode = mode
        p = self.product
        self.price = QLineEdit()
        self.price.setStyleSheet(MONO)
        self.price.textChanged.connect(self.update_preview)
        self.price_label = QLabel()
        self.form.addRow(self.price_label, self.price)
        self.minutes = self.qty = None
        if mode == "offer":
            self.minutes = QDoubleSpinBox()
            self.minutes.setRange(0.1, 600)
            self.minutes.setDecimals(1)
            self.minutes.setValue(3.0)
            self.minutes.valueChanged.connect(self.update_preview)
            self.minutes_label = QLabel()
            self.form.addRow(self.minutes_label, self.minutes)
            self.qty = QSpinBox()
            self.qty.setRange(0, 10_000_000)
            self.qty.setValue(0)
            self.qty.valueChanged.connect(self.update_preview)
            self.qty_label = QLabel()
            self.form.addRow(self.qty_label, self.qty)
        elif p is not None:
            self.price.setText(format_money(p.price))
            self.price.selectAll()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(translate("ConsoleDialogs", "Change price 改价") if self.mode == "price" else translate("ConsoleDialogs", "Flash offer 秒杀"))
        self.header.show_product(self.product)
        self.price_label.setText(translate("ConsoleDialogs", "New live price (yuan)") if self.mode == "price" else translate("ConsoleDialogs", "Flash price (yuan)"))
        if self.minutes is not None:
            self.minutes_label.setText(translate("ConsoleDialogs", "Minutes"))
            self.qty_label.setText(translate("ConsoleDialogs", "Quantity (0 = stock)"))
        self.preview.retranslate()
        self.update_preview()

    def current_live(self) -> int | None:
        p = self.product
        if p is None:
            return None
        return p.offer_price if p.offer_price is not None else p.price

    def action(self) -> cmds.SetPrice | cmds.StartOffer | None:
        fen = self._money(self.price, "price")
        if fen is None:
            return None
        if self.mode == "price":
            return cmds.SetPrice(self.sku, fen)
        return cmds.StartOffer(self.sku, fen, self.minutes.value() * 60, self.qty.value() or None)

    def update_preview(self) -> None:
        action = self.action()
        fen = action.price if action else None
        change = change_words(self.current_live(), fen)
        verdict = self.judge(action) if action is not None else None
        self.preview.show_verdict(verdict, change, self._settings())
        self.error.setText("" if fen is not None or not self.price.text().strip()
                           else translate("ConsoleDialogs", "Not an amount in yuan, e.g. 59 or 59.90"))

    def validate(self) -> str:
        return "" if self.action() is not None else translate("ConsoleDialogs", "Type the price in yuan, e.g. 59 or 59.90")


class CouponDialog(_Base):
    def __init__(self, svc, sku: str | None, parent=None):
        super().__init__(svc, sku, parent)
        self.shop_wide = QCheckBox()
        self.shop_wide.setChecked(sku is None)
        self.shop_wide.setEnabled(sku is not None)
        self.shop_wide.toggled.connect(self.update_preview)
        self.form.addRow(self.shop_wide)
        self.threshold, self.amount = QLineEdit(), QLineEdit()
        for e in (self.threshold, self.amount):
            e.setStyleSheet(MONO)
            e.textChanged.connect(self.update_preview)
        self.qty = QSpinBox()
        self.qty.setRange(0, 10_000_000)
        self.qty.setValue(100)
        self.qty.valueChanged.connect(self.update_preview)
        self.labels = [QLabel(), QLabel(), QLabel()]
        self.form.addRow(self.labels[0], self.threshold)
        self.form.addRow(self.labels[1], self.amount)
        self.form.addRow(self.labels[2], self.qty)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(translate("ConsoleDialogs", "Issue coupon 发券"))
        self.header.show_product(self.product)
        self.shop_wide.setText(translate("ConsoleDialogs", "Shop-wide (every product)"))
        for lab, text in zip(self.labels, (translate("ConsoleDialogs", "Minimum spend (yuan, 0 = none)"), translate("ConsoleDialogs", "Amount off (yuan)"),
                                           translate("ConsoleDialogs", "Total quantity (0 = unlimited)"))):
            lab.setText(text)
        self.preview.retranslate(with_change=False)
        self.update_preview()

    def spec(self) -> CouponSpec | None:
        thr = self._money(self.threshold, "threshold") if self.threshold.text().strip() else 0
        amt = self._money(self.amount, "amount")
        if thr is None or amt is None:
            return None
        return CouponSpec(None if self.shop_wide.isChecked() else self.sku, thr, amt, self.qty.value() or None)

    def update_preview(self) -> None:
        spec = self.spec()
        verdict = self.judge(cmds.IssueCoupon(spec)) if spec is not None else None
        self.preview.show_verdict(verdict, None, self._settings())

    def validate(self) -> str:
        return "" if self.spec() is not None else translate("ConsoleDialogs", "Type the amounts in yuan, e.g. 199 and 20")


class StockDialog(_Base):
    def __init__(self, svc, sku: str, parent=None):
        super().__init__(svc, sku, parent)
        self.preview.hide()
        p = self.product
        self.shown = QSpinBox()
        self.shown.setRange(0, 10_000_000)
        self.shown.setValue(p.displayed_stock if p and p.displayed_stock is not None else (p.stock if p else 0))
        self.shown_label = QLabel()
        self.form.addRow(self.shown_label, self.shown)
        self.real = QLabel()
        self.form.addRow(self.real)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(translate("ConsoleDialogs", "Shown stock 仅剩 N 件"))
        self.header.show_product(self.product)
        self.shown_label.setText(translate("ConsoleDialogs", "Show as left"))
        real = self.product.stock if self.product else 0
        self.real.setText(translate("ConsoleDialogs", "Real stock at the shop: {n}. Viewers see the number above.").format(n=real))
