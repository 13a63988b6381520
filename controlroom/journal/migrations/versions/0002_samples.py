"""metric samples, written in batches

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "samples",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("utc", sa.String, nullable=False),
        sa.Column("mono", sa.Float, nullable=False),
        sa.Column("metric", sa.String, nullable=False),
        sa.Column("sku", sa.String, nullable=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_samples_session_metric", "samples", ["session_id", "metric", "mono"])


def downgrade() -> None:
    op.drop_table("samples")
