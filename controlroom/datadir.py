"""The data directory a show writes to: one writer at a time, private to its user.

One writer. Two processes writing one journal drive one session and one shop from two stale states
(issue 11), so every writer — the app (`Runtime.create`), the headless guard, a rehearsal — calls
`claim(data_dir, program)` first and keeps the returned `WriterLock` for its whole life. The lock
is an OS lock (flock) on `<data dir>/writer.lock`: the kernel drops it when the process dies, even
by kill -9, so there is never a stale lock to clear by hand. The file also records who holds it
(pid, host, since, program) so a second writer can refuse naming the holder. Readers (export,
recap) never claim: they read the journal alongside a writer.

Private. The journal holds the session's log, settings.toml the supervisor PIN's hash, the control
token file a credential: the folder is 0700 and those files 0600. `tighten` brings a looser file
or folder down to that and says so (a log warning, and the caller journals the returned notice).
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
import stat
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_FILENAME = "writer.lock"
DIR_MODE = 0o700
FILE_MODE = 0o600
PROGRAMS = {"app": "the Control Room app", "guard": "the headless stream guard (main.py guard)",
            "rehearse": "a rehearsal (main.py rehearse)"}


# ---- errors -----------------------------------------------------------------------------------------
def explain_os_error(e: BaseException) -> str:
    """An OSError (or SQLite's words for one) as a person reads it: read-only, full, missing."""
    code = getattr(e, "errno", None)
    text = str(getattr(e, "strerror", None) or e)
    low = str(e).lower()
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in low or "read-only" in low:
        return f"the folder is read-only for this user ({text})"
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in low or "no space" in low:
        return f"the disk is full ({text})"
    if code == errno.ENOTDIR:
        return f"a part of the path is a file, not a folder ({text})"
    return text


class DataDirError(RuntimeError):
    """The data directory cannot be written: read-only, full, not a folder, or taken (DataDirBusy)."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"Control Room cannot write to the data directory {path}: {reason}. "
                         f"Choose another one with --data-dir (or $CONTROLROOM_DATA_DIR), or fix it.")
        self.path = Path(path)
        self.reason = reason


@dataclass(frozen=True)
class Holder:
    """Who holds a data directory's writer lock."""
    pid: int | None
    host: str
    since: str          # UTC, ISO 8601
    program: str        # "app", "guard", "rehearse"

    def describe(self) -> str:
        try:
            since = datetime.fromisoformat(self.since).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()
        except (TypeError, ValueError):
            since = self.since or "?"
        what = PROGRAMS.get(self.program, self.program or "another Control Room")
        return f"{what}, pid {self.pid if self.pid is not None else '?'} on host {self.host or '?'}, since {since}"

    def to_json(self) -> dict:
        return {"pid": self.pid, "host": self.host, "since": self.since, "program": self.program}


class DataDirBusy(DataDirError):
    """Another process is writing this data directory. `holder` names it."""

    def __init__(self, path: Path, holder: Holder):
        RuntimeError.__init__(
            self, f"The data directory {path} is in use by {holder.describe()}. Only one writer per data "
                  f"directory: stop that one first, or give this one another --data-dir. "
                  f"(Export and recap can read it meanwhile.)")
        self.path = Path(path)
        self.reason = "in use"
        self.holder = holder


# ---- permissions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tightened:
    """A file or folder found readable by others and made private: the notice to log and journal."""
    path: Path
    was: int
    now: int

    def payload(self) -> dict:
        return {"path": str(self.path), "was": f"{self.was:04o}", "now": f"{self.now:04o}"}

    def __str__(self) -> str:
        return f"{self.path} was {self.was:04o}, readable by others; tightened to {self.now:04o}"


JOURNAL_KIND = "datadir.permissions_tightened"


def tighten(path: str | os.PathLike, mode: int) -> Tightened | None:
    """Drop every permission bit of `path` outside `mode` (0700 folder, 0600 file). Returns the
    notice when something changed; None when it was already private, is missing, or cannot be
    changed (not ours, read-only medium: logged, the caller carries on)."""
    p = Path(path)
    try:
        st = p.lstat()
    except FileNotFoundError:
        return None
    except OSError as e:
        log.warning("cannot check the permissions of %s: %s", p, e)
        return None
    if stat.S_ISLNK(st.st_mode):
        return None  # chmod would follow it to a file that is not ours to change
    was = stat.S_IMODE(st.st_mode)
    now = was & mode
    if now == was:
        return None
    try:
        os.chmod(p, now)
    except OSError as e:
        log.warning("%s is %04o (readable by others) and cannot be tightened: %s", p, was, e)
        return None
    notice = Tightened(p, was, now)
    log.warning("%s", notice)
    return notice


def private_file(path: str | os.PathLike) -> Tightened | None:
    return tighten(path, FILE_MODE)


def make_private_dir(path: str | os.PathLike) -> list[Tightened]:
    """Create the folder 0700 (with its parents) or tighten an existing one."""
    p = Path(path)
    try:
        p.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except FileExistsError:
        raise DataDirError(p, "it exists and is not a folder") from None
    except OSError as e:
        raise DataDirError(p, explain_os_error(e)) from e
    if not p.is_dir():
        raise DataDirError(p, "it exists and is not a folder")
    t = tighten(p, DIR_MODE)
    return [t] if t else []


def create_private(path: str | os.PathLike) -> None:
    """Make sure `path` exists as a 0600 file before a library (SQLite) creates it with the umask's
    0644 — SQLite then gives its -wal and -shm the same mode as the database file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


# ---- the writer lock --------------------------------------------------------------------------------
class WriterLock:
    """The one-writer lock of a data directory, held until `release()` or the process ends."""

    def __init__(self, data_dir: Path, fd: int, holder: Holder, tightened: list[Tightened]):
        self.data_dir = data_dir
        self.path = data_dir / LOCK_FILENAME
        self.holder = holder
        self.tightened = tightened   # permission notices found while claiming, for the journal
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Let go, as the kernel does for a process that dies. The file stays (its content is only
        read while someone holds the lock); idempotent."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self) -> "WriterLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lock goes with its object, like with its process
        try:
            self.release()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<WriterLock {self.path} {'held' if self.held else 'released'} by pid {self.holder.pid}>"


def read_holder(data_dir: str | os.PathLike) -> Holder | None:
    """Who the lock file says holds (or last held) the data directory; None when it says nothing."""
    try:
        data = json.loads((Path(data_dir) / LOCK_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    pid = data.get("pid")
    return Holder(pid if isinstance(pid, int) else None, str(data.get("host", "")), str(data.get("since", "")),
                  str(data.get("program", "")))


def claim(data_dir: str | os.PathLike, program: str = "app") -> WriterLock:
    """Become the one writer of `data_dir` (created 0700 if missing), or raise.

    Raises DataDirBusy naming the holder when another process has it (at once, no waiting), and
    DataDirError when the folder cannot be written (read-only, full, a file in the way). Keep the
    returned lock for the life of the process; `release()` it only when done writing."""
    ddir = Path(data_dir)
    tightened = make_private_dir(ddir)
    path = ddir / LOCK_FILENAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as e:
        raise DataDirError(ddir, explain_os_error(e)) from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DataDirBusy(ddir, _holder_of(ddir)) from None
    except OSError as e:
        os.close(fd)
        raise DataDirError(ddir, f"cannot lock {path}: {explain_os_error(e)}") from e
    t = tighten(path, FILE_MODE)
    if t:
        tightened.append(t)
    holder = Holder(os.getpid(), socket.gethostname(), datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    program)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder.to_json()) + "\n").encode("utf-8"), 0)
        os.fsync(fd)
    except OSError as e:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        raise DataDirError(ddir, explain_os_error(e)) from e
    return WriterLock(ddir, fd, holder, tightened)


def _holder_of(ddir: Path) -> Holder:
    """The holder as its lock file says; a holder that has locked but not yet written gets a moment."""
    for _ in range(20):
        h = read_holder(ddir)
        if h is not None and h.pid is not None:
            return h
        time.sleep(0.025)
    return Holder(None, "", "", "")
