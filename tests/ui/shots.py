"""Screens to look at before calling a screen done (ui.md): the main window, a block ticket, a safety banner and
the host's cue screen, in one language at the display's size. Not a test: run it on a real X server, e.g.

    Xvfb :95 -screen 0 1366x768x24 & DISPLAY=:95 openbox &
    DISPLAY=:95 QT_QPA_PLATFORM=xcb .venv/bin/python -m tests.ui.shots zh_CN /tmp/shots

Writes main.png, ticket.png, banner.png, cue.png (and cue_message.png) into the folder.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    lang, out = argv[0], Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from controlroom.alerts import Alert
    from controlroom.commerce import commands as cmds
    from controlroom.runtime import Runtime
    from ui import i18n
    from ui.console_ticket import TicketDialog
    from ui.main_window import MainWindow
    from ui.style import stylesheet

    app = QApplication.instance() or QApplication(["shots"])
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    i18n.load(lang)
    rt = Runtime.create(Path(tempfile.mkdtemp(prefix="shots-")))
    rt.new_show()
    win = MainWindow(rt)
    screen = app.primaryScreen().availableGeometry()
    win.setGeometry(screen)
    win.show()
    win.start_show()
    steps = []

    def later(ms, fn):
        steps.append((ms, fn))

    def shoot(widget, name):
        widget.grab().save(str(out / name))

    later(6000, lambda: shoot(win, "main.png"))

    def stream_tab():
        win.docks["stream"].raise_()
        QTimer.singleShot(300, lambda: (shoot(win, "stream.png"), win.docks["metrics"].raise_()))
    later(6200, stream_tab)

    def ticket():
        t = rt.console.request(cmds.SetPrice("LIP-001", 65000))
        dlg = TicketDialog(t, win, product=rt.console.product("LIP-001"), settings=rt.console.settings)
        dlg.show()
        QTimer.singleShot(500, lambda: (shoot(dlg, "ticket.png"), dlg.reject()))
    later(6500, ticket)

    def banner():
        rt.alerts.raise_alert(Alert(rule="breaker_order_rate", severity="critical", source="console", sku="LIP-001",
                                    title="Circuit breaker", values={"orders": 40, "window_s": 60.0, "allowed": 20.0},
                                    to_cue=True))
        rt.alerts.raise_alert(Alert(rule="stream_failover_failed", severity="critical", source="stream",
                                    title="Failover FAILED", values={"method": "backup_encoder"}, to_cue=True))
    later(7500, banner)
    later(8500, lambda: shoot(win, "banner.png"))

    def cue():
        from controlroom.platform import CouponSpec
        rt.console.start_offer("SER-002", 17900, 150, confirmed=True)
        rt.console.issue_coupon(CouponSpec("SER-002", 0, 1000, 100), confirmed=True)   # 券后到手 under the price
        win.toggle_cue_screen()
    later(9000, cue)
    later(10500, lambda: shoot(win.cue_screen, "cue.png"))
    later(11000, lambda: rt.rundown.runner.send_message("准备福袋，看镜头" if lang == "zh_CN" else "Lucky bag next",
                                                        "normal"))
    later(12000, lambda: shoot(win.cue_screen, "cue_message.png"))

    def done():
        win._quit_confirmed = True
        win.close()
        app.quit()
    later(12500, done)
    for ms, fn in steps:
        QTimer.singleShot(ms, fn)
    app.exec()
    rt.close()
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
