"""The journal's read queries for the rooms, in one place.

The rooms (metrics, recap) ask for what they need by name; the SQL that knows the tables lives in
the journal package only: `store.py` (the write path and the event/session reads), this module
(samples for charts, resume and recap), and `export.py` (the bulk export engine). A schema change
is then a change here, not a hunt through the rooms. Every query is read-only, through the
journal's SQLAlchemy engine (WAL: readers never block the writer).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import text


def room_samples(journal, session_id: int, metrics: Iterable[str]) -> list[tuple[float, str, str, int]]:
    """(mono, utc text, metric, value) of a session's room-level samples of `metrics`, in time order.

    Time order is UTC order: a session resumed after a reboot has monotonic readings from two clocks
    (the rooms place each instant on this process's clock by its UTC time)."""
    metrics = list(metrics)
    if not metrics:
        return []
    q = text("SELECT mono, utc, metric, value FROM samples WHERE session_id = :sid AND sku IS NULL "
             "AND metric IN (" + ",".join(f":m{i}" for i in range(len(metrics))) + ") ORDER BY utc, id")
    params = {"sid": session_id, **{f"m{i}": m for i, m in enumerate(metrics)}}
    with journal.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(q, params).all()]


def sku_samples(journal, session_id: int) -> Iterator[tuple[str, str, str, int]]:
    """(utc text, sku, metric, value) of every per-SKU sample of a session, in time (UTC) order."""
    q = text("SELECT utc, sku, metric, value FROM samples WHERE session_id = :sid AND sku IS NOT NULL "
             "ORDER BY utc, id")
    with journal.engine.connect() as conn:
        rows = conn.execute(q, {"sid": session_id}).all()
    return iter([tuple(r) for r in rows])


def sku_metric_samples(journal, session_id: int, metric: str) -> list[tuple[str, str, int]]:
    """(sku, utc text, value) of one per-SKU metric of a session, in insertion order."""
    q = text("SELECT sku, utc, value FROM samples WHERE session_id = :sid AND metric = :m AND sku IS NOT NULL "
             "ORDER BY id")
    with journal.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(q, {"sid": session_id, "m": metric}).all()]


def earlier_sessions_with_samples(journal, session_id: int, limit: int) -> list[int]:
    """Ids of sessions before `session_id` that journaled room samples, latest first."""
    if limit <= 0:
        return []
    q = text("SELECT DISTINCT session_id FROM samples WHERE session_id < :sid AND sku IS NULL "
             "ORDER BY session_id DESC LIMIT :n")
    with journal.engine.connect() as conn:
        return [int(r[0]) for r in conn.execute(q, {"sid": session_id, "n": int(limit)})]
