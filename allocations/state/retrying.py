"""Events in backoff (a retry scheduled, no attempt running), and what an operator may do to one: retry or park it now.

An event is in backoff while its ledger row is ``pending`` with ``next_attempt_at`` set (``ledger.postpone``) and
no attempt open: an attempt that starts clears ``next_attempt_at``. Both actions first lock the row and check it is
still in backoff, so two operators (or an operator and the retry's own countdown) never both act on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update

from allocations.events import ReceivedEvent
from allocations.state import ledger, recording
from allocations.state.ledger import PENDING, Attempt, now
from allocations.state.models import ledger_table
from allocations.state.recording import Failure

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, timedelta

    from sqlalchemy import ColumnElement, Engine

_ledger = ledger_table
DEAD_LETTERED_BY_OPERATOR = "InvalidMessage"  # the class a parked-by-hand event shows: never retried on its own


@dataclass(frozen=True)
class Retrying:
    """One event in backoff: its retry's scheduled time, the error it retries, and the reconciler's deadline."""

    event_id: str
    event_type: str
    crn: str | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    due_at: datetime | None
    received_at: datetime


@dataclass(frozen=True)
class RetryAction:
    """What one "retry now" or "dead-letter now" did to one event: ``done``, or why not (``message``)."""

    event_id: str
    done: bool
    message: str


def _in_backoff() -> ColumnElement[bool]:
    return (_ledger.c.state == PENDING) & _ledger.c.next_attempt_at.is_not(None) & (_ledger.c.open_attempts == 0)


def list_retrying(engine: Engine, limit: int = 200) -> list[Retrying]:
    """Events in backoff, the soonest next attempt first."""
    query = (
        select(
            _ledger.c.event_id,
            _ledger.c.event_type,
            _ledger.c.crn,
            _ledger.c.attempts,
            _ledger.c.next_attempt_at,
            _ledger.c.last_error,
            _ledger.c.due_at,
            _ledger.c.received_at,
        )
        .where(_in_backoff())
        .order_by(_ledger.c.next_attempt_at, _ledger.c.event_id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [Retrying(**row._mapping) for row in connection.execute(query)]  # noqa: SLF001 - SQLAlchemy's API


def _locked(connection: Connection, event_id: str) -> tuple[ReceivedEvent, int, str | None] | str:
    """The event, its attempts and last error, the row locked, if it is in backoff; else why not."""
    row = connection.execute(
        select(_ledger.c.event, _ledger.c.attempts, _ledger.c.last_error, _ledger.c.state, _ledger.c.next_attempt_at)
        .where(_ledger.c.event_id == event_id)
        .with_for_update()
    ).first()
    if row is None:
        return "not found"
    if row.state != PENDING:
        return f"already {row.state}"
    if row.next_attempt_at is None:
        return "not in backoff (an attempt is running or due now)"
    return ReceivedEvent.from_task_arg(row.event), int(row.attempts), row.last_error


def retry_now(
    engine: Engine, event_id: str, dispatch: Callable[[ReceivedEvent], str], *, lease: timedelta
) -> RetryAction:
    """Dispatch the event's chain at once; the countdown's copy then finds it handled, or re-runs harmlessly.

    The row leaves backoff (leased for ``lease``, as a reconciler dispatch does) in the same transaction that
    dispatches, so it is dispatched once however often the button is pressed. A failed dispatch leaves the event to
    the reconciler, due now.
    """
    with engine.begin() as connection:
        found = _locked(connection, event_id)
        if isinstance(found, str):
            return RetryAction(event_id, done=False, message=found)
        event = found[0]
        connection.execute(
            update(_ledger)
            .where(_ledger.c.event_id == event_id)
            .values(next_attempt_at=None, due_at=now() + lease, dispatch_count=_ledger.c.dispatch_count + 1)
        )
        try:
            task_id = dispatch(event)
        except Exception as error:  # noqa: BLE001 - any broker failure: the reconciler dispatches it instead
            ledger.postpone(connection, event_id, due_at=now())
            return RetryAction(event_id, done=False, message=f"dispatch failed ({error}); the reconciler retries it")
    return RetryAction(event_id, done=True, message=f"task {task_id}")


def dead_letter_now(engine: Engine, event_id: str, actor: str) -> RetryAction:
    """Park the event as a dead letter ("dead-lettered by <actor>"): final, so its pending retry changes nothing."""
    with engine.begin() as connection:
        found = _locked(connection, event_id)
        if isinstance(found, str):
            return RetryAction(event_id, done=False, message=found)
        event, attempts, last_error = found
        message = f"dead-lettered by {actor}" + (f" while retrying {last_error}" if last_error else "")
        failure = Failure(DEAD_LETTERED_BY_OPERATOR, message, f"{message}\n(no traceback: parked by an operator)")
        if not recording.dead_letter(connection, Attempt(event, attempts, None), failure):
            return RetryAction(event_id, done=False, message="already final")
    return RetryAction(event_id, done=True, message=message)


def since(at: datetime) -> float:
    """Seconds from now until ``at`` (negative once it has passed)."""
    return (at - now()).total_seconds()
