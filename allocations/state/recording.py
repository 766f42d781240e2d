"""What the tasks write: the final outcome of an event, once, and its dead letter (upserted by event id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from allocations.outcome import Outcome, OutcomeKind
from allocations.state import ledger
from allocations.state.ledger import Attempt, cut, now
from allocations.state.models import dead_letter_table, history_table
from allocations.state.records import DeadLetterStatus, HistoryAction

if TYPE_CHECKING:
    from datetime import datetime


_dl = dead_letter_table
_history = history_table

_OPEN = (DeadLetterStatus.PARKED.value, DeadLetterStatus.REQUEUED.value)


@dataclass(frozen=True)
class Failure:
    """Why an event is dead-lettered: its error class, the error's message and the traceback."""

    error_class: str
    message: str
    traceback: str

    @property
    def reason(self) -> str:
        """``Class: message``, as the ledger and the history show it."""
        return f"{self.error_class}: {self.message}"


def record_outcome(connection: Connection, attempt: Attempt, outcome: Outcome) -> bool:
    """Record the event's final outcome once; a success resolves its open dead letter. False: already final."""
    if not ledger.finish(connection, attempt, outcome):
        return False
    if outcome.kind is not OutcomeKind.DEAD_LETTERED:
        detail = f"{outcome.kind.value}: {outcome.reason}" if outcome.reason else outcome.kind.value
        _resolve(connection, attempt.event.event_id, attempt.task_id, detail)
    return True


def _resolve(connection: Connection, event_id: str, task_id: str | None, detail: str) -> None:
    row = connection.execute(
        select(_dl.c.id, _dl.c.row_version).where(_dl.c.event_id == event_id, _dl.c.status.in_(_OPEN))
    ).first()
    if row is None:
        return
    at = now()
    resolved = connection.execute(
        update(_dl)
        .where(_dl.c.id == row.id, _dl.c.status.in_(_OPEN))
        .values(status=DeadLetterStatus.RESOLVED.value, resolved_at=at, row_version=_dl.c.row_version + 1)
    )
    if resolved.rowcount:
        add_history(connection, row.id, action=HistoryAction.RESOLVED, at=at, task_id=task_id, detail=detail)


def dead_letter(connection: Connection, attempt: Attempt, failure: Failure) -> bool:
    """Park the event, unless another copy already finished it (a final state stays final): False then."""
    if not record_outcome(connection, attempt, Outcome.dead_lettered(failure.reason)):
        return False
    upsert_dead_letter(connection, attempt, failure)
    return True


def upsert_dead_letter(connection: Connection, attempt: Attempt, failure: Failure) -> int:
    """Park the attempt's event (insert, or update the existing row and count the failure); return the row id."""
    at = now()
    event = attempt.event
    changes: dict[str, Any] = {
        "event_type": event.event_type,
        "crn": cut(attempt.shown.crn, 20),
        "detail_url": cut(attempt.shown.detail_url, 2000),
        "event": event.to_task_arg(),
        "error_class": cut(failure.error_class, 200) or "",
        "error_message": failure.message,
        "traceback": failure.traceback,
        "attempts": attempt.number,
        "status": DeadLetterStatus.PARKED.value,
        "last_failed_at": at,
        "last_task_id": attempt.task_id,
    }
    row_id = _update_existing(connection, event.event_id, changes)
    if row_id is None:
        try:
            with connection.begin_nested():
                row_id = connection.execute(
                    insert(_dl)
                    .values(
                        event_id=event.event_id,
                        failure_count=1,
                        first_failed_at=at,
                        requeue_count=0,
                        row_version=0,
                        **changes,
                    )
                    .returning(_dl.c.id)
                ).scalar_one()
        except IntegrityError:
            # Another worker inserted the same event id between our look-up and insert: count on its row.
            row_id = _update_existing(connection, event.event_id, changes)
            if row_id is None:
                raise
    add_history(connection, row_id, action=HistoryAction.FAILED, at=at, task_id=attempt.task_id, detail=failure.reason)
    return row_id


def _update_existing(connection: Connection, event_id: str, changes: dict[str, Any]) -> int | None:
    row_id = connection.execute(
        select(_dl.c.id).where(_dl.c.event_id == event_id).with_for_update()
    ).scalar_one_or_none()
    if row_id is not None:
        connection.execute(
            update(_dl)
            .where(_dl.c.id == row_id)
            .values(failure_count=_dl.c.failure_count + 1, row_version=_dl.c.row_version + 1, **changes)
        )
    return row_id


def add_history(  # noqa: PLR0913 - one column per argument
    connection: Connection,
    dead_letter_id: int,
    *,
    action: HistoryAction,
    at: datetime,
    task_id: str | None,
    detail: str | None,
) -> int:
    """Append a line to a dead letter's history; return its id."""
    return int(
        connection.execute(
            insert(_history)
            .values(dead_letter_id=dead_letter_id, action=action.value, at=at, task_id=task_id, detail=detail)
            .returning(_history.c.id)
        ).scalar_one()
    )
