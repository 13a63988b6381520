"""Issue 11 at the app's edge: a data dir another writer holds, or one the disk refuses, gets a clear
dialog and exit 2 (never a traceback or a raw OperationalError); a guard's open session is never
offered as a show to resume; the status strip shows JOURNAL ERROR with the reason."""
from __future__ import annotations

import argparse
import os
import socket

import pytest

pytest.importorskip("PySide6")


@pytest.fixture
def dialogs(monkeypatch):
    """Every critical dialog the app would show, recorded instead of blocking the test."""
    from PySide6.QtWidgets import QMessageBox
    shown: list[tuple[str, str]] = []

    def critical(parent, title, text, *a, **kw):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    # an app that starts anyway must not block the test in its event loop: it returns at once
    from PySide6.QtWidgets import QApplication
    monkeypatch.setattr(QApplication, "exec", lambda *a: 0)
    return shown


def test_the_app_refuses_a_data_dir_another_writer_holds(qtbot, tmp_path, dialogs):
    from controlroom.datadir import claim
    from ui import app
    lock = claim(tmp_path / "data", "guard")   # e.g. the headless guard runs on this data dir
    try:
        code = app.main(["--data-dir", str(tmp_path / "data"), "--no-autostart", "--lang", "en"])
    finally:
        lock.release()
    assert code == 2
    assert len(dialogs) == 1
    title, text = dialogs[0]
    assert "in use" in title
    assert f"pid {os.getpid()}" in text and socket.gethostname() in text and "since" in text and "guard" in text


def test_the_app_on_a_read_only_data_dir_says_so(qtbot, tmp_path, dialogs, make_read_only):
    from ui import app
    data = tmp_path / "data"
    data.mkdir()
    make_read_only(data)
    code = app.main(["--data-dir", str(data), "--no-autostart", "--lang", "en"])
    assert code == 2
    assert len(dialogs) == 1 and "read-only" in dialogs[0][1]
    assert "OperationalError" not in dialogs[0][1]


def test_the_app_on_a_full_disk_says_so(qtbot, full_dir, dialogs):
    from ui import app
    code = app.main(["--data-dir", str(full_dir / "data"), "--no-autostart", "--lang", "en"])
    assert code == 2
    assert len(dialogs) == 1 and "full" in dialogs[0][1]


def test_a_running_guard_session_is_never_offered_for_resume(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from controlroom.clock import ManualClock
    from controlroom.journal import Journal
    from controlroom.runtime import Runtime
    from tests.fakes import NoShop
    from ui.app import choose_session
    j = Journal(tmp_path / Journal.FILENAME)
    g = j.new_session(f"guard {socket.gethostname()}", {"kind": "guard"})
    j.start_session(g, actor="guard")
    j.close()
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()) or 0)

    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    try:
        choose_session(rt, argparse.Namespace(resume="ask", no_autostart=True, show=None))
        assert asked == [], "a guard's session was offered as a crashed show"
        assert rt.session_id != g and rt.journal.session(rt.session_id).kind == "show"
    finally:
        rt.close()


def test_status_strip_shows_journal_error_with_the_reason_and_clears_on_recovery(qtbot, tmp_path):
    from controlroom.clock import ManualClock
    from controlroom.journal import JournalWriteError
    from controlroom.runtime import Runtime
    from tests.fakes import NoShop
    from ui import i18n
    from ui.bridge import QtBridge
    from ui.status_strip import StatusStrip

    i18n.load("en")
    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    try:
        sid = rt.new_show("Show")
        bridge = QtBridge(rt.bus)
        strip = StatusStrip(rt, bridge)
        qtbot.addWidget(strip)
        assert "Journal OK" in strip.journal.text()
        # the disk fills: SQLITE_FULL, as a full disk gives it (max_page_count pinned at the file's size)
        pages = rt.journal._db.execute("PRAGMA page_count").fetchone()[0]
        rt.journal._db.execute(f"PRAGMA max_page_count={pages}")
        with pytest.raises(JournalWriteError):
            rt.journal.append(sid, "console.note", "operator", {"blob": "x" * 200_000})
        qtbot.waitUntil(lambda: "JOURNAL ERROR" in strip.journal.text(), timeout=3000)
        assert "full" in strip.journal.text()          # the reason, on the strip itself
        assert "full" in strip.journal.toolTip()
        rt.journal._db.execute(f"PRAGMA max_page_count={pages * 1000}")
        rt.journal.append(sid, "console.note", "operator", {"message": "back"})
        qtbot.waitUntil(lambda: "Journal OK" in strip.journal.text(), timeout=3000)
        bridge.close()
    finally:
        rt.close()


def test_resume_at_start_rebuilds_off_the_gui_thread_and_shows_progress(qtbot, tmp_path, monkeypatch):
    """A 3-hour show takes seconds to rebuild from the journal: the rebuild runs on a worker while the GUI thread
    keeps its event loop turning and shows that it is working (it used to freeze, with no window, ~2.4 s)."""
    import threading
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from controlroom.clock import ManualClock
    from controlroom.runtime import Runtime
    from tests.fakes import NoShop
    from ui.app import choose_session

    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    sid = rt.new_show()
    rt.journal.start_session(sid, actor="op")
    seen = {}
    real_resume = rt.resume

    def slow_resume(session_id):
        seen["thread"] = threading.current_thread()
        time.sleep(0.6)
        real_resume(session_id)
    monkeypatch.setattr(rt, "resume", slow_resume)
    ticks, shown = [], []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.timeout.connect(lambda: shown.extend(w.labelText() for w in QApplication.topLevelWidgets()
                                               if isinstance(w, QProgressDialog) and w.isVisible()))
    timer.start(50)
    try:
        choose_session(rt, argparse.Namespace(resume="yes", no_autostart=True, show=None))
        assert rt.session_id == sid
        assert seen["thread"] is not threading.main_thread()
        assert len(ticks) >= 5, "the GUI thread's event loop stood still during the rebuild"
        assert shown and "journal" in shown[0].lower()
    finally:
        timer.stop()
        rt.close()
