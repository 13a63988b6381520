"""Issue 11, finding 4 for the rundown: an unterminated quote, a directory, a file that is not UTF-8,
durations out of range are refused naming file, row and column; the control API refuses
`add?seconds=nan|inf|1e12` with 400, journals no NaN, and `state` keeps working."""
from __future__ import annotations

import datetime as dt
import math

import pytest
import requests

from controlroom.clock import ManualClock
from controlroom.journal import Journal
from controlroom.rundown import files
from controlroom.rundown.control_api import ControlAPI
from controlroom.rundown.files import RundownImportError
from controlroom.rundown.model import Rundown, Segment
from controlroom.rundown.runner import Runner

HEADER = "cue,title,kind,duration,talk_track\n"
TOKEN = "tok-for-input-tests"


def test_an_unterminated_quote_does_not_swallow_segment_2(tmp_path):
    p = tmp_path / "rundown.csv"
    p.write_text(HEADER + '1,Opening,opening,3:00,"Welcome everyone\n2,Lipstick,product,17:00,Three-second pitch\n'
                 "3,Closing,closing,5:00,Thanks\n", encoding="utf-8")
    with pytest.raises(RundownImportError) as err:
        files.load(p)
    issue = err.value.issues[0]
    assert issue.row == 2 and issue.file == "rundown.csv"
    assert "never closed" in str(err.value) or "row of its own" in str(err.value)


def test_a_directory_as_the_rundown_path(tmp_path):
    d = tmp_path / "rundown.csv"
    d.mkdir()
    with pytest.raises(RundownImportError, match="is a directory"):
        files.load(d)
    x = tmp_path / "rundown.xlsx"
    x.mkdir()
    with pytest.raises(RundownImportError, match="is a directory"):
        files.load(x)


def test_a_gbk_rundown_says_not_utf8(tmp_path):
    p = tmp_path / "rundown.csv"
    p.write_bytes((HEADER + "1,开场,opening,3:00,欢迎\n").encode("gbk"))
    with pytest.raises(RundownImportError, match=r"not UTF-8 \(GBK\?\)"):
        files.load(p)


@pytest.mark.parametrize("duration, why", [("99999999:00:00", "duration"), ("25:00:00", "longer than a day")])
def test_durations_out_of_range_are_refused(tmp_path, duration, why):
    p = tmp_path / "rundown.csv"
    p.write_text(HEADER + f"1,Opening,opening,{duration},hi\n", encoding="utf-8")
    with pytest.raises(RundownImportError) as err:
        files.load(p)
    assert err.value.issues[0].row == 2 and err.value.issues[0].column == "duration"
    assert why in str(err.value)


def test_a_negative_xlsx_duration_is_refused():
    with pytest.raises(RundownImportError) as err:
        files.parse_rows([["cue", "title", "kind", "duration"], ["1", "Opening", "opening", dt.timedelta(seconds=-300)]],
                         file="rundown.xlsx")
    assert err.value.issues[0].row == 2 and err.value.issues[0].column == "duration"


@pytest.fixture
def api(tmp_path):
    clock = ManualClock()
    journal = Journal(tmp_path / "j.sqlite", clock=clock)
    sid = journal.new_session("api")
    runner = Runner(Rundown(tuple(Segment(str(i), f"S{i}", "product", 600) for i in (1, 2))), clock,
                    journal=journal, session_id=sid)
    server = ControlAPI(runner, TOKEN, port=0).start()
    yield server, runner, journal, sid
    server.stop()
    journal.close()


@pytest.mark.parametrize("seconds", ["nan", "inf", "-inf", "1e12", "Infinity", "1_000", "86401", "", "abc"])
def test_control_api_refuses_seconds_that_are_not_a_finite_amount(api, seconds):
    server, runner, journal, sid = api
    h = {"X-Control-Token": TOKEN}
    assert requests.get(server.url + "start", headers=h, timeout=5).status_code == 200
    r = requests.get(server.url + "add", params={"seconds": seconds}, headers=h, timeout=5)
    assert r.status_code == 400 and r.json()["ok"] is False and "seconds" in r.json()["error"]
    assert [e for e in journal.events(sid) if e.kind == "rundown.time_changed"] == []
    state = requests.get(server.url + "state", headers=h, timeout=5)
    assert state.status_code == 200 and state.json()["ok"] is True
    ok = requests.get(server.url + "add", params={"seconds": "-30.5"}, headers=h, timeout=5)
    assert ok.status_code == 200
    changed = [e.payload for e in journal.events(sid) if e.kind == "rundown.time_changed"]
    assert changed[-1]["delta_s"] == -30.5 and all(math.isfinite(v) for v in changed[-1].values()
                                                   if isinstance(v, float))


def test_the_runner_refuses_a_non_finite_time_change(api):
    _, runner, journal, sid = api
    runner.start()
    for bad in (math.nan, math.inf, 1e12):
        with pytest.raises(ValueError, match="seconds"):
            runner.add_time(bad)
    assert "rundown.time_changed" not in [e.kind for e in journal.events(sid)]


def test_the_journal_never_holds_nan(tmp_path):
    j = Journal(tmp_path / "j.sqlite")
    sid = j.new_session("x")
    with pytest.raises(ValueError, match="finite"):
        j.append(sid, "rundown.time_changed", "op", {"delta_s": math.nan})
    with pytest.raises(ValueError, match="finite"):
        j.append(sid, "rundown.time_changed", "op", {"nested": [1.0, math.inf]})
    assert [e.kind for e in j.events(sid)] == ["session.created"]
    j.close()
