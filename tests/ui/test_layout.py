"""Issue 12: 1366×768 is a first-class layout (finding 2), every key bound once (finding 4), readable charts
(finding 10), a cue screen whose message never covers the countdown or the product and whose talk track never
touches NEXT, F11 on one monitor (finding 11)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QFontMetrics

from ui.panels.console import COL


def _inside_window(win, w) -> bool:
    top_left = w.mapTo(win, QPoint(0, 0))
    return QRect(0, 0, win.width(), win.height()).contains(QRect(top_left, w.size()))


def _button_text_fits(b) -> bool:
    fm = QFontMetrics(b.font())
    room = b.contentsRect().width() - 6
    return all(fm.horizontalAdvance(line) <= room for line in b.text().split("\n"))


@pytest.mark.parametrize("code", ["zh_CN", "en"])
def test_at_1366x768_every_price_column_and_every_action_is_in_sight(qtbot, main_window, lang, code, tmp_path):
    lang(code)
    win = main_window
    win.start_show()
    qtbot.waitUntil(lambda: win.rt.console.pinned() is not None, timeout=5000)
    qtbot.wait(300)
    # a long outcome line (a block with three rules) must not widen the window past the screen
    from datetime import datetime, timezone
    win.console._status_line = (datetime.now(timezone.utc), "interlock.verdict",
                                {"sku": "LIP-001", "action": "price", "verdict": "block",
                                 "rules": ["above_list", "power_of_ten_change", "price_band", "discount_over_70"]})
    win.console._show_status()
    qtbot.wait(50)
    assert win.minimumSizeHint().width() <= 1366 and win.minimumSizeHint().height() <= 768   # fits the screen
    assert win.width() <= 1366
    console = win.console
    table = console.table
    assert not table.horizontalScrollBar().isVisible()
    viewport_w = table.viewport().width()
    for key in ("list", "live", "net", "stock", "listed", "offer", "sku", "now"):
        c = COL[key]
        left = table.horizontalHeader().sectionViewportPosition(c)
        assert left >= 0 and left + table.columnWidth(c) <= viewport_w, key
        if key != "offer":   # every row's text fits its column (the offer column is empty until an offer runs)
            need = max(table.sizeHintForColumn(c), table.horizontalHeader().sectionSizeHint(c))
            assert table.columnWidth(c) >= need - 1, key
    for b in console.buttons.values():
        assert b.isVisible() and _inside_window(win, b), b.text()
        assert _button_text_fits(b), b.text()
    rundown = win.docks["rundown"].widget()
    for b in rundown.buttons.values():
        assert b.isVisible() and _inside_window(win, b) and _button_text_fits(b), b.text()
    for b in win.strip.stream_buttons:
        assert b.isVisible() and _inside_window(win, b)
    win.strip.refresh()
    for label in (win.strip.session, win.strip.segment, win.strip.offset, win.strip.stream, win.strip.alerts,
                  win.strip.journal, win.strip.clock):     # the strip says it all, nothing cut off
        assert label.width() >= label.sizeHint().width() - 1, label.text()
        assert _inside_window(win, label)
    rundown_table = rundown.table
    for key in (0, 1, 3, 4):                              # cue, title, planned, start in sight
        left = rundown_table.horizontalHeader().sectionViewportPosition(key)
        assert left + rundown_table.columnWidth(key) <= rundown_table.viewport().width() + 1, key
    win.grab().save(str(tmp_path / f"main_1366_{code}.png"))


def test_kpi_tiles_are_never_clipped(qtbot, main_window):
    win = main_window
    win.start_show()
    metrics = win.docks["metrics"].widget().widget()
    qtbot.waitUntil(lambda: metrics.svc.report is not None, timeout=5000)
    metrics._version = -1
    metrics.refresh()
    qtbot.wait(100)
    for key, tile in metrics.tiles.items():
        assert tile.width() >= tile.minimumSizeHint().width() - 1, key
        for label in (tile.title, tile.value):
            assert label.width() >= QFontMetrics(label.font()).horizontalAdvance(label.text()), (key, label.text())
        sub = tile.sub      # wraps instead of being cut on both sides
        assert sub.wordWrap() and sub.height() >= sub.heightForWidth(sub.width()) - 1, key
        if tile.bar.isVisible():
            assert QFontMetrics(tile.bar.font()).horizontalAdvance(tile.bar.text()) <= tile.bar.width(), key


def test_no_key_is_bound_twice_and_c_opens_the_coupon_dialog_from_the_table(qtbot, main_window, monkeypatch):
    from ui.console_dialogs import CouponDialog
    from ui.main_window import key_bindings
    win = main_window
    keys = [k for k, _what, _obj in key_bindings(win)]
    twice = {k for k in keys if keys.count(k) > 1}
    assert not twice, f"bound twice (Qt then does neither): {sorted(twice)}"
    for must in ("F9", "F10", "F11", "C", "L", "P", "O", "E", "S", "Space", "N", "B", "Ctrl+Z", "Ctrl+Q"):
        assert must in keys, must
    opened = []
    monkeypatch.setattr(CouponDialog, "exec", lambda self: opened.append(self) or 0)
    win.console.table.setFocus()
    win.activateWindow()
    qtbot.waitUntil(lambda: win.console.table.hasFocus() or True, timeout=500)
    qtbot.keyClick(win.console.table, Qt.Key.Key_C)
    assert len(opened) == 1


def test_segment_labels_never_overlap(qtbot):
    from types import SimpleNamespace
    from ui import charts
    chart = charts.TimeChart(height=150)
    qtbot.addWidget(chart)
    chart.resize(420, 180)
    chart.set_has_data(True)
    chart.show()
    layer = charts.MarkerLayer(chart.plot, label_kinds=("segment",))
    t0 = 1.7e9
    marks = [SimpleNamespace(utc=t0 + i * 20, kind="segment", label=f"{i} 丝绒雾面口红 讲解", seq=i) for i in range(30)]
    layer.sync(marks)
    charts.follow_time(chart.plot, t0, t0 + 600)
    qtbot.wait(150)
    layer.declutter()
    shown = sorted(layer.visible_labels())
    assert shown, "some labels stay"
    for (l1, r1), (l2, _r2) in zip(shown, shown[1:]):
        assert r1 <= l2 + 0.5, "labels overlap"


def test_empty_charts_say_there_is_no_data_yet(qtbot, make_runtime):
    from types import SimpleNamespace
    from controlroom.clock import ManualClock
    from controlroom.metrics.room import MetricsService
    from tests.fakes import FakeStream
    from tests.ui.test_screens_truth import _instances
    from ui.bridge import QtBridge
    from ui.panels.metrics import create_panel
    from ui.panels.stream import StreamPanel
    rt = make_runtime(clock=ManualClock(), rooms={})
    rt.add_service("metrics", MetricsService(rt, start_worker=False))
    rt.new_show("empty")                     # no sample yet
    bridge = QtBridge(rt.bus)
    metrics = create_panel(rt, bridge)
    qtbot.addWidget(metrics)
    metrics.refresh()
    chart = metrics.plots["online"]
    assert not chart.has_data and "no data yet" in chart.empty.text()
    snap = {"configured": True, "state": "STANDBY", "method": "backup_encoder", "instances": _instances("UNKNOWN", "UNKNOWN"),
            "on_backup": False, "hold": False, "last_switch": None}
    panel = StreamPanel(SimpleNamespace(stream=FakeStream(snap)), bridge)
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel._stacks["kbps"].currentIndex() == 0 and "no data yet" in panel.plots["kbps"][2].text()
    bridge.close()
    rt.close()


def test_funnel_and_ranking_are_not_clipped(qtbot, main_window, lang):
    from ui.charts import FunnelWidget
    from ui.words import FUNNEL, word_for
    lang("zh_CN")
    f = FunnelWidget()
    qtbot.addWidget(f)
    f.resize(380, 240)
    stages = [(word_for(FUNNEL, k), v) for k, v in (("impressions", 1_250_000), ("room entries", 180_000),
                                                     ("product clicks", 22_000), ("add to cart", 6_100),
                                                     ("orders", 2_400), ("paid", 2_180))]
    f.set_stages(stages)
    label_w, num_w, bar_w = f.columns()
    fm = QFontMetrics(f.font_used())
    assert all(fm.horizontalAdvance(s) <= label_w for s, _ in stages)
    assert label_w + num_w <= f.width()
    win = main_window
    win.start_show()
    metrics = win.docks["metrics"].widget().widget()
    qtbot.waitUntil(lambda: bool(metrics.svc.store.latest_skus), timeout=8000)
    metrics._refresh_skus()
    t = metrics.sku_table
    for c in range(t.columnCount()):
        assert t.columnWidth(c) >= t.sizeHintForColumn(c) - 1, c      # never cut mid-number: it scrolls instead


# ---- finding 11: the cue screen's bands ------------------------------------------------------------------------
def _rect_of(screen, needle: str) -> QRectF:
    for text, rect in screen.drawn:
        if needle in text:
            return rect
    raise AssertionError(f"{needle!r} not drawn: {[t for t, _ in screen.drawn]}")


@pytest.mark.parametrize("style", ["normal", "blink"])
def test_a_message_never_covers_the_countdown_or_the_product(qtbot, main_window, style):
    win, rt = main_window, main_window.rt
    win.start_show()
    qtbot.waitUntil(lambda: rt.console.pinned() is not None, timeout=5000)
    win.toggle_cue_screen()
    cue = win.cue_screen
    cue.resize(1366, 768)
    rt.rundown.runner.send_message("准备福袋，看镜头，马上开奖，倒数三二一", style)
    qtbot.waitUntil(lambda: (cue.state or {}).get("message") is not None, timeout=3000)
    cue._product_read_at = -1e18
    cue.grab()
    msg = _rect_of(cue, "准备福袋")
    countdown = [r for t, r in cue.drawn if ":" in t and t.replace(":", "").replace(".", "").strip("-").isdigit()][0]
    product = _rect_of(cue, rt.console.pinned().title)
    assert not msg.intersects(countdown) and not msg.intersects(product)


def test_a_two_line_talk_track_never_touches_next(qtbot, main_window):
    from ui.cue_screen import CueScreen
    win, rt = main_window, main_window.rt
    cue = CueScreen(rt, win.bridge)
    qtbot.addWidget(cue)
    cue.resize(1366, 768)
    talk = "欢迎来到晚间美妆专场！先点关注，开场福利马上送：今晚精华原价299，直播间到手价199，前一百单再送小样三件套，" \
           "库存有限先到先得，宝宝们把福袋点起来"
    state = rt.rundown.runner.snapshot()
    state["status"] = "running"
    state["segment"] = {**state["segment"], "talk_track": talk}
    cue._take_state(state)
    cue.grab()
    talk_rect = _rect_of(cue, "欢迎来到")
    nxt = [r for t, r in cue.drawn if t.startswith("NEXT")][0]
    assert talk_rect.bottom() < nxt.top()


def test_f11_toggles_the_cue_screen_and_brings_the_console_back(qtbot, main_window):
    win = main_window
    win.toggle_cue_screen()
    cue = win.cue_screen
    assert cue.isVisible()
    cue.activateWindow()
    qtbot.keyClick(cue, Qt.Key.Key_F11)          # F11 works from the cue screen too (one monitor)
    assert not cue.isVisible()
    win.toggle_cue_screen()
    assert cue.isVisible()
