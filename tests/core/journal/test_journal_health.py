"""Issue 11, finding 2 at start and for readers: a read-only or full data dir gets a sentence (exit 2
on the command line), never a raw OperationalError; export of a read-only data dir works, or says why."""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from controlroom.clock import ManualClock
from controlroom.datadir import DataDirError
from controlroom.journal import Journal, JournalOpenError

ROOT = Path(__file__).resolve().parents[3]


def _guard(tmp_path: Path, data: Path) -> subprocess.CompletedProcess:
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    cfg = tmp_path / "guard.toml"
    cfg.write_text(f'[guard]\nmethod = "backup_encoder"\n[instances.main]\nrole = "primary"\nport = {ports[0]}\n'
                   f'[instances.spare]\nrole = "backup"\nport = {ports[1]}\n', encoding="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "guard", "--config", str(cfg), "--data-dir",
                           str(data)], cwd=tmp_path, capture_output=True, text=True, timeout=60)


def _a_show(data: Path) -> int:
    from controlroom.runtime import Runtime
    from tests.fakes import NoShop
    rt = Runtime.create(data, clock=ManualClock(), platform=NoShop(), rooms={})
    sid = rt.new_show("=SUM(1+1) show")
    rt.start()
    rt.journal.append(sid, "console.note", "operator", {"message": "hello"})
    rt.end()
    rt.close()
    return sid


def test_guard_on_a_read_only_data_dir_exits_2_with_a_sentence(tmp_path, make_read_only):
    data = tmp_path / "data"
    _a_show(data)
    make_read_only(data)
    p = _guard(tmp_path, data)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "read-only" in p.stderr and str(data) in p.stderr
    assert "Traceback" not in p.stderr and "OperationalError" not in p.stderr


def test_guard_on_a_full_disk_exits_2_with_a_sentence(tmp_path, full_dir):
    p = _guard(tmp_path, full_dir / "data")
    assert p.returncode == 2, p.stdout + p.stderr
    assert "full" in p.stderr and "Traceback" not in p.stderr


def test_guard_on_a_full_disk_with_a_journal_already_there(tmp_path, full_dir):
    """The journal exists (an earlier show) and then the disk fills: still a sentence, exit 2."""
    data = full_dir / "data"
    os.remove(full_dir / "filler")
    _a_show(data)
    fd = os.open(full_dir / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass   # ENOSPC: the disk is full again
    finally:
        os.close(fd)
    p = _guard(tmp_path, data)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "full" in p.stderr and "Traceback" not in p.stderr


def test_opening_a_journal_in_a_read_only_folder_names_the_reason(tmp_path, make_read_only):
    data = tmp_path / "data"
    _a_show(data)
    make_read_only(data)
    with pytest.raises(JournalOpenError) as err:
        Journal(data / Journal.FILENAME)
    assert not isinstance(err.value, sqlite3.Error)
    assert "read-only" in str(err.value) and str(data) in str(err.value)
    from controlroom.runtime import Runtime
    with pytest.raises(DataDirError, match="read-only"):
        Runtime.create(data, clock=ManualClock(), rooms={})


def test_export_of_a_read_only_data_dir_works(tmp_path, make_read_only):
    data = tmp_path / "data"
    sid = _a_show(data)
    make_read_only(data)
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--format", "csv", "--out", str(out),
                        "--data-dir", str(data)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    events = (out / "journal_events.csv").read_text(encoding="utf-8-sig")
    assert "hello" in events and "session.ended" in events
    assert sorted(x.name for x in data.iterdir()) == ["journal.sqlite", "writer.lock"], "the export wrote nothing there"
    assert sid == 1


def test_export_of_a_read_only_data_dir_with_a_crash_log_says_why(tmp_path, make_read_only):
    """A writer killed mid-show leaves journal.sqlite-wal; read-only, SQLite cannot read it: say so."""
    data = tmp_path / "data"
    _a_show(data)
    code = ("import sys, os; sys.path.insert(0, sys.argv[2]);"
            "from controlroom.journal import Journal; j = Journal(sys.argv[1]);"
            "j.append(j.new_session('crashed'), 'console.note', 'op', {'message': 'in the wal'});"
            "os._exit(0)")  # no close: the -wal file stays, as after kill -9
    subprocess.run([sys.executable, "-c", code, str(data / Journal.FILENAME), str(ROOT)], check=True, timeout=60)
    assert (data / "journal.sqlite-wal").exists()
    make_read_only(data)
    p = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--format", "csv", "--out",
                        str(tmp_path / "out"), "--data-dir", str(data)], capture_output=True, text=True, timeout=120)
    if p.returncode == 0:   # a SQLite that can read it read-only: all the better
        assert "in the wal" in (tmp_path / "out" / "journal_events.csv").read_text(encoding="utf-8-sig")
    else:
        assert p.returncode == 1
        assert "read-only" in p.stderr and "Traceback" not in p.stderr
