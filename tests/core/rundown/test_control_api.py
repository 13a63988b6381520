"""The local control API over real HTTP on 127.0.0.1: token required, every button works."""
from __future__ import annotations

import json
import os
import stat

import pytest
import requests

from controlroom.clock import ManualClock
from controlroom.journal import Journal
from controlroom.rundown import control_api
from controlroom.rundown.control_api import ControlAPI, control_token
from controlroom.rundown.model import Rundown, Segment
from controlroom.rundown.runner import Runner

TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def api(tmp_path):
    clock = ManualClock()
    journal = Journal(tmp_path / "j.sqlite", clock=clock)
    sid = journal.new_session("api")
    rundown = Rundown(tuple(Segment(str(i), f"段{i}", "product", 600) for i in range(1, 4)))
    runner = Runner(rundown, clock, journal=journal, session_id=sid)
    server = ControlAPI(runner, TOKEN, port=0).start()
    yield server, runner, clock
    server.stop()
    journal.close()


def call(server, action, method="get", **kw):
    return getattr(requests, method)(server.url + action, timeout=5, **kw)


def test_listens_on_localhost_only(api):
    server = api[0]
    assert server._server.server_address[0] == "127.0.0.1"
    with pytest.raises(ValueError):
        ControlAPI(api[1], TOKEN, port=0, host="0.0.0.0")


def test_token_required(api):
    server, runner = api[0], api[1]
    r = call(server, "next")
    assert r.status_code == 401 and r.json()["ok"] is False
    assert call(server, "next", params={"token": "wrong"}).status_code == 403
    assert call(server, "next", headers={"Authorization": "Bearer nope"}).status_code == 403
    assert runner.status == "idle"                          # nothing happened
    assert call(server, "state", headers={"X-Control-Token": TOKEN}).status_code == 200
    assert call(server, "state", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_buttons_drive_the_runner_and_are_journaled(api):
    server, runner, clock = api
    q = {"token": TOKEN}
    assert call(server, "toggle", params=q).json()["status"] == "running"
    clock.advance(30)
    body = call(server, "plus1", params=q).json()
    assert body["ok"] and body["display"] == "10:30"
    call(server, "minus1", method="post", params=q)
    call(server, "add", params={**q, "seconds": "-30"})
    assert runner.remaining() == pytest.approx(540)
    assert call(server, "next", params=q).json()["cue"] == "2"
    assert call(server, "previous", params=q).json()["cue"] == "1"
    assert call(server, "goto", params={**q, "cue": "3"}).json()["cue"] == "3"
    assert call(server, "pause", params=q).json()["status"] == "paused"
    assert call(server, "resume", params=q).json()["status"] == "running"
    call(server, "message", params={**q, "text": "看镜头", "style": "normal"})
    assert runner.message["text"] == "看镜头"
    r = call(server, "message", method="post", headers={"X-Control-Token": TOKEN, "Content-Type": "application/json"},
             data=json.dumps({"text": "准备收尾", "style": "blink"}).encode())
    assert r.status_code == 200
    assert runner.message == {"text": "准备收尾", "style": "blink", "banned_terms": []}
    call(server, "clear", params=q)
    assert runner.message is None
    state = call(server, "state", params=q).json()
    assert state["status"] == "running" and state["index"] == 2
    actors = {e.actor for e in runner.journal.events(runner.session_id, prefix="rundown.")
              if e.kind != "rundown.overtime"}
    assert actors == {"control-api"}


def test_bad_requests(api):
    server = api[0]
    q = {"token": TOKEN}
    assert call(server, "explode", params=q).status_code == 404
    assert call(server, "goto", params={**q, "cue": "42"}).status_code == 400
    assert call(server, "add", params={**q, "seconds": "lots"}).status_code == 400
    assert call(server, "message", params={**q, "text": "hi", "style": "shout"}).status_code == 400
    assert requests.get(f"http://127.0.0.1:{server.port}/other?token={TOKEN}", timeout=5).status_code == 404


def test_token_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(control_api.TOKEN_ENV, raising=False)
    first = control_token(tmp_path)
    assert len(first) >= 24 and control_token(tmp_path) == first       # memory keyring in tests
    # no keyring backend at all: kept in a user-only file in the data dir
    monkeypatch.setattr(control_api, "get_secret", lambda *a, **k: None)

    def no_keyring(*a):
        raise RuntimeError("no backend")
    monkeypatch.setattr(control_api, "set_secret", no_keyring)
    other = tmp_path / "other"
    other.mkdir()
    tok = control_token(other)
    f = other / "control_api_token"
    assert f.read_text() == tok and control_token(other) == tok
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
