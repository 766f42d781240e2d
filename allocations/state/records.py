"""What the state store hands to operators' tools: plain frozen records, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from datetime import datetime

T = TypeVar("T")


class DeadLetterStatus(StrEnum):
    """Where a dead letter stands; only ``parked`` rows are re-enqueued."""

    PARKED = "parked"
    REQUEUED = "requeued"
    RESOLVED = "resolved"
    DISCARDED = "discarded"


class HistoryAction(StrEnum):
    """What happened to a dead letter."""

    FAILED = "failed"
    REQUEUED = "requeued"
    REQUEUE_FAILED = "requeue-failed"
    RESOLVED = "resolved"
    DISCARDED = "discarded"


@dataclass(frozen=True)
class DeadLetterFilter:
    """Which dead letters a list or a bulk action covers; ``None`` means any."""

    status: str | None = None
    event_type: str | None = None
    crn: str | None = None


@dataclass(frozen=True)
class DeadLetter:
    """A dead-lettered event with its last error and what operators did with it."""

    id: int
    event_id: str
    event_type: str
    crn: str | None
    detail_url: str | None
    event: dict[str, Any]
    error_class: str
    error_message: str
    traceback: str
    attempts: int
    failure_count: int
    status: str
    first_failed_at: datetime
    last_failed_at: datetime
    requeue_count: int
    last_requeued_at: datetime | None
    last_task_id: str | None
    resolved_at: datetime | None
    discarded_reason: str | None
    row_version: int


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a dead letter's history."""

    id: int
    dead_letter_id: int
    action: str
    at: datetime
    task_id: str | None
    detail: str | None


@dataclass(frozen=True)
class OutcomeRecord:
    """Where one event stands: ``pending``, or its final outcome."""

    event_id: str
    event_type: str
    crn: str | None
    detail_url: str | None
    outcome: str
    reason: str | None
    properties: dict[str, Any]
    attempts: int
    task_id: str | None
    received_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a newest-first list, with the total number of matching rows."""

    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class ActionResult:
    """What a re-enqueue or discard did to one dead letter: ``done`` or why not, and the new task id."""

    id: int
    done: bool
    status: str
    task_id: str | None = None
    message: str | None = None
