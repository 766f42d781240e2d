"""Tables of the ``workforce_allocations`` schema: the event ledger, dead letters and their history.

The schema is changed only by a migration (``allocations/state/migrations``); a test checks the two agree.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - SQLAlchemy resolves Mapped[] annotations at run time
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA = "workforce_allocations"

metadata = MetaData(schema=SCHEMA)


class Base(DeclarativeBase):
    """Declarative base bound to the service's schema."""

    metadata = metadata


def _id(sequence: str) -> Mapped[int]:
    # Sequences rather than identity columns: the same models run on Oracle.
    return mapped_column(BigInteger, Sequence(sequence, metadata=metadata), primary_key=True)


class LedgerRow(Base):
    """One row per event id, written before its SQS message is deleted: where the event stands, then how it ended.

    ``state`` is ``pending`` until the event's one final outcome (applied, duplicate, ignored, dead-lettered) is
    recorded; a pending row whose ``due_at`` has passed is re-dispatched by the reconciler. A dead letter that an
    operator re-enqueues turns ``pending`` again; its history is in ``dead_letter_history``.
    """

    __tablename__ = "event_ledger"
    __table_args__ = (
        Index("event_ledger_state_due_idx", "state", "due_at"),
        Index("event_ledger_crn_idx", "crn"),
        Index("event_ledger_finished_idx", "finished_at"),  # retention
    )

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(200))
    crn: Mapped[str | None] = mapped_column(String(20))
    detail_url: Mapped[str | None] = mapped_column(String(2000))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Attempts started since the last one that ended (in a retry or an outcome): each was lost with its process.
    open_attempts: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)
    task_id: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when a retry is scheduled (its countdown's end, and the error it retries), cleared when an attempt starts.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class DeadLetterRow(Base):
    """One row per event id that failed for good; updated when the same event fails again."""

    __tablename__ = "dead_letter"
    __table_args__ = (
        Index("dead_letter_status_failed_idx", "status", "last_failed_at"),
        Index("dead_letter_crn_idx", "crn"),
    )

    id: Mapped[int] = _id("dead_letter_id_seq")
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    event_type: Mapped[str] = mapped_column(String(200))
    crn: Mapped[str | None] = mapped_column(String(20))
    detail_url: Mapped[str | None] = mapped_column(String(2000))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    error_class: Mapped[str] = mapped_column(String(200))
    error_message: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    failure_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    first_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requeue_count: Mapped[int] = mapped_column(Integer, default=0)
    last_requeued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_task_id: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    discarded_reason: Mapped[str | None] = mapped_column(Text)
    row_version: Mapped[int] = mapped_column(Integer, default=0)


class DeadLetterHistoryRow(Base):
    """One failure, re-enqueue, resolution or discard of a dead letter."""

    __tablename__ = "dead_letter_history"
    __table_args__ = (Index("dead_letter_history_dead_letter_idx", "dead_letter_id"),)

    id: Mapped[int] = _id("dead_letter_history_id_seq")
    dead_letter_id: Mapped[int] = mapped_column(ForeignKey(DeadLetterRow.id, ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    task_id: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)


class RecoveryJobRow(Base):
    """A bulk re-enqueue run in the background at a set rate (``allocations/state/recovery.py``), and its progress.

    ``cursor`` is the last dead letter id it went past (rows are taken in id order); ``owner`` is the process
    running it, alive while ``heartbeat_at`` is recent; another process takes a running job over when it is not.
    """

    __tablename__ = "recovery_job"
    __table_args__ = (Index("recovery_job_status_idx", "status"),)

    id: Mapped[int] = _id("recovery_job_id_seq")
    status: Mapped[str] = mapped_column(String(20))
    filter: Mapped[dict[str, Any]] = mapped_column(JSON)
    rate: Mapped[float] = mapped_column(Float)
    total: Mapped[int] = mapped_column(Integer)
    dispatched: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    owner: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message: Mapped[str | None] = mapped_column(Text)


ledger_table = cast("Table", LedgerRow.__table__)
dead_letter_table = cast("Table", DeadLetterRow.__table__)
history_table = cast("Table", DeadLetterHistoryRow.__table__)
recovery_job_table = cast("Table", RecoveryJobRow.__table__)
