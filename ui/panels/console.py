"""The console panel: product table, action bar with shortcuts, tickets for risky actions.

State lives in the ConsoleService; this widget only shows it and sends actions. Platform calls run on
the service's worker; results come back as bus events through the bridge.

Every column that decides a price (list, live, net, stock, on sale, offer timer) and every action stay
visible at 1366×768: the title column gives way (elided, full text in the tooltip). The product being
explained (讲解中) is marked on its row — it is what the host's cue screen shows — and the run-of-show's
current segment's products are marked 本环节, so a mismatch is visible at a glance.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QGridLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from controlroom.commerce import commands as cmds
from controlroom.commerce.service import ConfirmationRequired, ConsoleError, OverrideRefused, VerdictChanged
from ui import event_words, theme
from ui.console_dialogs import CouponDialog, PriceDialog, StockDialog
from ui.console_ticket import TicketDialog
from ui.feed import tone_colour
from ui.i18n import Retranslating, translate
from ui.words import yuan

# (key, header) in order; the header is short so the numbers get the room
COLUMNS = (("now", QT_TRANSLATE_NOOP("ConsolePanel", "Now")), ("sku", QT_TRANSLATE_NOOP("ConsolePanel", "SKU")),
           ("title", QT_TRANSLATE_NOOP("ConsolePanel", "Product")), ("list", QT_TRANSLATE_NOOP("ConsolePanel", "List")),
           ("live", QT_TRANSLATE_NOOP("ConsolePanel", "Live")), ("net", QT_TRANSLATE_NOOP("ConsolePanel", "Net")),
           ("stock", QT_TRANSLATE_NOOP("ConsolePanel", "Stock")),
           ("listed", QT_TRANSLATE_NOOP("ConsolePanel", "Status")),
           ("offer", QT_TRANSLATE_NOOP("ConsolePanel", "Offer")))
COL = {key: i for i, (key, _) in enumerate(COLUMNS)}
NUMERIC = ("list", "live", "net", "stock", "offer")

# (id, label, key); shown on the buttons, bound once each (window-wide, so they work wherever the focus is)
ACTIONS = (("listing", QT_TRANSLATE_NOOP("ConsolePanel", "List/unlist"), "L"),
           ("price", QT_TRANSLATE_NOOP("ConsolePanel", "Price"), "P"),
           ("offer", QT_TRANSLATE_NOOP("ConsolePanel", "Flash offer"), "O"),
           ("coupon", QT_TRANSLATE_NOOP("ConsolePanel", "Coupon"), "C"),
           ("pin", QT_TRANSLATE_NOOP("ConsolePanel", "Explain"), "E"),
           ("stock", QT_TRANSLATE_NOOP("ConsolePanel", "Shown stock"), "S"),
           ("revert", QT_TRANSLATE_NOOP("ConsolePanel", "Undo price"), "Ctrl+Z"),
           ("unlock", QT_TRANSLATE_NOOP("ConsolePanel", "Unlock"), "Ctrl+U"))


class ElidedLabel(QLabel):
    """One line that gives way to the window (cut with … at its width; the whole line in the tooltip): a long
    outcome must never widen the console past the screen."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._elide()

    def _elide(self) -> None:
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 40)))


def _fmt_countdown(s: float | None) -> str:
    if s is None:
        return ""
    m, sec = divmod(int(s + 0.999), 60)
    return f"{m:02d}:{sec:02d}"


