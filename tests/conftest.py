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


# ---- a data dir the disk refuses: read-only, or full (real file systems, not mocks) -------------------
def _run(*cmd: str) -> bool:
    import subprocess
    return subprocess.run(list(cmd), capture_output=True).returncode == 0


@pytest.fixture
def make_read_only():
    """make_read_only(dir): the folder becomes read-only for this process until the test ends — a
    read-only bind mount when we are root (root ignores permission bits), chmod 0555 otherwise."""
    undo = []

    def make(path: Path) -> Path:
        path = Path(path)
        if os.geteuid() == 0:
            if not (_run("mount", "--bind", str(path), str(path))
                    and _run("mount", "-o", "remount,bind,ro", str(path))):
                _run("umount", str(path))
                pytest.skip("cannot make a read-only bind mount here")
            undo.append(lambda: _run("umount", "-l", str(path)))
        else:
            mode = path.stat().st_mode & 0o777
            path.chmod(0o555)
            undo.append(lambda: path.chmod(mode))
        return path

    yield make
    for fn in reversed(undo):
        fn()


@pytest.fixture
def full_dir(tmp_path):
    """A folder on a tiny file system that is full (a 1 MiB tmpfs filled to the last block)."""
    path = tmp_path / "full"
    path.mkdir()
    if os.geteuid() != 0 or not _run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(path)):
        pytest.skip("mounting a small tmpfs needs root")
    try:
        fd = os.open(path / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # ENOSPC: full to the last block
        finally:
            os.close(fd)
        yield path
    finally:
        _run("umount", "-l", str(path))
