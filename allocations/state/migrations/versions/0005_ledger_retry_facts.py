"""Add ``next_attempt_at`` and ``last_error`` to the ledger: what a scheduled retry knows, for the Retrying view.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

SCHEMA = "workforce_allocations"
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Two nullable columns: rows postponed before this revision simply have neither."""
    op.add_column("event_ledger", sa.Column("next_attempt_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.add_column("event_ledger", sa.Column("last_error", sa.Text), schema=SCHEMA)


def downgrade() -> None:
    """Drop them."""
    op.drop_column("event_ledger", "last_error", schema=SCHEMA)
    op.drop_column("event_ledger", "next_attempt_at", schema=SCHEMA)
