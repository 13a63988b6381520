"""Cue screen and run-of-show panel with pytest-qt: phases, zero flash, stale indicator, messages,
ON BACKUP, product prices, keyboard; screenshots written to the test's tmp dir."""
from __future__ import annotations

import pytest

from controlroom.alerts import Alert
from controlroom.clock import ManualClock
from tests.fakes import NoShop


@pytest.fixture
def rig(make_runtime, qtbot):
    from ui import i18n
    from ui.bridge import QtBridge
    i18n.load("zh_CN")
    clock = ManualClock()
    rt = make_runtime(clock=clock, platform=NoShop(), rooms={"rundown": "controlroom.rundown.room"})
    rt.new_show()
    # on air, but the run-of-show left idle (rt.start() would start its first segment): these tests drive the runner
    rt.journal.start_session(rt.session_id)
    bridge = QtBridge(rt.bus)
    yield rt, bridge, clock, rt.rundown.runner
    bridge.close()
    rt.close()
    i18n.load("en")


@pytest.fixture
def screen(rig, qtbot):
    from ui.cue_screen import CueScreen
    rt, bridge, clock, runner = rig
    cs = CueScreen(rt, bridge)
    qtbot.addWidget(cs)
    cs.resize(1920, 1080)
    cs.show()
    return cs


def settle(qtbot, cs):
    qtbot.wait(10)          # queued bridge signals reach the GUI thread
    cs.refresh()


def test_phases_flash_and_beep_at_zero(rig, screen, qtbot):
    rt, bridge, clock, runner = rig
    assert screen.phase() == "idle"
    runner.start()
    settle(qtbot, screen)
    assert screen.phase() == "normal"
    seg = runner.segment
    clock.advance(seg.planned_s - seg.warning_s + 1)
    rt.tick()
    settle(qtbot, screen)
    assert screen.phase() == "warning"
    clock.advance(seg.warning_s - seg.danger_s)
    rt.tick()
    settle(qtbot, screen)
    assert screen.phase() == "danger"
    beeps = screen.beeps
    clock.advance(seg.danger_s)
    rt.tick()
    settle(qtbot, screen)
    assert screen.phase() == "overtime"
    assert screen.flash_until > clock.monotonic() and screen.beeps == beeps + 1
    clock.advance(3)
    rt.tick()
    settle(qtbot, screen)
    assert screen.flash_until < clock.monotonic()     # the flash ends; the overtime look stays


def test_countdown_extrapolates_between_heartbeats(rig, screen, qtbot):
    rt, bridge, clock, runner = rig
    runner.start()
    settle(qtbot, screen)
    clock.advance(0.3)                                 # no tick: the screen counts from its last state
    assert screen.remaining() == pytest.approx(runner.segment.planned_s - 0.3)


def test_stale_after_two_seconds_without_updates(rig, screen, qtbot, tmp_path):
    rt, bridge, clock, runner = rig
    runner.start()
    for _ in range(19):                                # heartbeats keep it fresh
        clock.advance(0.1)
        rt.tick()
        settle(qtbot, screen)
    assert not screen.stale
    clock.advance(1.9)                                 # the runner froze: no ticks
    settle(qtbot, screen)
    assert not screen.stale
    clock.advance(0.2)
    qtbot.waitUntil(lambda: screen.stale, timeout=1000)   # its own timer notices
    img = screen.grab().toImage()
    assert img.pixelColor(960, 540).name() == "#f5a524"      # the amber STALE band across the middle
    screen.grab().save(str(tmp_path / "stale.png"))
    rt.tick()
    settle(qtbot, screen)
    assert not screen.stale


def test_messages_normal_blink_blackout(rig, screen, qtbot):
    rt, bridge, clock, runner = rig
    runner.start()
    runner.send_message("看镜头，准备福袋", "normal")
    settle(qtbot, screen)
    assert screen.state["message"]["text"] == "看镜头，准备福袋"
    img = screen.grab().toImage()
    # the message band sits between the product and NEXT: it never covers the countdown or the product
    assert img.pixelColor(20, int(0.84 * 1080)).name() == "#1f6feb"
    assert img.pixelColor(20, 540).name() != "#1f6feb"
    runner.send_message("黑屏", "blackout")
    settle(qtbot, screen)
    img = screen.grab().toImage()
    assert img.pixelColor(20, 540).name() == "#000000" and img.pixelColor(20, 100).name() == "#000000"
    runner.send_message("闪烁", "blink")
    settle(qtbot, screen)
    assert screen.state["message"]["style"] == "blink"
    runner.clear_message()
    settle(qtbot, screen)
    assert screen.state["message"] is None


