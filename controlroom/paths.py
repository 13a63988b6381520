"""Where things live on disk."""
from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "CONTROLROOM_DATA_DIR"
ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
SAMPLE_SHOW = RESOURCES / "sample_show"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """--data-dir wins, then $CONTROLROOM_DATA_DIR, then the platform's user data directory."""
    if override:
        path = Path(override)
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR])
    else:
        from platformdirs import user_data_dir
        path = Path(user_data_dir("ControlRoom", "ControlRoom"))
    path.mkdir(parents=True, exist_ok=True)
    return path
