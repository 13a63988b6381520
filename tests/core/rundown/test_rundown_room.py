"""The rundown room inside a real Runtime: plan journaled on a new show, rebuilt on resume."""
from __future__ import annotations

import pytest

from controlroom.clock import ManualClock
from tests.fakes import NoShop


def make_rt(make_runtime, clock):
    return make_runtime(clock=clock, platform=NoShop(), rooms={"rundown": "controlroom.rundown.room"})


def test_new_show_journals_the_plan_and_resume_rebuilds(make_runtime):
    clock = ManualClock()
    rt = make_rt(make_runtime, clock)
    room = rt.rundown
    assert room.load_error is None and len(room.runner.rundown) == 20
    sid = rt.new_show()
    rt.start()
    loaded = rt.journal.events(sid, kinds=["rundown.loaded"])
    assert len(loaded) == 1 and len(loaded[0].payload["segments"]) == 20
    room.runner.start()
    clock.advance(190)
    room.runner.next()
    clock.advance(100)
    rt.tick()
    before = room.runner.snapshot()
    rt.close()                                 # "crash"

    clock.advance(5)
    rt2 = make_rt(make_runtime, clock)
    assert [s.id for s in rt2.open_sessions()] == [sid]
    rt2.resume(sid)
    after = rt2.rundown.runner.snapshot()
    assert after["index"] == 1 and after["status"] == "running"
    assert after["remaining_s"] == pytest.approx(before["remaining_s"] - 5, abs=1e-3)
    assert after["offset_s"] == pytest.approx(10, abs=1e-3)
    rt2.close()


def test_settings_section_and_bad_file(data_dir, tmp_path, make_runtime):
    bad = tmp_path / "bad.csv"
    bad.write_text("cue,title,kind,duration\n1,开场,opening,three minutes\n", encoding="utf-8")
    (data_dir / "settings.toml").write_text(f'[rundown]\nrundown_file = "{bad}"\nmax_gap_minutes = 15\n',
                                            encoding="utf-8")
    rt = make_rt(make_runtime, ManualClock())
    room = rt.rundown
    assert room.settings.max_gap_minutes == 15
    assert "row 2" in room.load_error and "duration" in room.load_error
    assert len(room.runner.rundown) == 0
    room.runner.start()                        # nothing to run: no crash
    assert room.runner.status == "idle"
    rt.close()


def test_control_api_started_by_the_room_when_enabled(data_dir, monkeypatch, make_runtime):
    import requests
    monkeypatch.setenv("CONTROLROOM_CONTROL_TOKEN", "tok-from-env")
    (data_dir / "settings.toml").write_text("[rundown]\ncontrol_api_enabled = true\ncontrol_api_port = 0\n",
                                            encoding="utf-8")
    rt = make_rt(make_runtime, ManualClock())
    rt.new_show()
    api = rt.rundown.control_api
    assert api is not None
    assert requests.get(api.url + "next", timeout=5).status_code == 401
    r = requests.post(api.url + "next", headers={"X-Control-Token": "tok-from-env"}, timeout=5)
    assert r.status_code == 200 and r.json()["status"] == "running"
    started = rt.journal.events(rt.session_id, kinds=["rundown.started"])
    assert started[0].actor == "control-api"
    rt.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(api.url + "state", timeout=2)
