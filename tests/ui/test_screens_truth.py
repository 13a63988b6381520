"""Issue 12: one truth on every screen (findings 1, 3, 5, 6, 12). The cue screen shows the console's product
being explained, the operator's row says 讲解中, the strip and the stream panel read the guard the same way,
safety events are loud and stay, End show stops the run of show, quitting on air asks."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from controlroom.alerts import Alert
from controlroom.clock import ManualClock
from ui import theme
from tests.fakes import FakeStream
from ui.panels.console import COL


def drawn(screen) -> str:
    screen.grab()
    return " | ".join(t for t, _ in screen.drawn)


def start(qtbot, win):
    win.start_show()
    qtbot.waitUntil(lambda: win.rt.console.pinned() is not None, timeout=5000)


def cell(win, sku, col):
    table = win.console.table
    for r in range(table.rowCount()):
        if table.item(r, COL["sku"]).text() == sku:
            return table.item(r, COL[col])
    raise KeyError(sku)


# ---- finding 1: the cue screen shows what a viewer can buy, the operator sees what the host sees ----------------
def test_cue_screen_follows_the_product_being_explained_and_the_row_says_so(qtbot, main_window):
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    win.toggle_cue_screen()
    cue = win.cue_screen
    pinned = rt.console.pinned().sku
    qtbot.waitUntil(lambda: cue.product() is not None and cue.product().sku == pinned, timeout=3000)
    win.console.refresh()
    assert cell(win, pinned, "now").text() == "Explaining"
    # the lipstick segment: the operator explains the lipstick (E) and the host sees it at once
    win.console.select("LIP-001")
    win.console.pin()
    qtbot.waitUntil(lambda: rt.console.pinned() is not None and rt.console.pinned().sku == "LIP-001", timeout=5000)
    qtbot.waitUntil(lambda: cue.product() is not None and cue.product().sku == "LIP-001", timeout=3000)
    win.console.refresh()
    assert cell(win, "LIP-001", "now").text() == "Explaining" and cell(win, pinned, "now").text() != "Explaining"
    assert "丝绒雾面口红" in drawn(cue)


def test_cue_screen_never_sells_what_cannot_be_bought(qtbot, main_window):
    win, rt = main_window, main_window.rt
    svc = rt.console
    start(qtbot, win)
    svc.pin_product("LIP-001", wait=True)
    svc.start_offer("LIP-001", 5900, 120, confirmed=True, wait=True)
    win.toggle_cue_screen()
    cue = win.cue_screen
    qtbot.waitUntil(lambda: cue.product() is not None and cue.product().offer_left_s is not None, timeout=3000)
    assert "Offer price ends in" in drawn(cue)
    svc.unlist_product("LIP-001", wait=True)          # what the breaker did
    # the shop stops explaining an unlisted product; either way the host is told it cannot be sold
    qtbot.waitUntil(lambda: cue.product() is None or not cue.product().listed, timeout=3000)
    text = drawn(cue)
    assert ("OFF SALE" in text or "No product being explained" in text)
    assert "Offer price ends in" not in text and "¥59" not in text and "left" not in text
    win.console.refresh()
    offer = cell(win, "LIP-001", "offer")            # the row's countdown is not a running red one any more
    assert offer.text().startswith("⏸") and offer.foreground().color().name() == theme.IDLE.lower()
    for p in svc.products():                          # every product off sale: nothing to sell, no "仅剩 6000 件"
        if p.listed:
            svc.unlist_product(p.sku, wait=True)
    cue._product_read_at = -1e18
    text = drawn(cue)
    assert "Only" not in text and "¥" not in text


def test_offer_countdown_on_the_cue_screen_stops_when_the_offer_stops(qtbot, main_window):
    win, rt = main_window, main_window.rt
    svc = rt.console
    start(qtbot, win)
    svc.pin_product("LIP-001", wait=True)
    svc.start_offer("LIP-001", 5900, 120, confirmed=True, wait=True)
    win.toggle_cue_screen()
    cue = win.cue_screen
    qtbot.waitUntil(lambda: cue.product() is not None and cue.product().offer_left_s is not None, timeout=3000)
    svc.stop_offer("LIP-001", wait=True)
    qtbot.waitUntil(lambda: cue.product().offer_left_s is None, timeout=3000)
    assert "Offer price ends in" not in drawn(cue)


def test_the_host_is_shown_what_a_viewer_pays_after_a_coupon(qtbot, main_window):
    """Found in the walkthrough: with a coupon live on the product being explained the cue screen said ¥69 while
    a viewer paid ¥59 — hosts quote 到手价. The live price stays the big figure; the net after every stacked
    discount is shown under it, and goes when the coupon goes."""
    from controlroom.platform import CouponSpec
    win, rt = main_window, main_window.rt
    svc = rt.console
    start(qtbot, win)
    svc.pin_product("LIP-001", wait=True)
    win.toggle_cue_screen()
    cue = win.cue_screen
    qtbot.waitUntil(lambda: cue.product() is not None and cue.product().sku == "LIP-001", timeout=3000)
    assert "After coupons" not in drawn(cue)
    t = svc.issue_coupon(CouponSpec("LIP-001", 0, 1000, 100), confirmed=True, wait=True)
    assert t.outcome is not None and t.outcome.ok, t.verdict
    cue._product_read_at = -1e18
    qtbot.waitUntil(lambda: cue.product() is not None and cue.product().net_fen is not None, timeout=3000)
    text = drawn(cue)
    live = svc.snapshot().pinned.price
    from ui.cue_screen import yuan
    assert f"After coupons {yuan(live - 1000)}" in text, text
    svc.stop_coupon(next(iter(svc.state.coupons)), wait=True)
    cue._product_read_at = -1e18
    qtbot.waitUntil(lambda: cue.product() is not None and cue.product().net_fen is None, timeout=3000)
    assert "After coupons" not in drawn(cue)


# ---- finding 3: the stream panel and the strip read the guard the same, honest way -------------------------------
def _instances(level_main: str, level_backup: str) -> dict:
    def inst(role, level):
        return {"role": role, "level": level, "live": False, "signals": {"link": {"level": level, "word": level}},
                "series": []}
    return {"main": inst("primary", level_main), "backup": inst("backup", level_backup)}


@pytest.fixture
def guarded(qtbot, runtime):
    """The window with a stream guard that is configured but sees no OBS (STANDBY, encoders FAILED)."""
    from ui.main_window import MainWindow
    base = {"configured": True, "state": "STANDBY", "method": "backup_encoder", "active": "main", "on_backup": False,
            "hold": False, "instances": _instances("FAILED", "FAILED"), "last_switch": None, "switching": None,
            "talk_track": "稍等", "probe": None}
    stream = FakeStream(base)
    runtime.stream = stream
    runtime.new_show()
    win = MainWindow(runtime)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win, stream
    win._quit_confirmed = True
    win.close()


def stream_panel(win):
    return win.docks["stream"].widget().widget()


def test_strip_does_not_say_on_air_while_the_guard_says_standby(qtbot, guarded):
    win, stream = guarded
    start(qtbot, win)
    win.strip.refresh()
    panel = stream_panel(win)
    panel.refresh()
    assert "ON AIR" not in win.strip.session.text() and "NOT STREAMING" in win.strip.session.text()
    assert "Standby (not streaming)" in panel.state_label.text()
    assert "Standby (not streaming)" in win.strip.stream.text()        # the same words on both


def test_after_a_failed_switch_nothing_says_healthy_while_both_encoders_failed(qtbot, guarded):
    win, stream = guarded
    stream.snap = {**stream.snap, "state": "ON_PRIMARY"}               # the guard's state after a failed F9
    panel = stream_panel(win)
    panel.refresh()
    win.strip.refresh()
    assert "FAILED" in panel.state_label.text() and "On primary" not in panel.state_label.text()
    assert theme.ON_AIR in panel.state_label.styleSheet() and theme.HEALTHY not in panel.state_label.styleSheet()
    assert "ON_PRIMARY" not in win.strip.stream.text() and "FAILED" in win.strip.stream.text()
    assert theme.HEALTHY not in win.strip.journal.text()              # nothing green while anything is failed


def test_failover_buttons_are_on_top_of_the_panel_and_always_in_the_strip(qtbot, guarded, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    win, stream = guarded
    panel = stream_panel(win)
    assert panel.fail_btn.geometry().bottom() < panel.instances_box.geometry().top()   # never below the fold
    assert not win.docks["stream"].visibleRegion().isEmpty() or win.compact           # tabbed away at 1366…
    f9 = win.strip.stream_buttons[0]
    assert f9.isVisible() and "F9" in f9.text() and f9.isEnabled()                     # …but F9 is in sight
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    f9.click()
    assert stream.calls == [("fail_over", "operator")]


def test_wheel_over_a_chart_does_not_zoom(qtbot, main_window):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication
    win = main_window
    metrics = win.docks["metrics"].widget().widget()
    chart = metrics.plots["online"]
    chart.set_has_data(True)
    plot = chart.plot
    before = plot.getPlotItem().getViewBox().viewRange()
    vp = plot.viewport()
    centre = QPointF(vp.width() / 2, vp.height() / 2)
    for _ in range(5):
        ev = QWheelEvent(centre, QPointF(vp.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 600),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(vp, ev)
    assert plot.getPlotItem().getViewBox().viewRange() == before


# ---- finding 5: safety events are loud and stay until acknowledged --------------------------------------------
def test_breaker_trip_is_a_red_banner_that_stays_until_acknowledged(qtbot, main_window):
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    a = rt.alerts.raise_alert(Alert(rule="breaker_order_rate", severity="critical", source="console", sku="LIP-001",
                                    title="Circuit breaker on LIP-001: offer paused (unlist)",
                                    values={"orders": 40, "window_s": 60.0, "allowed": 20.0}, to_cue=True))
    qtbot.waitUntil(lambda: a.alert_id in win.banners.banners, timeout=3000)
    assert win.minimumSizeHint().width() <= 1366 and win.width() <= 1366     # a banner never widens the window
    text = " ".join(win.banners.texts())
    assert "CIRCUIT BREAKER" in text and "LIP-001" in text and "What to do" in text
    win.strip.refresh()
    assert theme.ON_AIR in win.strip.alerts.text()                   # a critical alert is red, not amber
    # the host's screen keeps it too, in words, long after 30 s, until someone acknowledges it
    from ui.cue_screen import CueScreen
    clock = ManualClock()
    cue = CueScreen(rt, win.bridge, clock=clock)
    qtbot.addWidget(cue)
    rt.alerts.raise_alert(Alert(rule="breaker_order_rate", severity="critical", source="console", sku="LIP-001",
                                title="x", values={"orders": 41, "window_s": 60.0, "allowed": 20.0}, to_cue=True))
    qtbot.waitUntil(lambda: bool(cue.alerts), timeout=3000)
    clock.advance(120)
    cue.refresh()
    assert cue.alerts and "CIRCUIT BREAKER" in drawn(cue)
    qtbot.wait(200)
    assert a.alert_id in win.banners.banners                          # still there
    win.banners.rows[a.alert_id].ack.click()
    assert a.alert_id not in win.banners.banners
    assert [e.payload["alert_id"] for e in rt.journal.events(rt.session_id, kinds=["alert.acked"])] == [a.alert_id]


def test_journal_error_banner(qtbot, main_window):
    win, rt = main_window, main_window.rt
    rt.bus.publish("journal.error", {"reason": "disk full"})
    qtbot.waitUntil(lambda: "journal" in win.banners.banners, timeout=3000)
    assert "JOURNAL ERROR" in " ".join(win.banners.texts())


# ---- finding 6: End show stops the run of show; quitting on air asks and is journaled ---------------------------
def test_end_show_ends_the_run_of_show(qtbot, main_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    runner = rt.rundown.runner
    assert runner.status == "running"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(win, "recap_offer", lambda: None)
    win.end_show()
    assert runner.status == "ended"
    panel = win.docks["rundown"].widget()
    qtbot.waitUntil(lambda: "ended" in panel.status_label.text(), timeout=3000)
    assert panel.timer_label.text() == "--:--"
    t0 = panel.timer_label.text()
    qtbot.wait(1100)
    assert panel.timer_label.text() == t0                              # no timer counts after the show


def test_quitting_on_air_asks_and_the_answer_is_journaled(qtbot, main_window):
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    win.close()                                       # Ctrl+Q
    assert win.isVisible() and win._quit_box is not None
    stay = [b for b in win._quit_box.buttons() if b.text() == "Stay"][0]
    stay.click()
    qtbot.waitUntil(lambda: win._quit_box is None, timeout=2000)
    assert win.isVisible()
    win.close()
    quit_button = [b for b in win._quit_box.buttons() if b.text() == "Quit while on air"][0]
    quit_button.click()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=2000)
    answers = [e.payload["answer"] for e in rt.journal.events(rt.session_id, kinds=["session.quit_asked"])]
    assert answers == ["stay", "quit"]


# ---- finding 12: one way to say ahead/behind, first start is not on air, Help has more than About ------------
def test_ahead_reads_the_same_on_the_strip_and_the_panel(qtbot, main_window):
    win, rt = main_window, main_window.rt
    start(qtbot, win)
    rt.rundown.runner.next(actor="operator")           # early: ahead of plan
    rt.rundown.runner.publish_state(force=True)
    panel = win.docks["rundown"].widget()
    qtbot.waitUntil(lambda: "ahead" in panel.offset_label.text(), timeout=3000)
    win.strip.refresh()
    from tests.ui.visible_text import plain
    strip, side = plain(win.strip.offset.text()).strip(), plain(panel.offset_label.text()).strip()
    assert strip == side and not strip.startswith("-")


def test_first_start_is_ready_not_on_air(make_runtime, qtbot):
    from ui.app import choose_session, parse_args
    rt = make_runtime()
    try:
        choose_session(rt, parse_args([]))
        s = rt.journal.session(rt.session_id)
        assert s.started_utc is None
        assert not any(p.listed for p in rt.platform.read_products())
        assert rt.rundown.runner.status == "idle"
    finally:
        rt.close()


def test_help_has_keys_a_how_to_and_where_the_data_lives(qtbot, main_window):
    win = main_window
    help_menu = [a.menu() for a in win.menubar.actions() if a.text().replace("&", "") == "Help"][0]
    names = [a.text() for a in help_menu.actions()]
    assert names == ["Keys", "How to run a show", "Where the data lives", "About Control Room"]
    keys = win.keys_html()
    for k in ("F9", "F10", "F11", "Ctrl+Z", "Space"):
        assert k in keys
    assert str(win.rt.journal.path) in win.data_html()
