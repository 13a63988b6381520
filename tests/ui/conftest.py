"""UI fixtures: the whole app on the simulated shop and the sample show (tests/conftest.py's `runtime`), in a
language."""
from __future__ import annotations

import pytest


@pytest.fixture
def lang():
    """Set the UI language for a test (Qt's translators); back to English afterwards."""
    from ui import i18n
    used = []

    def set_lang(code: str) -> None:
        i18n.load(code)
        used.append(code)
    yield set_lang
    if used:
        i18n.load("en")


@pytest.fixture
def main_window(qtbot, runtime):
    """The operator's window at 1366×768 on a new show (ready, not on air); closes without asking."""
    from ui.main_window import MainWindow
    runtime.new_show()
    win = MainWindow(runtime)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win._quit_confirmed = True
    win.close()
