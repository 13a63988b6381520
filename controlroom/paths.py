"""Where things live on disk."""
from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "CONTROLROOM_DATA_DIR"
ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
SAMPLE_SHOW = RESOURCES / "sample_show"


def data_dir(override: str | os.PathLike | None = None, create: bool = True) -> Path:
    """--data-dir wins, then $CONTROLROOM_DATA_DIR, then the platform's user data directory.
    Readers (export, recap) pass create=False so looking for a journal never makes an empty folder."""
    if override:
        path = Path(override)
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR])
    else:
        from platformdirs import user_data_dir
        path = Path(user_data_dir("ControlRoom", "ControlRoom"))
    if create:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: the journal and the PIN hash live here
    return path


def journal_path(override: str | os.PathLike | None = None) -> Path:
    """Where the journal of a data directory is (it may not exist yet)."""
    from controlroom.journal import Journal  # late: paths stays import-light for every entry point
    return data_dir(override, create=False) / Journal.FILENAME
