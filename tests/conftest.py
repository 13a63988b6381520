"""Shared test set-up: Qt offscreen, a private runtime dir, an in-memory keyring, temp data dirs, the one
runtime fixture (make_runtime / runtime), and data dirs the disk refuses (read-only, full). Fakes: tests/fakes.py."""
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
    d.mkdir(mode=0o700)   # private, as the app makes it (a looser one is tightened and journaled)
    monkeypatch.setenv("CONTROLROOM_DATA_DIR", str(d))
    return d


@pytest.fixture
def make_runtime(data_dir):
    """The tests' one way to a Runtime: `make_runtime(**kw)` is `Runtime.create(data_dir, **kw)` with
    Runtime.create's own defaults (SystemClock, the simulator, the sample show, every room), or on another
    data dir with `make_runtime(path, **kw)`. Every runtime made is closed when the test ends (a test may
    close one itself, or abandon() it to play a killed process)."""
    from controlroom.runtime import Runtime
    made = []

    def make(data: Path | None = None, **kw):
        rt = Runtime.create(data_dir if data is None else data, **kw)
        made.append(rt)
        return rt

    yield make
    for rt in reversed(made):
        rt.close()


@pytest.fixture
def runtime(make_runtime):
    """A runtime like the app's: the simulator, the sample show, every room, on the test's data dir."""
    return make_runtime()


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
