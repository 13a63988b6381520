"""The console's test rig, on the one runtime fixture (tests/conftest.py) and the in-memory shop (tests/fakes.py)."""
from __future__ import annotations

import pytest

from controlroom.commerce.supervisor import set_supervisor_pin
from tests.fakes import PIN, PLAN, FakeShop


@pytest.fixture
def setup(tmp_path, manual_clock, make_runtime):
    """(runtime, console, FakeShop, clock) on a show whose products.csv is PLAN; the supervisor PIN is PIN."""
    show = tmp_path / "show"
    show.mkdir()
    (show / "products.csv").write_text(PLAN, encoding="utf-8")
    shop = FakeShop()
    rt = make_runtime(clock=manual_clock, platform=shop, show_dir=show, rooms={"console": "controlroom.commerce.room"})
    set_supervisor_pin(rt.settings, PIN)
    rt.new_show("test")
    return rt, rt.console, shop, manual_clock
