"""Shared test set-up: Qt offscreen, a private runtime dir, an in-memory keyring, temp data dirs."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="xdg-"))
os.environ.setdefault("CONTROLROOM_KEYRING", "memory")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("CONTROLROOM_DATA_DIR", str(d))
    return d


@pytest.fixture
def manual_clock():
    from controlroom.clock import ManualClock
    return ManualClock()
