"""UI fixtures: the whole app on the simulated shop and the sample show, in a language."""
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
def app_rt(data_dir):
    """A runtime like the app's: the simulator, the sample show, every room."""
    from controlroom.runtime import Runtime
    rt = Runtime.create(data_dir)
    yield rt
    rt.close()


@pytest.fixture
def main_window(qtbot, app_rt):
    """The operator's window at 1366×768 on a new show (ready, not on air); closes without asking."""
    from ui.main_window import MainWindow
    app_rt.new_show()
    win = MainWindow(app_rt)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win._quit_confirmed = True
    win.close()
