"""Issue 11, finding 1: one writer per data dir. The app, the headless guard and a rehearsal all
claim an OS lock on the data dir; a second writer refuses at once naming the holder (pid, host,
since), readers (export) work alongside, and only an unended *show* is ever offered for resume."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from controlroom.clock import ManualClock
from controlroom.datadir import DataDirBusy, claim, read_holder
from controlroom.runtime import Runtime
from tests.fakes import NoShop

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _guard_toml(tmp_path: Path) -> Path:
    cfg = tmp_path / "guard.toml"
    cfg.write_text(f'''[guard]
method = "backup_encoder"
[instances.main]
role = "primary"
port = {_free_port()}
[instances.spare]
role = "backup"
port = {_free_port()}
''', encoding="utf-8")
    return cfg


def _main(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), *args]


def test_a_second_runtime_on_one_data_dir_is_refused_naming_the_holder(tmp_path):
    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    try:
        with pytest.raises(DataDirBusy) as err:
            Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
        text = str(err.value)
        assert f"pid {os.getpid()}" in text and socket.gethostname() in text and "since" in text
        assert err.value.holder.pid == os.getpid() and err.value.holder.program == "app"
    finally:
        rt.close()
    # closed: the data dir is free again
    Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={}).close()


def test_abandon_releases_the_lock_like_a_dying_process(tmp_path):
    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    sid = rt.new_show("Killed")
    rt.start()
    rt.abandon()     # what kill -9 leaves: no end, no close, and no lock
    rt2 = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    assert [s.id for s in rt2.open_sessions()] == [sid]
    rt2.close()


def test_a_killed_writer_leaves_no_lock_behind(tmp_path):
    """The kernel drops the flock when the process dies, even by SIGKILL: no stale lock to clear."""
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[2]);"
        "from controlroom.datadir import claim; lock = claim(sys.argv[1], 'rehearse');"
        "print('held', flush=True); time.sleep(60)"), str(tmp_path), str(ROOT)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DataDirBusy) as err:
            claim(tmp_path)
        assert err.value.holder.pid == holder.pid and err.value.holder.program == "rehearse"
        assert "rehearsal" in str(err.value) and f"pid {holder.pid}" in str(err.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    with claim(tmp_path, "app") as lock:
        assert lock.held and read_holder(tmp_path).pid == os.getpid()


def test_guard_started_twice_the_second_exits_2_naming_the_holder_while_export_works(tmp_path):
    data = tmp_path / "data"
    cfg = _guard_toml(tmp_path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first = subprocess.Popen(_main("guard", "--config", str(cfg), "--data-dir", str(data)), cwd=tmp_path,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = first.stdout.readline()
        assert line.startswith("guard: watching"), line     # the first guard is up and journaling
        second = subprocess.run(_main("guard", "--config", str(cfg), "--data-dir", str(data)), cwd=tmp_path,
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"pid {first.pid}" in second.stderr and socket.gethostname() in second.stderr
        assert "since" in second.stderr and "guard" in second.stderr
        # a reader works alongside the writer
        out = tmp_path / "export"
        exp = subprocess.run(_main("export", "--format", "csv", "--out", str(out), "--data-dir", str(data)),
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert exp.returncode == 0, exp.stderr
        sessions = (out / "journal_sessions.csv").read_text(encoding="utf-8-sig")
        assert "guard " in sessions and len(sessions.splitlines()) == 2   # the second guard wrote nothing
    finally:
        first.send_signal(signal.SIGINT)
        try:
            first.communicate(timeout=20)
        finally:
            if first.poll() is None:
                first.kill()
    assert first.returncode == 0


def test_only_an_unended_show_is_offered_for_resume(tmp_path):
    """A guard's session is open while the guard runs (and after a crash of it): never a show to resume."""
    from controlroom.journal import Journal
    j = Journal(tmp_path / Journal.FILENAME)
    guard = j.new_session(f"guard {socket.gethostname()}", {"kind": "guard", "host": socket.gethostname()})
    j.start_session(guard, actor="guard")
    rehearsal = j.new_session("rehearsal", {"kind": "rehearsal"})
    j.start_session(rehearsal)
    j.close()
    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={})
    try:
        assert rt.open_sessions() == []
        assert {s.kind for s in rt.journal.open_sessions()} == {"guard", "rehearsal"}
        show = rt.new_show("Evening show")
        rt.start()
        assert rt.journal.session(show).kind == "show" and rt.journal.session(show).meta["kind"] == "show"
        assert [s.id for s in rt.open_sessions()] == [show]
    finally:
        rt.close()


def test_a_data_dir_lock_can_be_handed_to_the_runtime(tmp_path):
    """A composition (the rehearsal) may claim first, then hand the lock over: the runtime owns it."""
    lock = claim(tmp_path, "rehearse")
    rt = Runtime.create(tmp_path, clock=ManualClock(), platform=NoShop(), rooms={}, lock=lock)
    assert rt.lock is lock and read_holder(tmp_path).program == "rehearse"
    with pytest.raises(DataDirBusy):
        claim(tmp_path)
    rt.close()
    assert not lock.held
    claim(tmp_path).release()


def test_a_runtime_that_fails_to_start_holds_no_lock(tmp_path):
    (tmp_path / "settings.toml").write_text('[platform]\nkind = "carrier-pigeon"\n', encoding="utf-8")
    from controlroom.settings import SettingsError
    with pytest.raises(SettingsError):
        Runtime.create(tmp_path, clock=ManualClock(), rooms={})
    claim(tmp_path).release()   # not left locked by the failed start


def test_rehearse_on_a_data_dir_the_guard_holds_exits_2_naming_it(tmp_path):
    """The rehearsal is a writer too: refused at once, naming the holder; its session kind is "rehearsal"."""
    from tests.core.commerce.rehearsal_helpers import rehearse
    data = tmp_path / "data"
    with claim(data, "guard"):
        rc, _, _, err = rehearse(tmp_path, [{"t": 0, "do": "list", "sku": "LIP-001"}], data_dir=data)
    assert rc == 2, err
    assert f"pid {os.getpid()}" in err and "guard" in err and "Traceback" not in err
    rc, _, final, err = rehearse(tmp_path, [{"t": 0, "do": "list", "sku": "LIP-001"}], data_dir=data)
    assert rc == 0, err
    from controlroom.journal import Journal
    j = Journal(data / Journal.FILENAME)
    kinds = [s.kind for s in j.sessions()]
    j.close()
    assert kinds == ["rehearsal"]