def test_on_backup_with_stall_talk_track_and_alerts(rig, screen, qtbot, tmp_path):
    rt, bridge, clock, runner = rig
    runner.start()
    talk = "画面卡了一下，宝宝们稍等，福袋马上开"
    rt.journal.append(rt.session_id, "stream.failover", "guard", {"talk_track": talk, "on_backup": True})
    settle(qtbot, screen)
    assert screen.on_backup and screen.backup_talk == talk
    screen.grab().save(str(tmp_path / "backup.png"))
    alert = rt.alerts.raise_alert(Alert("traffic_drop", "warning", "在线人数下降：发福袋", source="metrics",
                                        to_cue=True))
    rt.alerts.raise_alert(Alert("internal", "info", "not for the host", source="metrics"))
    settle(qtbot, screen)
    assert [t for t, _ in screen.alerts.values()] == ["在线人数下降：发福袋"]
    rt.alerts.acknowledge(alert.alert_id)
    settle(qtbot, screen)
    assert not screen.alerts
    rt.journal.append(rt.session_id, "stream.returned", "guard", {})
    settle(qtbot, screen)
    assert not screen.on_backup


def test_no_console_no_product(rig, screen, qtbot):
    """Without a console nothing can be bought: the host is not shown the plan's product and price as if it
    were on sale (issue 12 finding 1; the console-backed cases are in tests/ui/test_screens_truth.py)."""
    rt, bridge, clock, runner = rig
    runner.goto("8")                                     # the serum block: SER-002 in the plan
    runner.start()
    rt.bus.publish("console.state", {"products": [{"sku": "SER-002", "live_price_fen": 17900, "stock": 37}]})
    settle(qtbot, screen)
    assert screen.product() is None
    screen.grab()
    assert "¥179" not in " ".join(t for t, _ in screen.drawn)


def test_nothing_smaller_than_four_percent(rig, screen, qtbot):
    from PySide6.QtGui import QFont
    sizes = []
    orig = screen._font

    def spy(frac, mono=False, bold=True) -> QFont:
        f = orig(frac, mono, bold)
        sizes.append(f.pixelSize())
        return f
    screen._font = spy
    rig[3].start()
    rig[3].send_message("准备收尾", "normal")
    settle(qtbot, screen)
    screen.grab()
    assert sizes and min(sizes) >= int(0.04 * screen.height())


def test_screenshot_at_1080p(rig, screen, qtbot, tmp_path):
    rt, bridge, clock, runner = rig
    runner.goto("4")
    runner.start()
    clock.advance(8 * 60)                                # the mask offer starts at 8:00 into the block
    rt.tick()
    clock.advance(60)
    rt.tick()
    settle(qtbot, screen)
    path = tmp_path / "cue.png"
    assert screen.grab().save(str(path))
    img = screen.grab().toImage()
    assert (img.width(), img.height()) == (1920, 1080)
    assert img.pixelColor(5, 5).name() == "#000000"      # black background
    # the plan's mask offer fired with no console ("console absent"): nothing went live, so no countdown is shown
    assert screen.product() is None


def test_panel_keys_drive_the_runner(rig, qtbot, tmp_path):
    from PySide6.QtCore import Qt
    from ui.panels.rundown import create_panel
    rt, bridge, clock, runner = rig
    panel = create_panel(rt, bridge)
    qtbot.addWidget(panel)
    panel.resize(420, 800)
    panel.show()
    panel.activateWindow()
    with qtbot.waitActive(panel):
        panel.activateWindow()
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert runner.status == "running"
    qtbot.keyClick(panel, Qt.Key.Key_N)
    assert runner.index == 1
    qtbot.keyClick(panel, Qt.Key.Key_Plus)
    assert runner.added_s == 60
    qtbot.keyClick(panel, Qt.Key.Key_Minus)
    assert runner.added_s == 0
    qtbot.keyClick(panel, Qt.Key.Key_B)
    assert runner.index == 0
    qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert runner.status == "paused"
    clock.advance(400)
    rt.tick()
    qtbot.wait(10)
    assert "behind" in panel.offset_label.text() or "落后" in panel.offset_label.text()
    assert panel.table.rowCount() == 20
    assert "▶" in panel.table.item(0, 0).text()
    qtbot.wait(20)
    panel.grab().save(str(tmp_path / "panel.png"))
    panel2 = create_panel(rt, bridge)                  # rebuildable: state comes from the runner
    qtbot.addWidget(panel2)
    assert panel2.timer_label.text() == panel.timer_label.text()
