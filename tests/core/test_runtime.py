"""The composition root: rooms attach, sessions notify them, resume is journaled."""
from __future__ import annotations

import sys
import types

from controlroom.clock import ManualClock
from controlroom.runtime import Runtime
from tests.fakes import NoShop


class _Room:
    def __init__(self):
        self.calls = []

    def on_session(self, sid, resumed):
        self.calls.append(("session", sid, resumed))

    def tick(self):
        self.calls.append(("tick",))
        raise RuntimeError("a broken room must not stop the others")

    def close(self):
        self.calls.append(("close",))


def test_rooms_attach_and_follow_the_session(tmp_path, monkeypatch):
    room = _Room()
    mod = types.ModuleType("tests_fake_room")
    mod.attach = lambda rt: room
    monkeypatch.setitem(sys.modules, "tests_fake_room", mod)
    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(),
                        rooms={"fake": "tests_fake_room", "missing": "controlroom.no_such_room"})
    assert rt.services == [room] and rt.console is None
    sid = rt.new_show("Test show")
    rt.start()
    rt.tick()
    rt.resume(sid)
    rt.close()
    assert ("session", sid, False) in room.calls and ("session", sid, True) in room.calls
    assert ("tick",) in room.calls and room.calls[-1] == ("close",)


def test_open_session_survives_reopen(tmp_path):
    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    sid = rt.new_show("Crashy show")
    rt.start()
    rt.abandon()  # as if killed: never ended; the kernel drops the writer lock
    rt2 = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    assert [s.id for s in rt2.open_sessions()] == [sid]
    rt2.resume(sid)
    kinds = [e.kind for e in rt2.journal.events(sid)]
    assert kinds[-1] == "session.resumed"
    rt2.close()


def test_platform_kind_from_settings(tmp_path):
    import pytest
    from controlroom.settings import SettingsError
    (tmp_path / "settings.toml").write_text('[platform]\nkind = "carrier-pigeon"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="kind"):
        Runtime.create(tmp_path, clock=ManualClock(), rooms={})
    (tmp_path / "settings.toml").write_text(
        '[platform]\nkind = "http"\n[platform.http]\nbase_url = "http://127.0.0.1:9"\nauth_required = false\n',
        encoding="utf-8")
    rt = Runtime.create(tmp_path, clock=ManualClock(), rooms={})
    assert type(rt.platform).__name__ == "HttpPlatform"
    rt.close()
    (tmp_path / "settings.toml").write_text("", encoding="utf-8")
    rt = Runtime.create(tmp_path, clock=ManualClock(), rooms={})
    assert type(rt.platform).__name__ == "SimulatedShop"
    rt.close()


def test_going_live_starts_the_run_of_show(tmp_path):
    rt = Runtime.create(tmp_path, clock=ManualClock())
    try:
        rt.new_show()
        runner = rt.rundown.runner
        assert runner.status == "idle"
        rt.start()
        assert runner.status == "running"
        assert any(e.kind == "rundown.started" for e in rt.journal.events(rt.session_id))
    finally:
        rt.close()
