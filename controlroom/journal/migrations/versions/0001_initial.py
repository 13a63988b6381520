"""initial journal: sessions and the append-only events log

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("created_utc", sa.String, nullable=False),
        sa.Column("started_utc", sa.String, nullable=True),
        sa.Column("ended_utc", sa.String, nullable=True),
        sa.Column("meta", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("utc", sa.String, nullable=False),
        sa.Column("mono", sa.Float, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_events_session_seq", "events", ["session_id", "seq"], unique=True)
    op.create_index("ix_events_session_kind", "events", ["session_id", "kind"])
    # The log is append-only: the database itself refuses edits and deletes.
    op.execute("CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
               "BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END")
    op.execute("CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
               "BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END")


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("sessions")
