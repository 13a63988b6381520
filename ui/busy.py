"""Long work at start-up, off the GUI thread, with a dialog that says what is happening.

Used where nothing else of the app runs yet (before the main window exists: no timers, no Qt subscribers
of the bus), so the work may use the runtime from a worker thread while the GUI thread only turns its
event loop — the window manager sees a live application and the operator sees why it waits.
"""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def run_busy(title: str, text: str, work: Callable[[], T], show_after_ms: int = 200) -> T:
    """Run `work` on a worker thread; meanwhile keep the event loop turning and, after `show_after_ms`, show a
    busy dialog. Returns what `work` returns, or raises what it raised, on the calling (GUI) thread."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QProgressDialog

    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as e:   # handed to the GUI thread, raised there
            result["error"] = e

    worker = threading.Thread(target=run, name="busy", daemon=True)
    dlg = QProgressDialog(text, None, 0, 0)     # no cancel: half a rebuild is worse than waiting for it
    dlg.setWindowTitle(title)
    dlg.setWindowModality(Qt.WindowModality.ApplicationModal)
    dlg.setMinimumDuration(0)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.hide()
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(30)
    poll.timeout.connect(lambda: None if worker.is_alive() else loop.quit())
    QTimer.singleShot(show_after_ms, lambda: worker.is_alive() and dlg.show())
    worker.start()
    poll.start()
    loop.exec()
    poll.stop()
    worker.join()
    dlg.close()
    dlg.deleteLater()
    if "error" in result:
        raise result["error"]            # type: ignore[misc]
    return result.get("value")           # type: ignore[return-value]
