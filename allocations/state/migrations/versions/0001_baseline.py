"""Adopt the schema the releases before Alembic created: create whichever of its tables are missing.

An empty database gets all of them; one made by ``create_all`` keeps its tables and rows as they are.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

from allocations.state.migrations import baseline

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the pre-Alembic tables, indexes and sequences that do not exist yet."""
    baseline.metadata.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    """Drop them all."""
    baseline.metadata.drop_all(op.get_bind(), checkfirst=True)
