"""The event ledger: every event is recorded before its SQS message is deleted, and ends in one final state.

The broker is transport that may lose or repeat a task; the ledger is where the service knows an event exists.
A row is ``pending`` from its receipt until its one final outcome is recorded, by a conditional update that only a
pending row passes: whichever copy of an event finishes first decides, and a later copy changes nothing. A pending
row whose ``due_at`` has passed has no live attempt, and the reconciler dispatches it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from allocations.outcome import OutcomeKind
from allocations.state.models import ledger_table

if TYPE_CHECKING:
    from collections.abc import Sequence

    from allocations.events import EventReference, ReceivedEvent
    from allocations.outcome import Outcome

_ledger = ledger_table

PENDING = "pending"
FINAL_STATES = frozenset(kind.value for kind in OutcomeKind)


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Attempt:
    """One task execution for one event: which event (and what the records show of it), which attempt, which task."""

    event: ReceivedEvent
    number: int
    task_id: str | None
    reference: EventReference | None = None  # None: what the event's payload holds

    @property
    def shown(self) -> EventReference:
        """The CRN and detail URL the records show for this attempt's event."""
        return self.reference or self.event.reference


@dataclass(frozen=True)
class Receipt:
    """What recording an arriving event found: a new row, or the state of the one already there."""

    new: bool
    state: str

    @property
    def final(self) -> bool:
        """The event already has its final outcome: nothing to dispatch."""
        return self.state in FINAL_STATES


def cut(value: str | None, length: int) -> str | None:
    """``value`` shortened to fit a column of ``length`` characters (for values that are shown, not matched)."""
    return None if value is None else value[:length]


def receive(
    connection: Connection,
    event: ReceivedEvent,
    *,
    due_at: datetime,
    reference: EventReference | None = None,
    final: Outcome | None = None,
) -> Receipt:
    """Insert the event's row (``pending``, or ``final`` when it is decided at receipt); else report the existing.

    ``reference`` is what the records show of the event (by default, what its payload holds).
    """
    values = _arrival_row(event, reference or event.reference, final, due_at=due_at, at=now())
    try:
        with connection.begin_nested():
            connection.execute(insert(_ledger).values(**values))
    except IntegrityError:
        existing = state_of(connection, event.event_id)
        if existing is None:
            raise
        return Receipt(new=False, state=existing)
    return Receipt(new=True, state=str(values["state"]))


def receive_many(
    connection: Connection, arrivals: Sequence[tuple[ReceivedEvent, Outcome | None]], *, due_at: datetime
) -> dict[str, Receipt]:
    """``receive`` for the events of one SQS receive, by event id: on PostgreSQL one INSERT for all of them.

    ``ON CONFLICT DO NOTHING`` skips the events already recorded (an SQS redelivery, an SNS duplicate, the same
    event twice in one receive) without a savepoint per row; one SELECT then reads their states.
    """
    if connection.dialect.name != "postgresql":
        return {event.event_id: receive(connection, event, due_at=due_at, final=final) for event, final in arrivals}
    at = now()
    rows = {
        event.event_id: _arrival_row(event, event.reference, final, due_at=due_at, at=at) for event, final in arrivals
    }
    if not rows:
        return {}
    inserted = set(
        connection.execute(
            postgresql.insert(_ledger)
            .on_conflict_do_nothing(index_elements=[_ledger.c.event_id])
            .returning(_ledger.c.event_id),
            list(rows.values()),
        ).scalars()
    )
    earlier = [event_id for event_id in rows if event_id not in inserted]
    states = dict(
        connection.execute(select(_ledger.c.event_id, _ledger.c.state).where(_ledger.c.event_id.in_(earlier))).all()
        if earlier
        else []
    )
    return {
        event_id: Receipt(new=True, state=str(row["state"]))
        if event_id in inserted
        else Receipt(new=False, state=str(states[event_id]))
        for event_id, row in rows.items()
    }


