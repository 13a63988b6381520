"""The console panel: product table, action bar with shortcuts, tickets for risky actions.

State lives in the ConsoleService; this widget only shows it and sends actions. Platform calls run
on the service's worker; results come back as bus events through the bridge.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from controlroom.commerce import commands as cmds
from controlroom.commerce.money import MoneyError, format_yuan, parse_money
from controlroom.commerce.service import ConfirmationRequired, ConsoleError, OverrideRefused, VerdictChanged
from controlroom.platform import CouponSpec
from ui import theme
from ui.console_ticket import TicketDialog
from ui.i18n import tr

COLUMNS = ("SKU", "Title", "List", "Live", "Net after coupons", "Stock", "Listed", "Offer")


def _fmt_countdown(s: float | None, paused: bool) -> str:
    if s is None:
        return ""
    m, sec = divmod(int(s + 0.999), 60)
    return f"{m:02d}:{sec:02d}" + (" ⏸" if paused else "")


class ConsolePanel(QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt, self.bridge = rt, bridge
        self.svc = rt.console
        self.setObjectName("consolePanel")
        lay = QVBoxLayout(self)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(True)
        hh.setSectionResizeMode(1, hh.ResizeMode.Stretch)
        for c in (2, 3, 4, 5, 6):
            hh.setSectionResizeMode(c, hh.ResizeMode.ResizeToContents)
        lay.addWidget(self.table)
        bar = QHBoxLayout()
        self.buttons = {}
        for key, label, fn in (("L", "List/Unlist", self.toggle_listing), ("P", "Price", self.change_price),
                               ("O", "Offer", self.offer), ("C", "Coupon", self.coupon),
                               ("E", "Explain/Pin", self.pin), ("S", "Stock", self.stock),
                               ("Ctrl+Z", "Revert price", self.revert)):
            b = QPushButton(f"{tr(label)} [{key}]")
            b.clicked.connect(fn)
            bar.addWidget(b)
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)
            self.buttons[key] = b
        lay.addLayout(bar)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.last_ticket = None
        bridge.event.connect(self._on_event)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(250)
        self.refresh()

    # ---- view ------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.svc is None:
            self.status.setText(tr("Console room not available"))
            return
        snap = self.svc.snapshot()
        products = snap.products
        sel = self.selected_sku()
        self.table.setRowCount(len(products))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        mono = self.font()
        mono.setFamilies(["JetBrains Mono", "DejaVu Sans Mono", "Noto Sans Mono CJK SC"])
        for r, p in enumerate(products):
            listed = tr("LOCKED") if p.locked else (tr("Listed") if p.listed else tr("Unlisted"))
            if p.uncertain and not p.locked:
                listed = tr("LOCKED")
            cells = (p.sku, p.title, format_yuan(p.list_price), format_yuan(p.offer_price or p.price),
                     format_yuan(p.net_price) if p.net_price is not None else "—", str(p.displayed_stock
                     if p.displayed_stock is not None else p.stock), listed,
                     _fmt_countdown(p.offer_remaining_s, p.offer_paused))
            if not snap.journal_ok:
                self.status.setText(tr("Journal cannot be written: nothing is sent until it can. ") + snap.journal_fault)
                self.status.setStyleSheet(f"color:{theme.ON_AIR};")
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                fresh = item is None
                if fresh:
                    item = QTableWidgetItem()
                item.setText(text)
                item.setData(Qt.ItemDataRole.UserRole, p.sku)
                if c in (2, 3, 4, 5):
                    item.setTextAlignment(right)
                    item.setFont(mono)
                if c == 6:
                    item.setForeground(QColor(theme.ON_AIR if p.locked else theme.HEALTHY if p.listed else theme.IDLE))
                if c == 7 and p.offer_remaining_s is not None:
                    item.setForeground(QColor(theme.WARNING if p.offer_paused else theme.ON_AIR))
                if fresh:  # re-setting an item the table already owns makes Qt complain on every refresh
                    self.table.setItem(r, c, item)
        if sel:
            for r, p in enumerate(products):
                if p.sku == sel:
                    self.table.selectRow(r)
        elif products and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def selected_sku(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _on_event(self, topic: str, payload) -> None:
        if topic == "console.state":
            self.refresh()
        elif topic.startswith("journal.console.") or topic.startswith("journal.interlock."):
            data = getattr(payload, "payload", {}) or {}
            kind = topic[len("journal."):]
            words = data.get("words") or data.get("error") or data.get("what") or ""
            self.status.setText(f"{kind}: {words}")
            colour = theme.ON_AIR if ("failed" in kind or "mismatch" in kind or "locked" in kind or
                                      data.get("verdict") == "block") else theme.TEXT
            self.status.setStyleSheet(f"color:{colour};")

    # ---- actions ---------------------------------------------------------------------------
    def _run(self, ticket) -> None:
        """Show the ticket where the verdict needs a person; submit to the lane (never wait here).
        Submitting judges it again: a verdict that got worse meanwhile is shown again (a block stays a block)."""
        self.last_ticket = ticket
        while ticket.future is None:
            if ticket.verdict.verdict == "allow":
                try:
                    self.svc.submit(ticket)
                except VerdictChanged:
                    continue          # worse now: show it
                except ConsoleError as e:
                    self._refused(e)
                return
            dlg = TicketDialog(ticket, self)
            self.last_dialog = dlg
            if dlg.exec() != TicketDialog.DialogCode.Accepted:
                self.svc.cancel(ticket)
                return
            try:
                if ticket.verdict.verdict == "confirm":
                    self.svc.submit(ticket, confirmed=True)
                else:
                    self.svc.submit(ticket, override=dlg.override())
            except VerdictChanged:
                continue              # the state moved while the ticket was open: show the new verdict
            except (OverrideRefused, ConfirmationRequired, ConsoleError) as e:
                self._refused(e)
                return

    def _refused(self, e: Exception) -> None:
        self.status.setText(tr("Refused: ") + str(e))
        self.status.setStyleSheet(f"color:{theme.ON_AIR};")

    def _ask_money(self, title: str, label: str, default: int | None = None) -> int | None:
        text, ok = QInputDialog.getText(self, title, label, text=format_yuan(default)[1:] if default else "")
        if not ok:
            return None
        try:
            return parse_money(text, label)
        except MoneyError as e:
            QMessageBox.warning(self, title, str(e))
            return None

    def _sku(self) -> str | None:
        sku = self.selected_sku()
        if sku is None:
            self.status.setText(tr("Select a product first"))
        return sku

    def toggle_listing(self):
        if sku := self._sku():
            p = self.svc.product(sku)
            self._run(self.svc.request(cmds.UnlistProduct(sku) if p and p.listed else cmds.ListProduct(sku)))

    def change_price(self):
        if (sku := self._sku()) and (fen := self._ask_money(tr("Change price 改价"), tr("New live price (元)"),
                                                            self.svc.product(sku).price)) is not None:
            self._run(self.svc.request(cmds.SetPrice(sku, fen)))

    def offer(self):
        sku = self._sku()
        if not sku:
            return
        if self.svc.product(sku).offer_price is not None:
            self._run(self.svc.request(cmds.StopOffer(sku)))
            return
        fen = self._ask_money(tr("Countdown offer 秒杀"), tr("Flash price (元)"))
        if fen is None:
            return
        minutes, ok = QInputDialog.getDouble(self, tr("Countdown offer 秒杀"), tr("Minutes"), 3.0, 0.1, 600, 1)
        if ok:
            self._run(self.svc.request(cmds.StartOffer(sku, fen, minutes * 60)))

    def coupon(self):
        sku = self.selected_sku()
        thr = self._ask_money(tr("Issue coupon 发券"), tr("Minimum spend (元)"))
        if thr is None:
            return
        amt = self._ask_money(tr("Issue coupon 发券"), tr("Amount off (元)"))
        if amt is None:
            return
        qty, ok = QInputDialog.getInt(self, tr("Issue coupon 发券"), tr("Total quantity (0 = unlimited)"), 100, 0)
        if ok:
            spec = CouponSpec(sku, thr, amt, qty or None)
            self._run(self.svc.request(cmds.IssueCoupon(spec)))

    def pin(self):
        if sku := self._sku():
            self._run(self.svc.request(cmds.PinProduct(sku)))

    def stock(self):
        if sku := self._sku():
            n, ok = QInputDialog.getInt(self, tr("Displayed stock 仅剩 N 件"), tr("Show as left"),
                                        self.svc.product(sku).stock, 0)
            if ok:
                self._run(self.svc.request(cmds.SetDisplayedStock(sku, n)))

    def revert(self):
        cmd = self.svc.revert_command() if self.svc else None
        if cmd is None:
            self.status.setText(tr("No price change to revert"))
            return
        self._run(self.svc.request(cmd))


def create_panel(rt, bridge, parent=None) -> QWidget:
    return ConsolePanel(rt, bridge, parent)
