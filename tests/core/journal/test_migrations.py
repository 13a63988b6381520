"""Journal schema migrations: up from an empty file, an older journal upgraded in place, a newer one
refused and left byte-for-byte untouched, and the SQLAlchemy tables matching the head schema."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from controlroom.clock import ManualClock
from controlroom.journal import Journal, JournalError, JournalTooNew
from controlroom.journal import migrate
from controlroom.journal.schema import metadata


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sidecars(path: Path) -> dict[str, bool]:
    return {s: Path(str(path) + s).exists() for s in ("-wal", "-shm", "-journal")}


def test_up_from_an_empty_file(tmp_path):
    path = tmp_path / "journal.sqlite"
    path.touch()
    with Journal(path, ManualClock()) as j:
        sid = j.new_session("First")
        assert j.events(sid)[0].kind == "session.created"
    assert migrate.read_revision(path) == migrate.head_revision()
    with sqlite3.connect(path) as c:
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "events", "samples", "alembic_version"} <= tables


def test_older_journal_is_upgraded_in_place_with_data_intact(tmp_path):
    path = tmp_path / "journal.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg = migrate._config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    with sqlite3.connect(path) as c:
        c.execute("INSERT INTO sessions (id, title, created_utc, started_utc, meta) VALUES "
                  "(1, '双11 专场', '2026-11-11T12:00:00.000000+00:00', '2026-11-11T12:00:01.000000+00:00', '{\"a\": 1}')")
        for seq in (1, 2, 3):
            c.execute("INSERT INTO events (session_id, seq, utc, mono, kind, actor, payload) VALUES "
                      "(1, ?, '2026-11-11T12:00:02.000000+00:00', ?, 'console.listed', 'op', ?)",
                      (seq, 10.0 + seq, f'{{"sku": "A{seq}"}}'))
    assert migrate.read_revision(path) == "0001"

    with Journal(path, ManualClock()) as j:
        assert migrate.read_revision(path) == migrate.head_revision()
        s = j.session(1)
        assert s.title == "双11 专场" and s.meta == {"a": 1} and s.is_open
        evs = j.events(1)
        assert [(e.seq, e.mono, e.payload) for e in evs] == [(i, 10.0 + i, {"sku": f"A{i}"}) for i in (1, 2, 3)]
        assert j.append(1, "console.unlisted", "op", {"sku": "A1"}).seq == 4  # continues the sequence
        assert j.append_samples(1, [migrate_sample()]) == 1  # the table added by 0002 works
        assert [s.id for s in j.open_sessions()] == [1]


def migrate_sample():
    from controlroom.journal import Sample
    return Sample("viewers", 42)


def _make_newer(path: Path) -> None:
    with Journal(path, ManualClock()) as j:
        j.start_session(j.new_session("From the future"))
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    c.execute("PRAGMA journal_mode=DELETE")  # fold the WAL back so the file stands alone
    c.close()
    assert not any(_sidecars(path).values())


def test_newer_journal_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "journal.sqlite"
    _make_newer(path)
    before = _digest(path)
    mtime = path.stat().st_mtime_ns
    with pytest.raises(JournalTooNew) as err:
        Journal(path, ManualClock())
    msg = str(err.value)
    assert "newer version" in msg and "9999_from_the_future" in msg and str(path) in msg
    assert "not been changed" in msg
    assert _digest(path) == before
    assert path.stat().st_mtime_ns == mtime
    assert _sidecars(path) == {"-wal": False, "-shm": False, "-journal": False}


def test_newer_journal_in_wal_mode_is_refused_and_main_file_untouched(tmp_path):
    path = tmp_path / "journal.sqlite"
    _make_newer(path)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.close()
    before = _digest(path)
    with pytest.raises(JournalTooNew):
        Journal(path, ManualClock())
    assert _digest(path) == before


def test_not_a_journal_is_refused_untouched(tmp_path):
    junk = tmp_path / "journal.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    before = _digest(junk)
    with pytest.raises(JournalError, match="not a Control Room journal"):
        Journal(junk)
    assert _digest(junk) == before

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE customers (id INTEGER)")
    before = _digest(other)
    with pytest.raises(JournalError, match="not a Control Room journal"):
        Journal(other)
    assert _digest(other) == before


def test_tables_match_the_head_schema(tmp_path):
    path = tmp_path / "journal.sqlite"
    Journal(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        diffs = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diffs == []
    # and the reverse check alembic cannot do: every table in the file is described in schema.py
    with sqlite3.connect(path) as c:
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables - {"alembic_version", "sqlite_sequence"} == set(metadata.tables)


def test_single_head_and_linear_history():
    script = migrate._script()
    assert len(script.get_heads()) == 1
    revs = list(script.walk_revisions())
    assert revs[-1].down_revision is None
    assert [r.revision for r in revs][::-1] == sorted(r.revision for r in revs)
