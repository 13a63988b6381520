"""Issue 12 findings 7, 8, 9: tickets say the rule in words with its numbers, the price/offer/coupon dialogs name
the product and show where it stands and what the change does (a markup is "+x %" and flagged), and the feed
reads like a person's log with the raw payload in a details pane."""
from __future__ import annotations

from PySide6.QtCore import Qt

from controlroom.commerce import commands as cmds


def start(qtbot, win):
    win.start_show()
    qtbot.waitUntil(lambda: win.rt.console.pinned() is not None, timeout=5000)


def test_block_ticket_names_the_product_and_the_rules_in_words(qtbot, main_window, lang):
    from ui.console_ticket import TicketDialog
    lang("zh_CN")
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    svc = rt.console
    t = svc.request(cmds.SetPrice("LIP-001", 65000))     # 6.5 k for a 69 元 lipstick: a shifted decimal
    dlg = TicketDialog(t, win, product=svc.product("LIP-001"), settings=svc.settings)
    qtbot.addWidget(dlg)
    head = dlg.head.text()
    assert head.startswith("已拦截") and "LIP-001 丝绒雾面口红" in head and "69.00 → 650.00 元" in head
    words = dlg.reason_label.text()
    assert "高于划线价" in words and "10 倍" in words and "above_list" not in words and "price " not in words
    assert dlg.values["off"].text().startswith("比划线价高 +")      # a markup, not "折扣 -403.9 %"
    assert "+¥581.00" in dlg.values["change"].text() and "加价" in dlg.values["change"].text()


def test_price_dialog_names_the_product_and_shows_the_change_with_its_sign(qtbot, main_window):
    from ui.console_dialogs import PriceDialog
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    dlg = PriceDialog(rt.console, "LIP-001", "price", win)
    qtbot.addWidget(dlg)
    head = dlg.header.text()
    assert "LIP-001" in head and "丝绒雾面口红" in head and "¥69.00" in head and "¥129.00" in head
    dlg.price.setText("59")
    change = dlg.preview.labels["change"].text()
    assert change.startswith("-¥10.00") and "(-14.5 %)" in change and "markup" not in change
    assert dlg.preview.labels["net"].text() == "¥59.00"
    assert dlg.preview.labels["margin"].text() == "¥10.00"          # over the 49.00 floor
    assert dlg.preview.labels["off"].text() == "54.3 % off"
    assert "50 % or more off needs a second look" in dlg.preview.verdict.text()
    dlg.price.setText("139")
    change = dlg.preview.labels["change"].text()
    assert change.startswith("+¥70.00") and "(+101.4 %)" in change and "markup" in change
    assert "ABOVE" in dlg.preview.labels["off"].text()
    dlg.price.setText("5,9")
    assert dlg.action() is None and dlg.error.text()


def test_offer_and_coupon_dialogs_show_the_net_price(qtbot, main_window):
    from ui.console_dialogs import CouponDialog, PriceDialog
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    offer = PriceDialog(rt.console, "SER-002", "offer", win)
    qtbot.addWidget(offer)
    assert "SER-002" in offer.header.text() and "¥199.00" in offer.header.text()
    offer.price.setText("179")
    assert offer.preview.labels["net"].text() == "¥179.00"
    assert offer.action().duration_s == 180 and offer.action().kind == "offer"
    coupon = CouponDialog(rt.console, "SER-002", win)
    qtbot.addWidget(coupon)
    coupon.threshold.setText("199")
    coupon.amount.setText("20")
    assert coupon.preview.labels["net"].text() == "¥179.00"         # 199 − 20 on one unit
    assert coupon.spec().sku == "SER-002" and coupon.spec().total_qty == 100


def test_the_feed_reads_like_a_persons_log_with_the_payload_aside(qtbot, main_window):
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    rt.console.change_price("LIP-001", 5900, confirmed=True, wait=True)
    feed = win.feed
    qtbot.waitUntil(lambda: "console.price_changed" in feed.model.kinds(), timeout=3000)
    m = feed.model
    r = m.kinds().index("console.price_changed")
    what, result = m.index(r, 2).data(), m.index(r, 3).data()
    assert what == "Change price LIP-001 丝绒雾面口红 Velvet Matte Lipstick 69.00 → 59.00 yuan" and result == "✓ applied"
    assert m.index(r, 1).data() == "operator"
    every = " ".join(str(m.index(i, c).data()) for i in range(m.rowCount()) for c in range(4))
    assert "key=" not in every and "cr-" not in every and "6900" not in every and "console." not in every
    view_row = feed.proxy.mapFromSource(m.index(r, 0))
    feed.view.setCurrentIndex(view_row)
    assert '"key"' in feed.details.toPlainText() and "5900" in feed.details.toPlainText()
    # more than a handful of rows in sight at 1366×768
    assert feed.view.viewport().height() // feed.view.verticalHeader().defaultSectionSize() >= 6


def test_a_cancelled_ticket_in_the_feed_names_what_was_cancelled(qtbot, main_window):
    """Found in the walkthrough: "Ticket cancelled (above list; …)" named no product — at 2 a.m. nobody knows which
    price change was dropped. The line says the action and the product."""
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    svc = rt.console
    t = svc.request(cmds.SetPrice("LIP-001", 65000))
    svc.cancel(t)
    feed = win.feed
    qtbot.waitUntil(lambda: "interlock.cancelled" in feed.model.kinds(), timeout=3000)
    r = feed.model.kinds().index("interlock.cancelled")
    what = feed.model.index(r, 2).data()
    assert "LIP-001" in what and "650.00" in what, what


def test_the_overtime_row_reads_as_a_sign_not_a_missing_glyph():
    """An emoji (⏰) draws as an empty box without a colour-emoji font — what the studio laptop showed."""
    from ui.event_words import describe
    line = describe("rundown.overtime", {"cue": "口红"})
    assert line.result and all(ord(ch) < 0x1F000 and ch not in "⏰⌛" for ch in line.result)
