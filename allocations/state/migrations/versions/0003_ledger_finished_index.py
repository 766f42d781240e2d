"""Index the ledger's ``finished_at``: retention finds final outcomes older than its cut-off by it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

from allocations.state.migrations import baseline

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the index."""
    op.create_index("event_ledger_finished_idx", "event_ledger", ["finished_at"], schema=baseline.SCHEMA)


def downgrade() -> None:
    """Drop it."""
    op.drop_index("event_ledger_finished_idx", table_name="event_ledger", schema=baseline.SCHEMA)
