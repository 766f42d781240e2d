"""Add ``recovery_job``: bulk re-enqueues run in the background at a set rate, with their progress.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateSequence, DropSequence

SCHEMA = "workforce_allocations"
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SEQUENCE = sa.Sequence("recovery_job_id_seq", schema=SCHEMA)


def upgrade() -> None:
    """Create the sequence, the table and its status index."""
    op.execute(CreateSequence(_SEQUENCE))
    op.create_table(
        "recovery_job",
        sa.Column("id", sa.BigInteger, _SEQUENCE, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("filter", sa.JSON, nullable=False),
        sa.Column("rate", sa.Float, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("dispatched", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("cursor", sa.BigInteger, nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
        sa.Column("created_by", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("message", sa.Text),
        schema=SCHEMA,
    )
    op.create_index("recovery_job_status_idx", "recovery_job", ["status"], schema=SCHEMA)


def downgrade() -> None:
    """Drop the table, then its sequence."""
    op.drop_table("recovery_job", schema=SCHEMA)
    op.execute(DropSequence(_SEQUENCE))