def _arrival_row(
    event: ReceivedEvent, shown: EventReference, final: Outcome | None, *, due_at: datetime, at: datetime
) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "event_type": event.event_type,
        "crn": cut(shown.crn, 20),
        "detail_url": cut(shown.detail_url, 2000),
        "event": event.to_task_arg(),
        "state": PENDING if final is None else final.kind.value,
        "reason": None if final is None else final.reason,
        "properties": {} if final is None else dict(final.properties),
        "attempts": 0,
        "open_attempts": 0,
        "dispatch_count": 0,
        "received_at": at,
        "due_at": due_at if final is None else None,
        "finished_at": None if final is None else at,
    }


def start_attempt(connection: Connection, event: ReceivedEvent, *, due_at: datetime) -> int | None:
    """Lease the event to the attempt that starts now; None when the event is already final.

    Returns how many attempts before this one started and never ended (the process running them died): the
    caller gives up on an event that keeps killing its worker.
    """
    earlier = lease_pending(connection, event.event_id, due_at=due_at)
    if earlier is not None:
        return earlier
    state = connection.execute(select(_ledger.c.state).where(_ledger.c.event_id == event.event_id)).scalar_one_or_none()
    if state is not None:
        return None
    # Dispatched without a receipt (a task sent by hand): record it now, so that it is guaranteed from here on.
    receive(connection, event, due_at=due_at)
    return start_attempt(connection, event, due_at=due_at)


def lease_pending(connection: Connection, event_id: str, *, due_at: datetime) -> int | None:
    """``start_attempt`` for a pending event, in one statement; None when the event is not pending (or unknown)."""
    row = connection.execute(
        update(_ledger)
        .where(_ledger.c.event_id == event_id, _ledger.c.state == PENDING)
        .values(
            attempts=_ledger.c.attempts + 1,
            open_attempts=_ledger.c.open_attempts + 1,
            due_at=due_at,
            started_at=now(),
            next_attempt_at=None,
        )
        .returning(_ledger.c.open_attempts)
    ).first()
    return None if row is None else int(row.open_attempts) - 1


def postpone(
    connection: Connection,
    event_id: str,
    *,
    due_at: datetime,
    next_attempt_at: datetime | None = None,
    error: str | None = None,
) -> None:
    """The attempt ended and a retry is scheduled: no re-dispatch before ``due_at``.

    ``next_attempt_at`` (the retry's countdown's end) and ``error`` (what it retries) are shown by the Retrying view.
    """
    connection.execute(
        update(_ledger)
        .where(_ledger.c.event_id == event_id, _ledger.c.state == PENDING)
        .values(due_at=due_at, open_attempts=0, next_attempt_at=next_attempt_at, last_error=error)
    )


def finish(connection: Connection, attempt: Attempt, outcome: Outcome) -> bool:
    """Record the event's final outcome; False (and nothing written) when another copy already recorded one."""
    event_id = attempt.event.event_id
    finished = connection.execute(
        update(_ledger)
        .where(_ledger.c.event_id == event_id, _ledger.c.state == PENDING)
        .values(
            state=outcome.kind.value,
            reason=outcome.reason,
            properties=dict(outcome.properties),
            attempts=attempt.number,
            open_attempts=0,
            task_id=attempt.task_id,
            crn=cut(attempt.shown.crn, 20),
            detail_url=cut(attempt.shown.detail_url, 2000),
            due_at=None,
            next_attempt_at=None,
            finished_at=now(),
        )
    )
    if finished.rowcount:
        return True
    if state_of(connection, event_id) is not None:
        return False
    # Never received (a task sent by hand): record it, then its outcome.
    receive(connection, attempt.event, due_at=now(), reference=attempt.shown)
    return finish(connection, attempt, outcome)


def state_of(connection: Connection, event_id: str) -> str | None:
    """The event's state, or None when it was never recorded."""
    found = connection.execute(select(_ledger.c.state).where(_ledger.c.event_id == event_id)).scalar_one_or_none()
    return None if found is None else str(found)
