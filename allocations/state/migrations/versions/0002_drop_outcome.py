"""Drop ``outcome``, the first release's outcome log: the event ledger replaced it and nothing reads it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.schema import DropSequence

from allocations.state.migrations import baseline

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Drop the table (its indexes go with it), then its id sequence."""
    op.drop_table(baseline.outcome.name, schema=baseline.SCHEMA)
    sequence = baseline.outcome.c.id.default
    op.execute(DropSequence(sequence))  # type: ignore[arg-type]


def downgrade() -> None:
    """Create it again, empty."""
    baseline.outcome.create(op.get_bind(), checkfirst=True)
