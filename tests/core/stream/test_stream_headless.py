"""`python main.py guard --config guard.toml` against ports where no OBS listens: it starts, journals
the guard's start and the instances' state, and stops cleanly on SIGINT with exit 0."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from controlroom.journal import Journal

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kinds_read_only(db: Path) -> list[str]:
    """Peek while the guard writes: read-only and tolerant (opening a Journal would run migrations
    and can meet the writer's lock)."""
    import sqlite3
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2.0)
        try:
            return [r[0] for r in con.execute("SELECT kind FROM events")]
        finally:
            con.close()
    except sqlite3.Error:
        return []


def test_headless_guard_journals_and_stops_on_sigint(tmp_path):
    cfg = tmp_path / "guard.toml"
    cfg.write_text(f'''[guard]
method = "backup_encoder"
[instances.main]
role = "primary"
port = {free_port()}
password_env = "GUARD_TEST_PW"
[instances.spare]
role = "backup"
port = {free_port()}
[thresholds]
probe_url = "rtmp://127.0.0.1:{free_port()}/live/sk-headless-42"
''', encoding="utf-8")
    env = {**os.environ, "GUARD_TEST_PW": "hunter2-secret"}
    p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "guard", "--config", str(cfg), "--data-dir",
                          str(tmp_path / "data")], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        db = tmp_path / "data" / "journal.sqlite"
        kinds: list[str] = []
        while time.monotonic() < deadline:
            if db.exists():
                kinds = _kinds_read_only(db)
                if "stream.health" in kinds:
                    break
            time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, out
    j = Journal(db)
    sess = j.sessions()[-1]
    evs = j.events(sess.id)
    j.close()
    kinds = [e.kind for e in evs]
    assert sess.title.startswith("guard ") and sess.ended_utc is not None
    assert "stream.guard_started" in kinds and "stream.guard_stopped" in kinds
    health = [e.payload for e in evs if e.kind == "stream.health"]
    assert {h["instance"] for h in health} == {"main", "spare"}
    assert all(h["level"] in ("FAILED", "UNKNOWN") for h in health)   # nothing listens there
    assert "hunter2-secret" not in out and "hunter2-secret" not in str([e.payload for e in evs])
    assert "guard: stopped" in out
    # the viewer-side probe was built from probe_url, and its stream key went nowhere
    assert "/live/***" in out and "sk-headless-42" not in out
    started = next(e.payload for e in evs if e.kind == "stream.guard_started")
    assert started["probe"].endswith("/live/***")
    assert "sk-headless-42" not in str([e.payload for e in evs])


def test_headless_bad_config_exit_2(tmp_path):
    cfg = tmp_path / "guard.toml"
    cfg.write_text('[guard]\nmethod = "teleport"\n[instances.a]\nrole = "primary"\n', encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "guard", "--config", str(cfg), "--data-dir",
                        str(tmp_path / "d")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "guard.toml" in r.stderr and "method" in r.stderr


def test_guard_built_switchers_leave_reconnect_pacing_to_the_guard():
    """One backoff layer: the guard paces reconnects; the adapter it builds never refuses an attempt
    the guard decided to make (two layers added ~2 s to the recovery after an outage)."""
    import pytest

    from controlroom.stream.config import GuardConfig
    from controlroom.stream.headless import build_switchers
    from controlroom.stream.ports import SwitcherUnavailable
    cfg = GuardConfig.from_dict({"instances": {"main": {"role": "primary", "port": free_port()},
                                               "spare": {"role": "backup", "port": free_port()}}})
    sw = build_switchers(cfg)["main"]
    for _ in range(3):
        with pytest.raises(SwitcherUnavailable) as ei:
            sw.connect(0.5)
        assert "refused" in str(ei.value) and "backing off" not in str(ei.value)
    sw.close()
