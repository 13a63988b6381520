"""What a 2 a.m. walkthrough under a real X server found (1366×768 and 1920×1080, zh_CN and en): each test
reproduces one finding on Qt's offscreen platform."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def start(qtbot, win):
    win.start_show()
    qtbot.waitUntil(lambda: win.rt.console.pinned() is not None, timeout=5000)


def _open(qtbot, dlg):
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitExposed(dlg)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dlg, timeout=3000)


def test_a_dialog_opened_by_its_key_takes_what_the_operator_types(qtbot, main_window):
    """P, O, C: the operator types the number at once. The first field has the focus (it was the OK button:
    '59' went nowhere and Enter sent the old price back as a ticket)."""
    from ui.console_dialogs import CouponDialog, PriceDialog, StockDialog
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    for dlg, field in ((PriceDialog(rt.console, "LIP-001", "price", win), "price"),
                       (PriceDialog(rt.console, "LIP-001", "offer", win), "price"),
                       (CouponDialog(rt.console, "LIP-001", win), "threshold"),
                       (StockDialog(rt.console, "LIP-001", win), "shown")):
        _open(qtbot, dlg)
        target = getattr(dlg, field)
        assert QApplication.focusWidget() is target, (dlg, QApplication.focusWidget())
        qtbot.keyClicks(QApplication.focusWidget(), "59")
        assert target.text() == "59"        # the price field's old value was selected: typing replaces it
        dlg.reject()
