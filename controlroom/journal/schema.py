"""Journal tables (SQLAlchemy Core). The schema itself is owned by the Alembic migrations in
migrations/versions; these Table objects must match the head revision (a test checks it)."""
from __future__ import annotations

from sqlalchemy import (Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        BigInteger)

metadata = MetaData()

sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String, nullable=False),
    Column("created_utc", String, nullable=False),   # ISO-8601 UTC, microseconds
    Column("started_utc", String, nullable=True),
    Column("ended_utc", String, nullable=True),
    Column("meta", Text, nullable=False, default="{}"),  # JSON: show file, targets, platform name
)

# Append-only. (session_id, seq) is unique: seq is a per-session sequence number with no gaps.
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("utc", String, nullable=False),
    Column("mono", Float, nullable=False),
    Column("kind", String, nullable=False),
    Column("actor", String, nullable=False),
    Column("payload", Text, nullable=False),
    Index("ix_events_session_seq", "session_id", "seq", unique=True),
    Index("ix_events_session_kind", "session_id", "kind"),
)

# Metric samples: one row per (time, metric[, sku]); written in batches.
samples = Table(
    "samples", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id"), nullable=False),
    Column("utc", String, nullable=False),
    Column("mono", Float, nullable=False),
    Column("metric", String, nullable=False),
    Column("sku", String, nullable=True),
    Column("value", BigInteger, nullable=False),   # counts and money in minor units: integers only
    Index("ix_samples_session_metric", "session_id", "metric", "mono"),
)
