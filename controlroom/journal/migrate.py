"""Schema upgrades with Alembic, applied at start.

An older journal is upgraded in place (in one transaction: all or nothing). A journal written by a
newer Control Room (a revision this build does not know) is refused and left byte-for-byte
untouched: `check_openable` looks at it read-only before anything opens it for writing.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).with_name("migrations")


class JournalError(RuntimeError):
    """The file cannot be used as this Control Room's journal."""


class JournalTooNew(JournalError):
    pass


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    return _script().get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _too_new_message(path: str, current: str) -> str:
    return (f"The journal {path} was written by a newer version of Control Room "
            f"(schema revision {current!r}; this version knows up to {head_revision()!r}). "
            "It has not been changed. Open it with the newer version, or choose another data directory.")


def read_revision(path: str | Path) -> str | None:
    """The schema revision of an existing journal file, read without changing a byte of it.
    None for a missing or empty file (a new journal)."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return None
    wal = Path(str(path) + "-wal")
    # With no -wal file nobody has the database open in WAL mode, so immutable=1 is safe and
    # guarantees SQLite creates no -wal/-shm file. A -wal left by a crash must be read, though.
    uri = path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?mode=ro&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as e:
        raise JournalError(f"The journal {path} cannot be opened: {e}") from e
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            if tables - {"sqlite_sequence"}:
                raise JournalError(f"{path} is a SQLite database but not a Control Room journal "
                                   f"(tables {sorted(tables)}, no schema revision). It has not been changed.")
            return None
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        return rows[0][0] if rows else None
    except sqlite3.DatabaseError as e:
        raise JournalError(f"{path} is not a Control Room journal ({e}). It has not been changed.") from e
    finally:
        conn.close()


def check_openable(path: str | Path) -> None:
    current = read_revision(path)
    if current is not None and current not in known_revisions():
        raise JournalTooNew(_too_new_message(str(path), current))


def upgrade(conn: Connection, path: str = "") -> None:
    cfg = _config()
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(conn)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise JournalTooNew(_too_new_message(path, current))
    if current == script.get_current_head():
        return
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
