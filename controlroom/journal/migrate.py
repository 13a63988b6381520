"""Schema upgrades with Alembic, applied at start.

An older journal is upgraded in place. A journal written by a newer Control Room (a revision this
build does not know) is refused and left untouched.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).with_name("migrations")


class JournalTooNew(RuntimeError):
    pass


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: Connection, path: str = "") -> None:
    cfg = _config()
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(conn)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise JournalTooNew(
            f"The journal {path or ''} was written by a newer version of Control Room "
            f"(schema revision {current!r}; this version knows up to {script.get_current_head()!r}). "
            "It has not been changed. Open it with the newer version, or choose another data directory."
        )
    if current == script.get_current_head():
        return
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
