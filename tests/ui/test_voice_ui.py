"""Issue 15 on the screens: the comment list (filters, push to the cue screen, pin, answered), lucky bags (F,
the dialog, the cue screen's countdown), the sold-out switch (R, the cue screen's substitute line), viewers'
text shown as plain text everywhere, and every new word in zh_CN."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from controlroom.platform import Comment
from tests.ui.visible_text import problems

TALK = "口红已经抢完了！同价位的化妆刷套装马上上车，一套七支，手慢无"
UGLY = "\x00\x07<b>口红</b><script>alert(1)</script>\u202e多少钱？" + "哈" * 10_000


def feed(win, *texts, sku=None):
    """Comments arrive as the comment room reads them (classified for real), through the bus."""
    room = win.rt.comments
    now = time.time()
    cs = tuple(Comment(f"t{now:.6f}-{i}", now, f"ou_{i}", t, nickname="<i>Nick</i>\n\x1b", sku=sku)
               for i, t in enumerate(texts))
    items = room._take(cs, 0, None)
    room._after_batch(items)
    return items


def panel(win):
    win.docks["comments"].show()
    win.docks["comments"].raise_()
    return win.comments


def test_the_comment_list_filters_and_marks_and_the_cue_screen_shows_the_question(qtbot, main_window):
    win = main_window
    win.start_show()
    p = panel(win)
    items = feed(win, "口红有几个色号？", "质量太差了", "已拍", "2号链接券后多少")
    qtbot.waitUntil(lambda: any(p.model.item(r).comment_id == items[-1].comment_id for r in range(p.model.rowCount())),
                    timeout=3000)
    p.set_kind("question")
    shown = [p.proxy.data(p.proxy.index(r, 3)) for r in range(p.proxy.rowCount())]
    assert "口红有几个色号？" in shown and "质量太差了" not in shown
    p.set_kind("complaint")
    assert all(p.proxy.data(p.proxy.index(r, 1)).startswith("complaint") for r in range(p.proxy.rowCount()))
    p.set_kind("all")
    p.set_sku("SER-002")
    assert [p.proxy.data(p.proxy.index(r, 3)) for r in range(p.proxy.rowCount())][-1] == "2号链接券后多少"
    p.set_sku(None)
    # Q with nothing selected pushes the newest unanswered question; the cue screen says 观众问
    win.toggle_cue_screen()
    cue = win.cue_screen
    p.view.clearSelection()
    p.push_to_cue()
    on = win.rt.comments.state.on_cue
    assert on is not None and on.text == "2号链接券后多少"
    qtbot.waitUntil(lambda: cue.question == "2号链接券后多少", timeout=3000)
    cue.grab()
    assert any("Viewer asks: 2号链接券后多少" in t for t, _ in cue.drawn)
    assert p.on_cue.isVisible() and p.on_cue.textFormat() == Qt.TextFormat.PlainText
    # T pins the selected one; A marks the one on the cue screen answered: off the cue screen
    row = next(r for r in range(p.proxy.rowCount()) if p.proxy.data(p.proxy.index(r, 3)) == "质量太差了")
    p.view.selectRow(row)
    p.pin()
    qtbot.waitUntil(lambda: p.pins.count() == 1, timeout=3000)
    p.view.clearSelection()
    p.answered()
    qtbot.waitUntil(lambda: cue.question is None, timeout=3000)
    kinds = [e.kind for e in win.rt.journal.events(win.rt.session_id, prefix="comments.")]
    assert {"comments.pushed", "comments.pinned", "comments.answered"} <= set(kinds)


def test_a_viewers_markup_control_characters_and_10000_characters_stay_plain_text(qtbot, main_window):
    win = main_window
    win.start_show()
    p = panel(win)
    (it,) = feed(win, UGLY)
    qtbot.waitUntil(lambda: p.model.rowCount() > 0 and p.model.item(p.model.rowCount() - 1).comment_id ==
                    it.comment_id, timeout=3000)
    r = p.model.rowCount() - 1
    text = p.model.data(p.model.index(r, 3))
    assert text.startswith("<b>口红</b><script>") and "\x00" not in text and "\u202e" not in text
    assert len(text) <= 300 and p.model.item(r).nickname == "<i>Nick</i>"
    p.view.selectRow(p.proxy.rowCount() - 1)
    p.pin()
    win.rt.comments.push_to_cue(it.comment_id)
    qtbot.waitUntil(lambda: p.pins.count() == 1 and p.on_cue.isVisible(), timeout=3000)
    assert p.pins.item(0).text().startswith("★ <b>口红</b>")
    for label in p.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName() or label.text()[:40]
    win.toggle_cue_screen()
    cue = win.cue_screen
    qtbot.waitUntil(lambda: cue.question is not None, timeout=3000)
    cue.grab()
    assert any(t.startswith("Viewer asks: <b>口红</b>") for t, _ in cue.drawn)
    win.grab()                   # the window paints with it (no exception, nothing rendered as markup)
    cue.grab()
    # the feed line is words, the payload in the details pane
    qtbot.waitUntil(lambda: "comments.pushed" in win.feed.model.kinds(), timeout=3000)


def test_f_starts_a_lucky_bag_and_the_cue_screen_counts_it_down(qtbot, main_window, monkeypatch):
    win = main_window
    win.start_show()
    from ui import lucky_bag_dialog
    seq = [a.shortcut() for a in win.findChildren(type(win.act_lucky_bag)) if a is win.act_lucky_bag][0]
    assert seq == QKeySequence("F")
    opened = []

    def fake_exec(dlg):
        opened.append(dlg)
        dlg.prize.setText("丝绒口红正装一支")
        dlg.minutes.setValue(2)
        dlg.passphrase.setText("福袋冲冲冲")
        dlg.winners.setValue(3)
        return lucky_bag_dialog.LuckyBagDialog.DialogCode.Accepted
    monkeypatch.setattr(lucky_bag_dialog.LuckyBagDialog, "exec", fake_exec)
    # the viewers-drop alert offers it: its suggestion says F, and starting the bag acknowledges it
    from controlroom.alerts import Alert
    drop = win.rt.alerts.raise_alert(Alert(rule="viewers_drop", severity="warning", title="Viewers down", source="metrics",
                                           values={"drop": 0.3, "peak": 2000, "online": 1400, "window_s": 120},
                                           to_cue=True))
    from ui.words import alert_todo
    assert "F" in alert_todo("viewers_drop")
    win.act_lucky_bag.trigger()
    assert opened and "Viewers down 30 %" in opened[0].why.text()
    qtbot.waitUntil(lambda: win.rt.console.snapshot().lucky_bag is not None, timeout=5000)
    assert drop.alert_id not in win.rt.alerts.open_alerts
    win.toggle_cue_screen()
    cue = win.cue_screen
    qtbot.waitUntil(lambda: cue._bag is not None, timeout=3000)
    cue.grab()
    line = next(t for t, _ in cue.drawn if t.startswith("Lucky bag"))
    assert line == "Lucky bag「福袋冲冲冲」follow + comment · 丝绒口红正装一支"
    # its countdown is drawn on its own, right-aligned in the same band: never cut by a long prize
    (clock, rect), = [(t, r) for t, r in cue.drawn if t in ("2:00", "1:59", "1:58")]
    band = next(r for t, r in cue.drawn if t == line)
    assert rect.left() >= band.right() and abs(rect.top() - band.top()) < 1
    p = panel(win)
    p._refresh_lines()
    assert p.bag.isVisible() and "丝绒口红正装一支" in p.bag.text()


def test_r_switches_a_sold_out_product_to_its_substitute_and_the_cue_screen_says_so(qtbot, main_window):
    win = main_window
    rt = win.rt
    win.start_show()
    svc = rt.console
    qtbot.waitUntil(lambda: svc.state.pinned is not None, timeout=5000)
    from controlroom.alerts import Alert
    rt.alerts.raise_alert(Alert(rule="sku_sold_out", severity="critical", title="LIP-001 sold out", source="console",
                                sku="LIP-001", to_cue=True,
                                values={"stock": 0, "threshold": 20, "substitute_sku": "BRS-012",
                                        "substitute_title": "化妆刷套装", "talk_track": TALK}))
    assert win.act_substitute.shortcut() == QKeySequence("R")
    win.act_substitute.trigger()
    qtbot.waitUntil(lambda: svc.state.pinned == "BRS-012", timeout=5000)      # the sample plan's substitute
    assert svc.snapshot().substitute.substitute == "BRS-012" and svc.product("BRS-012").listed
    assert not any(a.rule == "sku_sold_out" for a in rt.alerts.open_alerts.values())
    win.toggle_cue_screen()
    cue = win.cue_screen
    qtbot.waitUntil(lambda: cue._substitute is not None, timeout=3000)
    cue.grab()
    assert any(t.startswith("SOLD OUT → 化妆刷套装") and t.endswith(": " + TALK) for t, _ in cue.drawn), \
        [t[:60] for t, _ in cue.drawn]


def test_the_room_speaks_chinese_on_a_zh_cn_screen(qtbot, main_window, lang):
    lang("zh_CN")
    win = main_window
    win.start_show()
    rt = win.rt
    sid = rt.session_id
    p = panel(win)
    feed(win, "口红有几个色号？", "三天了还没发货", "加V看主页福利")
    qtbot.waitUntil(lambda: p.model.rowCount() >= 3, timeout=3000)
    from ui.words import alert_title, alert_todo
    values = {"complaint_burst": {"complaints": 14, "window_s": 3.0, "ratio": 12.5, "topic": "shipping_slow"},
              "question_recurring": {"sku": "LIP-001", "topic": "shade", "askers": 8, "window_s": 60.0},
              "sku_sold_out": {"stock": 0, "substitute_sku": "CRM-003"}, "sku_low_stock": {"stock": 12}}
    texts = [("alert", alert_title(r, v, "LIP-001")) for r, v in values.items()]
    texts += [("todo", alert_todo(r, v)) for r, v in values.items()]
    for kind, payload in (
            ("console.lucky_bag_started", {"bag_id": "LB1", "prize": "口红", "countdown_s": 300, "passphrase": "冲",
                                           "follow_required": True, "winners": 3}),
            ("console.lucky_bag_ended", {"bag_id": "LB1", "drawn": True, "winners": ["u1"], "entries": 40,
                                         "eligible": 30}),
            ("console.lucky_bag_ended", {"bag_id": "LB2", "drawn": False, "reason": "cancelled"}),
            ("console.substitute_shown", {"sku": "LIP-001", "substitute": "CRM-003"}),
            ("console.stock_read", {"sku": "LIP-001", "readback": {"stock": 3}}),
            ("comments.pushed", {"comment_id": "c1", "text": "多少钱", "comment_kind": "question"}),
            ("comments.answered", {"comment_id": "c1", "text": "多少钱", "comment_kind": "question"}),
            ("comments.unpinned", {"comment_id": "c1"}), ("comments.cue_cleared", {"comment_id": "c1"})):
        rt.journal.append(sid, kind, "operator", payload)
    qtbot.waitUntil(lambda: "comments.cue_cleared" in win.feed.model.kinds(), timeout=3000)
    m = win.feed.model
    texts += [("feed", m.index(r, c).data(Qt.ItemDataRole.DisplayRole) or "") for r in range(m.rowCount())
              for c in range(4)]
    texts += [("comments", p.model.data(p.model.index(r, c)) or "") for r in range(p.model.rowCount())
              for c in (1,)]
    texts += [("comments", b.text()) for b in p.buttons.values()] + [("comments", p.summary.text())]
    bad = problems(texts, allowed_extra={"LB", "V"})
    assert not bad, "\n".join(bad)
    assert "观众一直在问" in alert_title("question_recurring", values["question_recurring"], "LIP-001")


def test_q_with_nothing_to_push_says_so_where_the_operator_looks(qtbot, main_window):
    """Found in the walkthrough: at 1366×768 the comments sit on a tab behind the metrics; Q with no open question
    did nothing visible — the panel's "Select a comment first" was on the hidden tab. It reaches the status bar."""
    win = main_window
    win.docks["metrics"].raise_()
    win.docks["comments"].hide()
    assert not win.comments.isVisible()
    win.comments.push_to_cue()
    assert "Select a comment first" in win.statusBar().currentMessage()
