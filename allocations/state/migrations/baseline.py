"""The schema as the releases before Alembic created it with ``create_all``, frozen here for revision 0001.

The first release created ``outcome`` (an outcome log), ``dead_letter`` and ``dead_letter_history``; the next one
added ``event_ledger`` and stopped using ``outcome``, which ``create_all`` never dropped. A database that ran either
release, or both, holds a subset of these tables; revision 0001 creates whichever are missing. Never edit this
module: later changes are revisions of their own.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
)

SCHEMA = "workforce_allocations"

metadata = MetaData(schema=SCHEMA)


def _at(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _id(sequence: str) -> Column[int]:
    return Column("id", BigInteger, Sequence(sequence, metadata=metadata), primary_key=True)


outcome = Table(
    "outcome",
    metadata,
    _id("outcome_id_seq"),
    Column("event_id", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("crn", String(20)),
    Column("detail_url", String(2000)),
    Column("outcome", String(20), nullable=False),
    Column("reason", Text),
    Column("properties", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("task_id", String(200)),
    _at("started_at"),
    _at("finished_at", nullable=False),
    Index("outcome_event_id_idx", "event_id"),
    Index("outcome_crn_idx", "crn"),
)

event_ledger = Table(
    "event_ledger",
    metadata,
    Column("event_id", String(200), primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("crn", String(20)),
    Column("detail_url", String(2000)),
    Column("event", JSON, nullable=False),
    Column("state", String(20), nullable=False),
    Column("reason", Text),
    Column("properties", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("open_attempts", Integer, nullable=False),
    Column("dispatch_count", Integer, nullable=False),
    Column("task_id", String(200)),
    _at("received_at", nullable=False),
    _at("due_at"),
    _at("started_at"),
    _at("finished_at"),
    Index("event_ledger_state_due_idx", "state", "due_at"),
    Index("event_ledger_crn_idx", "crn"),
)

dead_letter = Table(
    "dead_letter",
    metadata,
    _id("dead_letter_id_seq"),
    Column("event_id", String(200), nullable=False, unique=True),
    Column("event_type", String(200), nullable=False),
    Column("crn", String(20)),
    Column("detail_url", String(2000)),
    Column("event", JSON, nullable=False),
    Column("error_class", String(200), nullable=False),
    Column("error_message", Text, nullable=False),
    Column("traceback", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failure_count", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    _at("first_failed_at", nullable=False),
    _at("last_failed_at", nullable=False),
    Column("requeue_count", Integer, nullable=False),
    _at("last_requeued_at"),
    Column("last_task_id", String(200)),
    _at("resolved_at"),
    Column("discarded_reason", Text),
    Column("row_version", Integer, nullable=False),
    Index("dead_letter_status_failed_idx", "status", "last_failed_at"),
    Index("dead_letter_crn_idx", "crn"),
)

dead_letter_history = Table(
    "dead_letter_history",
    metadata,
    _id("dead_letter_history_id_seq"),
    Column("dead_letter_id", BigInteger, ForeignKey(dead_letter.c.id, ondelete="CASCADE"), nullable=False),
    Column("action", String(20), nullable=False),
    _at("at", nullable=False),
    Column("task_id", String(200)),
    Column("detail", Text),
    Index("dead_letter_history_dead_letter_idx", "dead_letter_id"),
)

CURRENT_RELEASE_TABLES = (event_ledger, dead_letter, dead_letter_history)
"""What the release just before Alembic creates on an empty database (``outcome`` only an older one did)."""
