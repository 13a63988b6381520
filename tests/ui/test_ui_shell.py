"""The app shell: the main window opens offscreen on the simulator and the event feed follows the journal."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


@pytest.fixture
def window(qtbot, runtime):
    from ui import i18n
    from ui.main_window import MainWindow
    i18n.load("en")
    runtime.new_show()
    win = MainWindow(runtime)
    qtbot.addWidget(win)
    win.show()
    return win


def test_feed_shows_journal_events_as_they_happen(qtbot, window, runtime):
    before = window.feed.model.rowCount()
    runtime.journal.append(runtime.session_id, "console.note", "operator", {"message": "hello feed"})
    qtbot.waitUntil(lambda: window.feed.model.rowCount() == before + 1, timeout=3000)
    assert window.feed.model.kinds()[-1] == "console.note"


def test_feed_follows_events_from_worker_threads(qtbot, window, runtime):
    import threading
    before = window.feed.model.rowCount()
    threads = [threading.Thread(target=runtime.journal.append,
                                args=(runtime.session_id, "stream.health", "guard", {"i": i})) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qtbot.waitUntil(lambda: window.feed.model.rowCount() == before + 5, timeout=3000)


def test_session_life_cycle_start_end_reopen(qtbot, window, runtime, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(window, "recap_offer", lambda: None)
    window.start_show()
    sid = runtime.session_id
    assert runtime.journal.session(sid).started_utc is not None
    window.end_show()
    assert runtime.journal.session(sid).ended_utc is not None
    window.new_show()
    assert runtime.session_id != sid
    runtime.resume(sid)
    window.feed.reload()
    assert "session.ended" in window.feed.model.kinds()


def test_feed_filter_by_category(qtbot, window, runtime):
    runtime.journal.append(runtime.session_id, "alert.raised", "metrics", {"severity": "warning", "title": "x"})
    runtime.journal.append(runtime.session_id, "stream.health", "guard", {"state": "HEALTHY"})
    qtbot.waitUntil(lambda: "stream.health" in window.feed.model.kinds(), timeout=3000)
    idx = window.feed.filter.findData("alerts")
    window.feed.filter.setCurrentIndex(idx)
    assert window.feed.proxy.rowCount() == 1


def test_the_simulated_rooms_journal_is_left_out_of_all_and_has_its_own_filter(qtbot, window, runtime):
    """The built-in simulator journals every input so a resume replays it (simulator.opened / .input): one
    row per shop action would double the log, so "All" leaves them out; the "Simulated room" filter shows
    them, in words."""
    from PySide6.QtCore import Qt
    runtime.platform.list_product(runtime.platform.skus[0], idempotency_key="feed-sim-1")
    qtbot.waitUntil(lambda: "simulator.input" in window.feed.model.kinds(), timeout=3000)
    assert "simulator.opened" in window.feed.model.kinds()

    def shown() -> list[str]:
        p = window.feed.proxy
        return [p.data(p.index(r, 2), Qt.ItemDataRole.DisplayRole) for r in range(p.rowCount())]
    assert window.feed.filter.currentData() == "all"
    assert window.feed.proxy.rowCount() == window.feed.model.rowCount() - window.feed.model.kinds().count(
        "simulator.opened") - window.feed.model.kinds().count("simulator.input")
    assert not [t for t in shown() if "Simulated room" in t]
    window.feed.filter.setCurrentIndex(window.feed.filter.findData("simulator"))
    sim = shown()
    assert "Simulated room opened" in sim and any(t.startswith("Simulated room input · list") for t in sim), sim


def test_language_switch_rebuilds_panels_in_chinese(qtbot, window):
    window.set_language("zh_CN")
    assert window.docks["feed"].windowTitle() != "Event feed"
    window.set_language("en")
    assert window.docks["feed"].windowTitle() == "Event feed"


def test_theme_is_dark(window):
    from PySide6.QtGui import QColor
    colour = window.feed.view.palette().color(window.feed.view.backgroundRole())
    img = window.grab().toImage()
    centre = QColor(img.pixel(img.width() // 2, img.height() - 5))
    assert centre.lightness() < 100, "the window should be dark for a dim studio"
