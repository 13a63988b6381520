"""Issue 11, finding 6: files are private. The data dir is 0700; the journal (and its -wal/-shm),
settings.toml (the PIN hash) and the control-token file are 0600; anything found looser is
tightened with a notice — a log warning and a `datadir.permissions_tightened` journal event."""
from __future__ import annotations

import logging
import os
import stat

from controlroom.clock import ManualClock
from controlroom.datadir import JOURNAL_KIND
from controlroom.rundown import control_api
from controlroom.runtime import Runtime
from tests.fakes import NoShop


def mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_a_new_data_dir_is_private(tmp_path):
    data = tmp_path / "data"
    rt = Runtime.create(data, clock=ManualClock(), platform=NoShop(), rooms={})
    try:
        sid = rt.new_show("Private show")
        rt.journal.append(sid, "console.note", "operator", {"message": "x"})
        rt.settings.set("supervisor", "name", "Lee")   # the settings writer makes the file
        assert mode(data) == 0o700
        for name in ("journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm", "settings.toml", "writer.lock"):
            assert mode(data / name) == 0o600, name
        assert [e for e in rt.journal.events(sid) if e.kind == JOURNAL_KIND] == []   # nothing to tighten
    finally:
        rt.close()


def test_looser_files_are_tightened_with_a_notice(tmp_path, caplog):
    data = tmp_path / "data"
    Runtime.create(data, clock=ManualClock(), platform=NoShop(), rooms={}).close()
    (data / "settings.toml").write_text('[supervisor]\nname = "Lee"\n', encoding="utf-8")
    os.chmod(data, 0o755)
    os.chmod(data / "journal.sqlite", 0o644)
    os.chmod(data / "settings.toml", 0o644)
    with caplog.at_level(logging.WARNING, logger="controlroom.datadir"):
        rt = Runtime.create(data, clock=ManualClock(), platform=NoShop(), rooms={})
    try:
        sid = rt.new_show("After the tightening")
        assert mode(data) == 0o700 and mode(data / "journal.sqlite") == 0o600 and mode(data / "settings.toml") == 0o600
        notices = {e.payload["path"]: e.payload for e in rt.journal.events(sid) if e.kind == JOURNAL_KIND}
        assert notices[str(data)]["was"] == "0755" and notices[str(data)]["now"] == "0700"
        assert notices[str(data / "journal.sqlite")]["was"] == "0644"
        assert notices[str(data / "settings.toml")]["now"] == "0600"
        assert "settings.toml was 0644" in caplog.text
    finally:
        rt.close()


def test_an_existing_0644_token_file_is_tightened_not_used_as_is(tmp_path, monkeypatch):
    monkeypatch.delenv(control_api.TOKEN_ENV, raising=False)
    monkeypatch.setattr(control_api, "get_secret", lambda *a, **k: None)   # a box without a keyring
    data = tmp_path / "data"
    data.mkdir()
    (data / "control_api_token").write_text("tok-from-before", encoding="utf-8")
    os.chmod(data / "control_api_token", 0o644)
    (data / "settings.toml").write_text("[rundown]\ncontrol_api_port = 0\n", encoding="utf-8")
    rt = Runtime.create(data, clock=ManualClock(), platform=NoShop(), rooms={"rundown": "controlroom.rundown.room"})
    try:
        sid = rt.new_show("Token")
        api = rt.rundown.start_control_api(port=0)
        assert api._token == "tok-from-before"
        assert mode(data / "control_api_token") == 0o600
        notices = [e.payload for e in rt.journal.events(sid) if e.kind == JOURNAL_KIND]
        assert {"path": str(data / "control_api_token"), "was": "0644", "now": "0600"} in notices
    finally:
        rt.close()


def test_the_guard_journals_its_tightening_too(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    from controlroom.journal import Journal
    root = Path(__file__).resolve().parents[2]
    data = tmp_path / "data"
    data.mkdir()
    os.chmod(data, 0o755)
    cfg = tmp_path / "guard.toml"
    cfg.write_text('[guard]\nmethod = "backup_encoder"\n[instances.main]\nrole = "primary"\nport = 1\n'
                   '[instances.spare]\nrole = "backup"\nport = 2\n', encoding="utf-8")
    p = subprocess.Popen([sys.executable, str(root / "main.py"), "guard", "--config", str(cfg), "--data-dir",
                          str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().startswith("guard: watching")
    finally:
        p.send_signal(2)
        p.communicate(timeout=20)
    assert mode(data) == 0o700 and mode(data / "journal.sqlite") == 0o600
    j = Journal(data / Journal.FILENAME)
    evs = [e for e in j.events(j.sessions()[-1].id) if e.kind == JOURNAL_KIND]
    j.close()
    assert evs and evs[0].payload["path"] == str(data) and evs[0].payload["was"] == "0755"
