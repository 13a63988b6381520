"""The show journal: an append-only event log on a SQLite file in WAL mode.

Durability contract: `append(...)` returns only after the event is committed with
synchronous=FULL, so an action the UI shows as done survives kill -9 and power loss. Metric
samples go through `append_samples`, which the caller batches (one transaction per batch), or
`queue_samples`: queued samples are committed with the next write of any kind (or `flush_samples`),
so the journal is always a consistent prefix of the show — it never keeps an event and loses a sample
taken before it (an exact resume relies on that).

Faults are loud: a write the disk refuses (full, read-only, I/O error) raises `JournalWriteError`,
sets `journal.fault` to the reason and publishes "journal.error" on the bus once per fault; the next
write that succeeds clears it and publishes "journal.recovered". Whoever acts on the world (the
console, the guard) journals its intent first and does nothing when that raises.

Writes go through one raw sqlite3 connection guarded by a lock: the per-event cost is then the
fsync and little else. Reads open short-lived connections, which in WAL mode never block the
writer. The SQLAlchemy engine (migrations, bulk readers such as recap) shares the same file.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError as SQLAlchemyDBAPIError
from sqlalchemy.pool import NullPool

from controlroom.bus import EventBus
from controlroom.clock import Clock, SystemClock
from controlroom.datadir import Tightened, create_private, explain_os_error, private_file
from controlroom.journal import migrate
from controlroom.journal.migrate import JournalError
from controlroom.journal.redact import redact

# Dotted, starting with the room: console.price_set, session.started, alert.raised ...
KIND = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+")
BUSY_TIMEOUT_MS = 5000
_INSERT_SAMPLE = "INSERT INTO samples (session_id, utc, mono, metric, sku, value) VALUES (?, ?, ?, ?, ?, ?)"


class JournalWriteError(RuntimeError):
    """The journal could not be written (disk full, read-only, I/O error). Nothing was committed."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"the journal {path} cannot be written: {explain_os_error(RuntimeError(reason))}")
        self.path = path
        self.reason = reason


class JournalOpenError(JournalError):
    """The journal cannot be opened for writing (a read-only or full data dir, a file in the way).
    Nothing was changed."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"The journal {path} cannot be opened for writing: {reason}. Nothing was changed; "
                         f"choose another --data-dir, or make this one writable.")
        self.path = path
        self.reason = reason


def _iso(dt: datetime) -> str:
    """Always the same 32-character shape, 2026-11-22T12:00:00.000000+00:00 (export relies on it)."""
    if dt.tzinfo is None:  # a naive time from a clock is UTC by contract, never local
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Event:
    session_id: int
    seq: int
    utc: datetime
    mono: float
    kind: str
    actor: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Session:
    id: int
    title: str
    created_utc: datetime
    started_utc: datetime | None
    ended_utc: datetime | None
    meta: dict[str, Any]

    @property
    def is_open(self) -> bool:
        """Started and never ended: the app was closed or killed mid-show."""
        return self.started_utc is not None and self.ended_utc is None

    @property
    def kind(self) -> str:
        """What wrote the session (meta "kind"): "show" for the app's shows — also sessions from
        before kinds were recorded —, "guard" for the headless guard, others for rehearsals."""
        kind = self.meta.get("kind") if isinstance(self.meta, dict) else None
        return kind if isinstance(kind, str) and kind else "show"


@dataclass(frozen=True)
class Sample:
    metric: str
    value: int
    sku: str | None = None
    mono: float | None = None
    utc: datetime | None = None


def _pragmas(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")


def _on_connect(dbapi_conn, _record) -> None:
    _pragmas(dbapi_conn)


LOW_DISK_BYTES = 256 * 1024   # less than this free and SQLite cannot even make its WAL index


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return LOW_DISK_BYTES  # unknown: do not claim the disk is full


def _json(value: Any, what: str, sort_keys: bool = False) -> str:
    """JSON for the journal. NaN and infinities are refused (ValueError, nothing written): JSON has
    no such numbers, and one in the log breaks every reader that replays it."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, default=str, allow_nan=False)
    except ValueError as e:
        raise ValueError(f"{what}: {e} (NaN or infinity); the journal holds finite numbers only") from None


def _as_int(value: Any, what: str) -> int:
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise TypeError(f"{what}: expected an integer (counts, money in 分), got {value!r}")
    return int(value)


