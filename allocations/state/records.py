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
    """Which dead letters a list or a bulk action covers; ``None`` means any.

    ``error_text`` is a case-insensitive substring of the error message. ``team`` and ``staff`` are Delius codes
    the error message names (``Staff N02A001 not in Team N02T02``, ``Team with code of N02T02 not found``): the
    event does not carry them, and the errors that concern a team or a staff member say which. Failure times are
    inclusive bounds on ``first_failed_at`` (``failed_from``) and ``last_failed_at`` (``failed_until``).
    """

    status: str | None = None
    event_type: str | None = None
    crn: str | None = None
    error_class: str | None = None
    error_text: str | None = None
    team: str | None = None
    staff: str | None = None
    failed_from: datetime | None = None
    failed_until: datetime | None = None
    min_attempts: int | None = None

    def fields(self) -> dict[str, str]:
        """The filter's set fields as text, named as the query string, the JSON API and the CLI name them."""
        values = {name: getattr(self, name) for name in FILTER_FIELDS}
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else str(value)
            for name, value in values.items()
            if value not in (None, "")
        }


# Every field of a dead-letter filter, in the order forms show them.
FILTER_FIELDS = (
    "status",
    "event_type",
    "crn",
    "error_class",
    "error_text",
    "team",
    "staff",
    "failed_from",
    "failed_until",
    "min_attempts",
)


@dataclass(frozen=True)
class DeadLetterCounts:
    """How many dead letters a filter covers, per status and per error class (parked ones per class too)."""

    by_status: dict[str, int]
    by_error_class: dict[str, int]
    parked_by_error_class: dict[str, int]

    @property
    def total(self) -> int:
        """Every row counted."""
        return sum(self.by_status.values())


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
