"""The show journal: an append-only event log on a SQLite file in WAL mode.

Durability contract: `append(..., durable=True)` returns only after the event is committed with
synchronous=FULL, so an action the UI shows as done survives kill -9 and power loss. Metric
samples go through `append_samples`, which the caller batches.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, select, update, func
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from controlroom.bus import EventBus
from controlroom.clock import Clock, SystemClock
from controlroom.journal import migrate
from controlroom.journal.schema import events as events_t
from controlroom.journal.schema import samples as samples_t
from controlroom.journal.schema import sessions as sessions_t
from controlroom.journal.redact import redact


def _iso(dt: datetime) -> str:
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


@dataclass(frozen=True)
class Sample:
    metric: str
    value: int
    sku: str | None = None
    mono: float | None = None
    utc: datetime | None = None


def _on_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class Journal:
    """Thread-safe. One writer connection guarded by a lock; reads use short-lived connections."""

    FILENAME = "journal.sqlite"

    def __init__(self, path: str | Path, clock: Clock | None = None, bus: EventBus | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self._lock = threading.RLock()
        self._engine = self._make_engine(self.path)
        with self._engine.begin() as conn:
            migrate.upgrade(conn, str(self.path))
        self._writer = self._engine.connect()
        self._next_seq: dict[int, int] = {}

    @staticmethod
    def _make_engine(path: Path) -> Engine:
        engine = create_engine(f"sqlite:///{path}", poolclass=NullPool,
                               connect_args={"check_same_thread": False, "isolation_level": None})
        event.listen(engine, "connect", _on_connect)

        # pysqlite's own transaction handling is off (isolation_level=None); SQLAlchemy's BEGIN is explicit.
        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def close(self) -> None:
        with self._lock:
            self._writer.close()
            self._engine.dispose()

    # ---- sessions -------------------------------------------------------------------------
    def new_session(self, title: str, meta: dict[str, Any] | None = None) -> int:
        with self._lock:
            with self._writer.begin():
                res = self._writer.execute(insert(sessions_t).values(
                    title=title, created_utc=_iso(self.clock.utcnow()),
                    meta=json.dumps(redact(meta or {}), ensure_ascii=False)))
            sid = int(res.inserted_primary_key[0])
            self._next_seq[sid] = 1
        self.append(sid, "session.created", "system", {"title": title})
        return sid

    def start_session(self, session_id: int, actor: str = "operator") -> Event:
        with self._lock:
            with self._writer.begin():
                self._writer.execute(update(sessions_t).where(sessions_t.c.id == session_id)
                                     .values(started_utc=_iso(self.clock.utcnow())))
            return self.append(session_id, "session.started", actor, {})

    def end_session(self, session_id: int, actor: str = "operator") -> Event:
        with self._lock:
            ev = self.append(session_id, "session.ended", actor, {})
            with self._writer.begin():
                self._writer.execute(update(sessions_t).where(sessions_t.c.id == session_id)
                                     .values(ended_utc=_iso(ev.utc)))
            return ev

    def update_meta(self, session_id: int, **changes: Any) -> None:
        with self._lock:
            meta = self.session(session_id).meta
            meta.update(redact(changes))
            with self._writer.begin():
                self._writer.execute(update(sessions_t).where(sessions_t.c.id == session_id)
                                     .values(meta=json.dumps(meta, ensure_ascii=False)))

    def sessions(self) -> list[Session]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(sessions_t).order_by(sessions_t.c.id)).all()
        return [self._session(r) for r in rows]

    def session(self, session_id: int) -> Session:
        with self._engine.connect() as conn:
            row = conn.execute(select(sessions_t).where(sessions_t.c.id == session_id)).one_or_none()
        if row is None:
            raise KeyError(f"no session {session_id} in {self.path}")
        return self._session(row)

    def open_sessions(self) -> list[Session]:
        """Sessions started and never ended: candidates for crash recovery."""
        return [s for s in self.sessions() if s.is_open]

    @staticmethod
    def _session(r) -> Session:
        return Session(id=r.id, title=r.title, created_utc=parse_utc(r.created_utc),
                       started_utc=parse_utc(r.started_utc) if r.started_utc else None,
                       ended_utc=parse_utc(r.ended_utc) if r.ended_utc else None,
                       meta=json.loads(r.meta or "{}"))

    # ---- events ---------------------------------------------------------------------------
    def _seq_for(self, session_id: int) -> int:
        if session_id not in self._next_seq:
            top = self._writer.execute(select(func.max(events_t.c.seq))
                                       .where(events_t.c.session_id == session_id)).scalar()
            self._next_seq[session_id] = (top or 0) + 1
        return self._next_seq[session_id]

    def append(self, session_id: int, kind: str, actor: str, payload: dict[str, Any] | None = None) -> Event:
        """Append one event and commit it durably (synchronous=FULL) before returning."""
        payload = redact(payload or {})
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        with self._lock:
            utc, mono = self.clock.utcnow(), self.clock.monotonic()
            with self._writer.begin():
                seq = self._seq_for(session_id)  # inside the transaction: no autobegin outside it
                self._writer.execute(insert(events_t).values(
                    session_id=session_id, seq=seq, utc=_iso(utc), mono=mono,
                    kind=kind, actor=actor, payload=text))
            self._next_seq[session_id] = seq + 1
        ev = Event(session_id, seq, utc, mono, kind, actor, json.loads(text))
        self.bus.publish("journal." + kind, ev)
        return ev

    def events(self, session_id: int, kinds: Iterable[str] | None = None, after_seq: int = 0,
               prefix: str | None = None) -> list[Event]:
        q = (select(events_t).where(events_t.c.session_id == session_id, events_t.c.seq > after_seq)
             .order_by(events_t.c.seq))
        if kinds is not None:
            q = q.where(events_t.c.kind.in_(list(kinds)))
        if prefix is not None:
            q = q.where(events_t.c.kind.startswith(prefix))
        with self._engine.connect() as conn:
            rows = conn.execute(q).all()
        return [Event(r.session_id, r.seq, parse_utc(r.utc), r.mono, r.kind, r.actor, json.loads(r.payload))
                for r in rows]

    # ---- samples --------------------------------------------------------------------------
    def append_samples(self, session_id: int, rows: Sequence[Sample]) -> int:
        """Write a batch of metric samples in one transaction (executemany: ~10^5 rows/s)."""
        if not rows:
            return 0
        now_utc, now_mono = self.clock.utcnow(), self.clock.monotonic()
        dicts = [{"session_id": session_id, "utc": _iso(s.utc or now_utc),
                  "mono": now_mono if s.mono is None else s.mono,
                  "metric": s.metric, "sku": s.sku, "value": int(s.value)} for s in rows]
        with self._lock:
            with self._writer.begin():
                self._writer.execute(insert(samples_t), dicts)
        return len(dicts)

    def samples(self, session_id: int, metric: str | None = None, sku: str | None = None) -> list[dict]:
        q = select(samples_t).where(samples_t.c.session_id == session_id)
        if metric is not None:
            q = q.where(samples_t.c.metric == metric)
        if sku is not None:
            q = q.where(samples_t.c.sku == sku)
        with self._engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q.order_by(samples_t.c.mono, samples_t.c.id))]

    @property
    def engine(self) -> Engine:
        """For read-only bulk readers (export, recap). Never write through it."""
        return self._engine
