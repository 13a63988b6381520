"""Run the operator window on a screen of a given size (Qt's offscreen platform with a screen of that size), go on
air, and print what is cut or out of sight as JSON. Used by tests/ui/test_layout_sizes.py in a subprocess, because a
Qt process has one set of screens:

    python -m tests.ui.layout_probe 1920x1080 en
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    size, lang = argv[0], argv[1]
    w, h = (int(x) for x in size.split("x"))
    cfg = Path(tempfile.mkdtemp(prefix="screen-")) / "screen.json"
    cfg.write_text(json.dumps({"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
                               "screens": [{"name": "s", "x": 0, "y": 0, "width": w, "height": h,
                                            "logicalDpiX": 96, "logicalDpiY": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={cfg}"
    from PySide6.QtCore import QPoint, QRect, QTimer
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication

    from controlroom.runtime import Runtime
    from ui import i18n, style
    from ui.main_window import MainWindow
    from ui.panels.console import COL

    app = QApplication(["probe"])
    style.apply(app)
    i18n.load(lang)
    rt = Runtime.create(Path(tempfile.mkdtemp(prefix="probe-")))
    rt.new_show()
    win = MainWindow(rt)
    win.setGeometry(app.primaryScreen().availableGeometry())
    win.show()
    win.start_show()
    problems: list[str] = []

    def inside(widget) -> bool:
        tl = widget.mapTo(win, QPoint(0, 0))
        return QRect(0, 0, win.width(), win.height()).contains(QRect(tl, widget.size()))

    def fits(b) -> bool:
        fm = QFontMetrics(b.font())
        return all(fm.horizontalAdvance(line) <= b.contentsRect().width() - 6 for line in b.text().split("\n"))

    def check():
        if win.width() > w or win.height() > h:
            problems.append(f"window {win.width()}x{win.height()} larger than the screen")
        table = win.console.table
        for key in ("list", "live", "net", "stock", "listed", "offer"):
            c = COL[key]
            if table.horizontalHeader().sectionViewportPosition(c) + table.columnWidth(c) > table.viewport().width():
                problems.append(f"console column {key} out of sight")
        for b in list(win.console.buttons.values()) + list(win.docks["rundown"].widget().buttons.values()):
            if not (b.isVisible() and inside(b) and fits(b)):
                problems.append(f"button {b.text()!r} cut or out of sight")
        metrics = win.docks["metrics"].widget().widget()
        for key, tile in metrics.tiles.items():
            if not tile.isVisible():
                continue
            if tile.width() < tile.minimumSizeHint().width() - 1:
                problems.append(f"tile {key} narrower than it needs")
            for label in (tile.title, tile.value):
                if label.width() < QFontMetrics(label.font()).horizontalAdvance(label.text()):
                    problems.append(f"tile {key} label {label.text()!r} cut")
            if tile.bar.isVisible() and QFontMetrics(tile.bar.font()).horizontalAdvance(tile.bar.text()) > tile.bar.width():
                problems.append(f"tile {key} bar text cut")
        for label in (win.strip.session, win.strip.segment, win.strip.stream, win.strip.alerts, win.strip.journal):
            if label.width() < label.sizeHint().width() - 1:
                problems.append(f"strip text {label.text()!r} cut")
        print(json.dumps({"size": size, "lang": lang, "compact": win.compact, "problems": problems}))
        win._quit_confirmed = True
        win.close()
        app.quit()

    QTimer.singleShot(3000, check)
    app.exec()
    rt.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
