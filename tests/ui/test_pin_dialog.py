"""Setting the supervisor PIN from the UI: hash only, current PIN required to change, journaled without the PIN."""
from __future__ import annotations

from controlroom.clock import ManualClock
from controlroom.commerce.supervisor import SupervisorSettings, verify_pin


def test_set_and_change_pin(qtbot, tmp_path, make_runtime):
    from ui.pin_dialog import PinDialog
    rt = make_runtime(tmp_path, clock=ManualClock(), rooms={})
    rt.new_show()
    try:
        dlg = PinDialog(rt)
        qtbot.addWidget(dlg)
        dlg.new1.setText("12"); dlg.new2.setText("12")
        dlg.try_accept()
        assert "at least" in dlg.error.text()
        dlg.new1.setText("482193"); dlg.new2.setText("482194")
        dlg.try_accept()
        assert "differ" in dlg.error.text()
        dlg.new2.setText("482193")
        dlg.try_accept()
        stored = rt.settings.section("supervisor", SupervisorSettings).pin_hash
        assert stored and "482193" not in stored and verify_pin(stored, "482193")
        assert "482193" not in (tmp_path / "settings.toml").read_text(encoding="utf-8")

        again = PinDialog(rt)
        qtbot.addWidget(again)
        again.current.setText("000000"); again.new1.setText("907531"); again.new2.setText("907531")
        again.try_accept()
        assert "wrong" in again.error.text()
        again.current.setText("482193")
        again.try_accept()
        assert verify_pin(rt.settings.section("supervisor", SupervisorSettings).pin_hash, "907531")
        events = [e for e in rt.journal.events(rt.session_id) if e.kind == "console.supervisor_pin_changed"]
        assert len(events) == 2 and all("482193" not in str(e.payload) and "907531" not in str(e.payload) for e in events)
    finally:
        rt.close()


def test_a_pin_changed_in_the_dialog_works_at_once_in_the_console(qtbot, tmp_path, make_runtime):
    import pytest
    from controlroom.commerce.service import Override, OverrideRefused
    from tests.fakes import PLAN, FakeShop
    from ui.pin_dialog import PinDialog
    show = tmp_path / "show"
    show.mkdir()
    (show / "products.csv").write_text(PLAN, encoding="utf-8")
    rt = make_runtime(clock=ManualClock(), platform=FakeShop(), show_dir=show,
                      rooms={"console": "controlroom.commerce.room"})
    rt.new_show()
    try:
        for current, new in ((None, "482193"), ("482193", "907531")):
            dlg = PinDialog(rt)
            qtbot.addWidget(dlg)
            if current:
                dlg.current.setText(current)
            dlg.new1.setText(new)
            dlg.new2.setText(new)
            dlg.try_accept()
        t = rt.console.change_price("A", 800)            # a shifted decimal point: blocked
        with pytest.raises(OverrideRefused, match="wrong PIN"):
            rt.console.submit(t, override=Override("Wang", "482193", "the old PIN must not work"))
        rt.console.submit(t, override=Override("Wang", "907531", "the new PIN works at once")).result()
        assert rt.platform.products["A"].price == 800
    finally:
        rt.close()