class ConsolePanel(Retranslating, QWidget):
    def __init__(self, rt, bridge, parent=None):
        super().__init__(parent)
        self.rt, self.bridge = rt, bridge
        self.svc = rt.console
        self.setObjectName("consolePanel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        hh = self.table.horizontalHeader()
        hh.setMinimumSectionSize(24)
        for key, _ in COLUMNS:
            hh.setSectionResizeMode(COL[key], QHeaderView.ResizeMode.Stretch if key == "title"
                                    else QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table, 1)
        self.mono = QFont()
        self.mono.setFamilies(["DejaVu Sans Mono", "Noto Sans Mono CJK SC"])
        self.mono.setPointSize(10)
        self.bold = QFont(self.font())
        self.bold.setBold(True)

        grid = QGridLayout()
        grid.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        slots = {"listing": self.toggle_listing, "price": self.change_price, "offer": self.offer,
                 "coupon": self.coupon, "pin": self.pin, "stock": self.stock, "revert": self.revert,
                 "unlock": self.unlock}
        for i, (aid, _label, key) in enumerate(ACTIONS):
            b = QPushButton()
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.setMinimumWidth(60)
            b.clicked.connect(slots[aid])
            grid.addWidget(b, i // 4, i % 4)
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slots[aid])
            self.buttons[key] = b
            self.shortcuts[aid] = sc
        lay.addLayout(grid)
        self.status = ElidedLabel()
        lay.addWidget(self.status)
        self.last_ticket = None
        self.last_dialog = None
        self._segment_skus: set[str] = set()
        self._status_line: event_words.Line | None = None
        bridge.event.connect(self._on_event)
        if rt.rundown is not None:
            self._take_rundown(rt.rundown.runner.snapshot())
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(250)
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([translate("ConsolePanel", label) for _, label in COLUMNS])
        for aid, label, key in ACTIONS:
            shown = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            text = translate("ConsolePanel", label)
            self.buttons[key].setText(f"{text}  {shown}")
            self.buttons[key].setToolTip(f"{text} ({shown})")
            self.shortcuts[aid].setWhatsThis(self.tr("Console: {what}").format(what=text))
        self._show_status()
        self.refresh()

    # ---- view ------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.svc is None:
            self.status.setText(self.tr("Console room not available"))
            return
        snap = self.svc.snapshot()     # the console's one picture (the cue screen reads the same)
        products = snap.products
        if not snap.journal_ok:
            self._say(self.tr("The journal cannot be written: nothing is sent to the shop until it can."))
        sel = self.selected_sku()
        self.table.setRowCount(len(products))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        centre = Qt.AlignmentFlag.AlignCenter
        for r, p in enumerate(products):
            for key, (text, colour, tip, bg) in self._cells(p).items():
                c = COL[key]
                item = self.table.item(r, c)
                fresh = item is None
                if fresh:
                    item = QTableWidgetItem()
                    item.setData(Qt.ItemDataRole.UserRole, p.sku)
                    if key in NUMERIC:
                        item.setTextAlignment(right)
                        item.setFont(self.mono)
                    elif key in ("now", "listed"):
                        item.setTextAlignment(centre)
                if item.text() != text:
                    item.setText(text)
                item.setData(Qt.ItemDataRole.UserRole, p.sku)
                item.setForeground(QColor(colour) if colour else QColor(theme.TEXT))
                item.setBackground(QColor(bg) if bg else QColor(0, 0, 0, 0))
                item.setToolTip(tip)
                if key in ("title", "now"):
                    item.setFont(self.bold if p.pinned else self.font())
                if fresh:  # re-setting an item the table already owns makes Qt complain on every refresh
                    self.table.setItem(r, c, item)
        if sel:
            for r, p in enumerate(products):
                if p.sku == sel and self.table.currentRow() != r:
                    self.table.selectRow(r)
        elif products and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def _cells(self, p) -> dict[str, tuple[str, str | None, str, str | None]]:
        """text, colour, tooltip, background per column for one product."""
        uncertain = bool(getattr(p, "uncertain", False))
        live = p.offer_price if p.offer_price is not None else p.price
        stock = p.displayed_stock if p.displayed_stock is not None else p.stock
        stock_text = str(stock) if p.displayed_stock is None or p.displayed_stock == p.stock \
            else f"{p.displayed_stock}/{p.stock}"
        if p.pinned:
            now = (self.tr("Explaining"), "#ffffff", self.tr("Being explained: the host's cue screen shows it"),
                   theme.ON_AIR)
        elif p.sku in self._segment_skus:
            now = (self.tr("This segment"), theme.ACCENT, self.tr("Planned for the current segment"), None)
        else:
            now = ("", None, "", None)
        if p.locked or uncertain:
            why = self.tr("not known whether the last action applied") if uncertain and not p.locked else \
                self.tr("the shop may not show what was sent")
            listed = (self.tr("LOCKED"), theme.ON_AIR, self.tr("Locked: {why}. Check it at the shop, then unlock "
                                                            "(Ctrl+U).").format(why=why), None)
        elif p.listed:
            listed = (self.tr("Listed"), theme.ok_colour(), "", None)
        else:
            listed = (self.tr("Unlisted"), theme.IDLE, "", None)
        offer = ("", None, "", None)
        if p.offer_remaining_s is not None:
            text = _fmt_countdown(p.offer_remaining_s)
            qty, sold = getattr(p, "offer_quantity", None), getattr(p, "offer_sold", None)
            if qty:
                text += f" · {sold or 0}/{qty}"
            if not p.listed or p.locked:   # the price is set, but nobody can buy: not a running countdown
                offer = ("⏸ " + text, theme.IDLE, self.tr("Off sale: viewers cannot buy it"), None)
            elif p.offer_paused:
                offer = ("⏸ " + text, theme.WARNING, self.tr("Paused"), None)
            else:
                offer = (text, theme.ON_AIR, self.tr("Flash offer running"), None)
        title_tip = f"{p.sku} {p.title}"
        return {"now": now, "sku": (p.sku, None, title_tip, None), "title": (p.title, None, title_tip, None),
                "list": (yuan(p.list_price), theme.TEXT_DIM, "", None),
                "live": (yuan(live), theme.WARNING if p.offer_price is not None else None, "", None),
                "net": (yuan(p.net_price), None, self.tr("What a viewer pays after every coupon and tier"), None),
                "stock": (stock_text, theme.ON_AIR if stock <= 0 else None,
                          self.tr("Shown / real stock") if "/" in stock_text else "", None),
                "listed": listed, "offer": offer}

    def selected_sku(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, COL["sku"]) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def select(self, sku: str) -> None:
        for r in range(self.table.rowCount()):
            item = self.table.item(r, COL["sku"])
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == sku:
                self.table.selectRow(r)
                return

    def _title_of(self, sku: str) -> str:
        p = self.svc.product(sku) if self.svc is not None and sku else None
        return p.title if p is not None else ""

    def _take_rundown(self, state) -> None:
        seg = (state or {}).get("segment") if isinstance(state, dict) else None
        running = isinstance(state, dict) and state.get("status") in ("running", "paused")
        skus = set()
        for prod in (seg or {}).get("products") or []:
            sku = prod.get("sku") if isinstance(prod, dict) else prod
            if sku:
                skus.add(str(sku))
        self._segment_skus = skus if running else set()

    def _on_event(self, topic: str, payload) -> None:
        if topic == "console.state":
            self.refresh()
        elif topic == "rundown.state":
            self._take_rundown(payload)
        elif topic.startswith("journal.console.") or topic.startswith("journal.interlock."):
            kind = topic[len("journal."):]
            if kind in ("console.restored", "console.plan_imported"):
                return
            self._status_line = (getattr(payload, "utc", None), kind, getattr(payload, "payload", {}) or {})
            self._show_status()

    def _show_status(self) -> None:
        """The last outcome in words: "14:03:12 改价 LIP-001 丝绒口红 69.00 → 59.00 元 ✓ 已生效"."""
        if self._status_line is None:
            self.status.setText("")
            return
        if isinstance(self._status_line, str):
            self.status.setText(self._status_line)
            return
        utc, kind, data = self._status_line
        line = event_words.describe(kind, data, self._title_of)
        when = utc.astimezone().strftime("%H:%M:%S ") if utc is not None else ""
        # the result first: it is what a glance needs, and it survives being cut at the right
        self.status.setText(f"{when}{line.result}  {line.what}".strip())
        colour = tone_colour(line.tone) or theme.TEXT
        self.status.setStyleSheet(f"color:{colour};")

    def _say(self, text: str, colour: str = theme.ON_AIR) -> None:
        self._status_line = text
        self.status.setText(text)
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
            sku = ticket.command.target
            product = self.svc.product(sku) if sku else None
            dlg = TicketDialog(ticket, self, product=product, settings=getattr(self.svc, "settings", None))
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
        # the console's refusal is its own sentence (wrong PIN, no reason…): in the tooltip, words on the line
        self._say(self.tr("Refused: the console did not send it (hover for why)"))
        self.status.setToolTip(str(e))

    def _sku(self) -> str | None:
        sku = self.selected_sku()
        if sku is None:
            self._say(self.tr("Select a product first"), theme.WARNING)
        return sku

    def _dialog(self, dlg) -> bool:
        self.last_dialog = dlg
        return dlg.exec() == dlg.DialogCode.Accepted

    def toggle_listing(self):
        if sku := self._sku():
            p = self.svc.product(sku)
            self._run(self.svc.request(cmds.UnlistProduct(sku) if p and p.listed else cmds.ListProduct(sku)))

    def change_price(self):
        if (sku := self._sku()) and self._dialog(dlg := PriceDialog(self.svc, sku, "price", self)):
            self._run(self.svc.request(dlg.action()))

    def offer(self):
        sku = self._sku()
        if not sku:
            return
        if self.svc.product(sku).offer_price is not None:
            self._run(self.svc.request(cmds.StopOffer(sku)))
            return
        if self._dialog(dlg := PriceDialog(self.svc, sku, "offer", self)):
            self._run(self.svc.request(dlg.action()))

    def coupon(self):
        if self._dialog(dlg := CouponDialog(self.svc, self.selected_sku(), self)):
            self._run(self.svc.request(cmds.IssueCoupon(dlg.spec())))

    def pin(self):
        if sku := self._sku():
            p = self.svc.product(sku)
            self._run(self.svc.request(cmds.PinProduct(None if p is not None and p.pinned else sku)))

    def stock(self):
        if (sku := self._sku()) and self._dialog(dlg := StockDialog(self.svc, sku, self)):
            self._run(self.svc.request(cmds.SetDisplayedStock(sku, dlg.shown.value())))

    def revert(self):
        cmd = self.svc.revert_command() if self.svc else None
        if cmd is None:
            self._say(self.tr("No price change to undo"), theme.WARNING)
            return
        self._run(self.svc.request(cmd))

    def unlock(self):
        """Someone checked a locked product at the shop: adopt what the shop says and unlock (journaled)."""
        sku = self._sku()
        if not sku:
            return
        p = self.svc.product(sku)
        if p is None or not p.locked:
            self._say(self.tr("{product} is not locked").format(product=f"{sku} {p.title if p else ''}"),
                      theme.WARNING)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Unlock {sku}").format(sku=sku),
                          self.tr("{product} is locked: the shop may not show what was sent.\n\nDid you check it in "
                                  "the shop's back office? Unlocking takes what the shop shows now as the truth.")
                          .format(product=f"{sku} {p.title}"),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setDetailedText(p.lock_reason)    # the console's own record, for whoever checks
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.last_dialog = box
        if box.exec() == QMessageBox.StandardButton.Yes:
            # resolve_lock reads the shop back and waits for it: never on the GUI thread
            threading.Thread(target=self._resolve, args=(sku,), name="console-unlock", daemon=True).start()

    def _resolve(self, sku: str) -> None:
        try:
            self.svc.resolve_lock(sku, actor="operator", note="checked in the console")
        except Exception as e:  # noqa: BLE001 - shown in the feed by the console's own events, logged here
            import logging
            logging.getLogger(__name__).warning("unlock %s failed: %s", sku, e)


def create_panel(rt, bridge, parent=None) -> QWidget:
    return ConsolePanel(rt, bridge, parent)