class Journal:
    """Thread-safe. One writer connection guarded by a lock; reads use short-lived connections."""

    FILENAME = "journal.sqlite"

    def __init__(self, path: str | Path, clock: Clock | None = None, bus: EventBus | None = None):
        self.path = Path(path)
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self._lock = threading.RLock()
        self._closed = True
        try:
            if not self.path.parent.is_dir():
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self.path.exists():
                create_private(self.path)  # 0600 before SQLite makes it 0644 (its -wal/-shm copy the mode)
        except OSError as e:
            raise JournalOpenError(self.path, explain_os_error(e)) from e
        # files found readable by others are made private; the runtime journals these notices
        self.tightened: list[Tightened] = [t for t in (private_file(self.path), private_file(f"{self.path}-wal"),
                                                       private_file(f"{self.path}-shm")) if t]
        # Refuse a journal from a newer Control Room before anything opens it for writing: even
        # switching it to WAL would change its bytes.
        migrate.check_openable(self.path)
        self._engine = self._make_engine(self.path)
        try:
            with self._engine.begin() as conn:
                migrate.upgrade(conn, str(self.path))
            self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            _pragmas(self._db)
        except (sqlite3.Error, SQLAlchemyDBAPIError, OSError) as e:
            # a read-only or full data dir: a sentence for the operator, never a raw OperationalError
            self._engine.dispose()
            cause = getattr(e, "orig", None) or e
            if not os.access(self.path.parent, os.W_OK):  # SQLite only says "unable to open database file"
                reason = f"its folder {self.path.parent} is read-only for this user ({cause})"
            elif _free_bytes(self.path.parent) < LOW_DISK_BYTES:  # ... or "disk I/O error" for a full disk
                reason = f"the disk is full ({_free_bytes(self.path.parent):,} bytes free; {cause})"
            else:
                reason = explain_os_error(cause)
            raise JournalOpenError(self.path, reason) from e
        self._closed = False
        self.fault: str | None = None   # why the last write failed; None while writes succeed
        # Bus publication happens outside the write lock but in seq order (see _publish).
        self._pending: deque[Event] = deque()
        self._publishing = threading.Lock()
        self._queued: list[tuple] = []   # sample rows waiting for the next commit (queue_samples)

    @staticmethod
    def _make_engine(path: Path) -> Engine:
        engine = create_engine(f"sqlite:///{path}", poolclass=NullPool,
                               connect_args={"check_same_thread": False, "isolation_level": None})
        event.listen(engine, "connect", _on_connect)

        # pysqlite's own transaction handling is off (isolation_level=None); SQLAlchemy's BEGIN is
        # explicit and deferred, so bulk readers on the engine never take the write lock.
        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")

        return engine

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                self.flush_samples()
            except JournalWriteError:
                pass   # the fault is published; the queued samples cannot be kept
            self._closed = True
            self._db.close()
            self._engine.dispose()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _write(self, durable: bool = True) -> Iterator[sqlite3.Cursor]:
        """One IMMEDIATE transaction on the writer; committed (fsync'd when durable) on exit."""
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the journal {self.path} is closed")
            if not durable:
                self._db.execute("PRAGMA synchronous=NORMAL")
            cur = self._db.cursor()
            queued, self._queued = self._queued, []
            try:
                cur.execute("BEGIN IMMEDIATE")
                try:
                    if queued:
                        cur.executemany(_INSERT_SAMPLE, queued)
                    yield cur
                    cur.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        try:
                            self._db.execute("ROLLBACK")
                        except sqlite3.Error:
                            pass  # the original error says more
                    raise
            except sqlite3.OperationalError as e:
                # disk full, read-only file or folder, I/O error: the show must hear it, not a log line
                self._set_fault(explain_os_error(e))
                self._queued[:0] = queued
                raise JournalWriteError(self.path, str(e)) from e
            except BaseException:
                self._queued[:0] = queued   # not committed: they go with the next write
                raise
            finally:
                cur.close()
                if not durable:
                    try:
                        self._db.execute("PRAGMA synchronous=FULL")
                    except sqlite3.Error:
                        pass
            if self.fault is not None:
                self._set_fault(None)

    @property
    def healthy(self) -> bool:
        return self.fault is None

    def _set_fault(self, reason: str | None) -> None:
        """Called under the write lock. Publishes only on a change, so a full disk is one event, not a flood."""
        was, self.fault = self.fault, reason
        if reason is not None and was is None:
            self.bus.publish("journal.error", {"path": str(self.path), "reason": reason})
        elif reason is None and was is not None:
            self.bus.publish("journal.recovered", {"path": str(self.path), "was": was})

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA query_only=ON")
            yield conn
        finally:
            conn.close()

    def _insert_event(self, cur: sqlite3.Cursor, session_id: int, kind: str, actor: str,
                      payload: dict[str, Any] | None) -> Event:
        """Inside a write transaction. seq is taken in the same transaction, so it is gapless
        and ordered whatever thread (or process) writes."""
        if not isinstance(kind, str) or not KIND.fullmatch(kind):
            raise ValueError(f"event kind {kind!r}: expected a dotted name such as 'console.price_set'")
        if payload is not None and not isinstance(payload, dict):
            raise TypeError(f"event payload for {kind}: expected a dict, got {type(payload).__name__}")
        text = _json(redact(payload or {}), f"event {kind}", sort_keys=True)
        actor = str(actor or "system")
        seq = cur.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE session_id = ?",
                          (session_id,)).fetchone()[0]
        if seq == 1 and cur.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
            raise KeyError(f"no session {session_id} in {self.path}")
        utc, mono = self.clock.utcnow(), float(self.clock.monotonic())
        utc_text = _iso(utc)
        cur.execute("INSERT INTO events (session_id, seq, utc, mono, kind, actor, payload) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", (session_id, seq, utc_text, mono, kind, actor, text))
        ev = Event(session_id, seq, parse_utc(utc_text), mono, kind, actor, json.loads(text))
        self._pending.append(ev)
        return ev

    def _publish(self) -> None:
        """Publish committed events in seq order. Whoever holds _publishing drains the queue; a
        thread that finds it busy leaves its event to that drainer (re-checked after release, so
        nothing is stranded). A subscriber that appends is therefore served after it returns."""
        while self._pending:
            if not self._publishing.acquire(blocking=False):
                return
            try:
                while True:
                    try:
                        ev = self._pending.popleft()
                    except IndexError:
                        break
                    self.bus.publish("journal." + ev.kind, ev)
            finally:
                self._publishing.release()

    def _discard_pending(self, n_before: int) -> None:
        while len(self._pending) > n_before:
            self._pending.pop()

    # ---- sessions -------------------------------------------------------------------------
    def new_session(self, title: str, meta: dict[str, Any] | None = None) -> int:
        with self._lock:
            mark = len(self._pending)
            try:
                with self._write() as cur:
                    cur.execute("INSERT INTO sessions (title, created_utc, meta) VALUES (?, ?, ?)",
                                (str(title), _iso(self.clock.utcnow()), _json(redact(meta or {}), "session meta")))
                    sid = int(cur.lastrowid)
                    self._insert_event(cur, sid, "session.created", "system", {"title": title})
            except BaseException:
                self._discard_pending(mark)
                raise
        self._publish()
        return sid

    def _session_change(self, session_id: int, column: str, kind: str, actor: str) -> Event:
        with self._lock:
            mark = len(self._pending)
            try:
                with self._write() as cur:
                    ev = self._insert_event(cur, session_id, kind, actor, {})
                    # The event and the session row change in one transaction: a crash never
                    # leaves a session "ended" in the log but open in the sessions table.
                    cur.execute(f"UPDATE sessions SET {column} = ? WHERE id = ?", (_iso(ev.utc), session_id))
            except BaseException:
                self._discard_pending(mark)
                raise
        self._publish()
        return ev

    def start_session(self, session_id: int, actor: str = "operator") -> Event:
        return self._session_change(session_id, "started_utc", "session.started", actor)

    def end_session(self, session_id: int, actor: str = "operator") -> Event:
        return self._session_change(session_id, "ended_utc", "session.ended", actor)

    def update_meta(self, session_id: int, **changes: Any) -> None:
        with self._write() as cur:
            row = cur.execute("SELECT meta FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise KeyError(f"no session {session_id} in {self.path}")
            meta = json.loads(row[0] or "{}")
            meta.update(redact(changes))
            cur.execute("UPDATE sessions SET meta = ? WHERE id = ?", (_json(meta, "session meta"), session_id))

    _SESSION_COLS = "id, title, created_utc, started_utc, ended_utc, meta"

    def sessions(self) -> list[Session]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {self._SESSION_COLS} FROM sessions ORDER BY id").fetchall()
        return [self._session(r) for r in rows]

    def session(self, session_id: int) -> Session:
        with self._read() as conn:
            row = conn.execute(f"SELECT {self._SESSION_COLS} FROM sessions WHERE id = ?",
                               (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"no session {session_id} in {self.path}")
        return self._session(row)

    def open_sessions(self) -> list[Session]:
        """Sessions started and never ended: candidates for crash recovery."""
        return [s for s in self.sessions() if s.is_open]

    @staticmethod
    def _session(r) -> Session:
        return Session(id=r[0], title=r[1], created_utc=parse_utc(r[2]),
                       started_utc=parse_utc(r[3]) if r[3] else None,
                       ended_utc=parse_utc(r[4]) if r[4] else None,
                       meta=json.loads(r[5] or "{}"))

    # ---- events ---------------------------------------------------------------------------
    def append(self, session_id: int, kind: str, actor: str, payload: dict[str, Any] | None = None,
               *, durable: bool = True) -> Event:
        """Append one event; returns after it is committed with synchronous=FULL (fsync'd).

        durable=False is for high-rate, reconstructible events: committed without waiting for the
        disk, made durable by the next durable commit."""
        with self._lock:
            mark = len(self._pending)
            try:
                with self._write(durable) as cur:
                    ev = self._insert_event(cur, session_id, kind, actor, payload)
            except BaseException:
                self._discard_pending(mark)
                raise
        self._publish()
        return ev

    def events(self, session_id: int, kinds: Iterable[str] | None = None, after_seq: int = 0,
               prefix: str | None = None) -> list[Event]:
        """A session's events in seq order (the replay a room rebuilds its state from)."""
        sql = ("SELECT session_id, seq, utc, mono, kind, actor, payload FROM events "
               "WHERE session_id = ? AND seq > ?")
        args: list[Any] = [session_id, after_seq]
        if kinds is not None:
            kinds = list(kinds)
            if not kinds:
                return []
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            args += kinds
        if prefix is not None:
            # substr, not LIKE: '_' and '%' in kinds are literal
            sql += " AND substr(kind, 1, ?) = ?"
            args += [len(prefix), prefix]
        sql += " ORDER BY seq"
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [Event(r[0], r[1], parse_utc(r[2]), r[3], r[4], r[5], json.loads(r[6])) for r in rows]

    def tail(self, session_id: int, n: int) -> list[Event]:
        """The last n events of a session in seq order, read without loading the rest (the feed after a resume)."""
        with self._read() as conn:
            top = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?",
                               (session_id,)).fetchone()[0]
        return self.events(session_id, after_seq=max(0, top - n))

    def last_seq(self, session_id: int) -> int:
        with self._read() as conn:
            return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?",
                                (session_id,)).fetchone()[0]

    # ---- samples --------------------------------------------------------------------------
    def append_samples(self, session_id: int, rows: Sequence[Sample]) -> int:
        """Write a batch of metric samples in one durable transaction."""
        if not rows:
            return 0
        tuples = self._sample_tuples(session_id, rows)
        with self._write() as cur:
            if cur.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                raise KeyError(f"no session {session_id} in {self.path}")
            cur.executemany(_INSERT_SAMPLE, tuples)
        return len(tuples)

    def queue_samples(self, session_id: int, rows: Sequence[Sample]) -> None:
        """Queue samples for the next commit of any kind (an event, a session change, `flush_samples`).
        An event committed after this call is never kept without these samples."""
        if not rows:
            return
        tuples = self._sample_tuples(session_id, rows)
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the journal {self.path} is closed")
            self._queued.extend(tuples)

    def flush_samples(self) -> int:
        """Commit the queued samples now (durably). Returns how many rows were written."""
        with self._lock:
            n = len(self._queued)
            if not n or self._closed:
                return 0
            with self._write():
                pass   # _write commits what is queued
        return n

    def _sample_tuples(self, session_id: int, rows: Sequence[Sample]) -> list[tuple]:
        now_utc = _iso(self.clock.utcnow())
        now_mono = float(self.clock.monotonic())
        utc_text: dict[datetime, str] = {}
        tuples = []
        add = tuples.append
        for s in rows:
            u = s.utc
            if u is None:
                u_text = now_utc
            else:
                u_text = utc_text.get(u)
                if u_text is None:
                    u_text = utc_text[u] = _iso(u)
            v = s.value
            if type(v) is not int:
                v = _as_int(v, f"sample {s.metric}")
            add((session_id, u_text, now_mono if s.mono is None else s.mono, s.metric, s.sku, v))
        return tuples

    def samples(self, session_id: int, metric: str | None = None, sku: str | None = None) -> list[dict]:
        sql = "SELECT id, session_id, utc, mono, metric, sku, value FROM samples WHERE session_id = ?"
        args: list[Any] = [session_id]
        if metric is not None:
            sql += " AND metric = ?"
            args.append(metric)
        if sku is not None:
            sql += " AND sku = ?"
            args.append(sku)
        sql += " ORDER BY mono, id"
        keys = ("id", "session_id", "utc", "mono", "metric", "sku", "value")
        with self._read() as conn:
            return [dict(zip(keys, r)) for r in conn.execute(sql, args)]

    @property
    def engine(self) -> Engine:
        """For read-only bulk readers (export, recap). Never write through it."""
        return self._engine
