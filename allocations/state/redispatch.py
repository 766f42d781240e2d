"""What dispatching an event again does to its ledger row: the reconciler's claim, an operator's re-enqueue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update

from allocations.events import ReceivedEvent
from allocations.outcome import OutcomeKind
from allocations.state.ledger import PENDING, now
from allocations.state.models import ledger_table

if TYPE_CHECKING:
    from datetime import datetime, timedelta

_ledger = ledger_table


def reopen(connection: Connection, event_id: str, *, due_at: datetime) -> None:
    """An operator re-enqueued the event's dead letter: pending again, with a fresh count of attempts."""
    connection.execute(
        update(_ledger)
        .where(_ledger.c.event_id == event_id)
        .values(state=PENDING, reason=None, open_attempts=0, due_at=due_at, finished_at=None, next_attempt_at=None)
    )


def close_reopened(connection: Connection, event_id: str, reason: str) -> None:
    """A re-enqueue that could not be dispatched, or a stale one discarded: dead-lettered again."""
    connection.execute(
        update(_ledger)
        .where(_ledger.c.event_id == event_id, _ledger.c.state == PENDING)
        .values(state=OutcomeKind.DEAD_LETTERED.value, reason=reason, due_at=None, finished_at=now())
    )


def claim_due(connection: Connection, *, limit: int, lease: timedelta) -> list[ReceivedEvent]:
    """Pending events whose lease has run out, leased again for ``lease``; concurrent reconcilers skip each other."""
    at = now()
    rows = connection.execute(
        select(_ledger.c.event_id, _ledger.c.event)
        .where(_ledger.c.state == PENDING, _ledger.c.due_at <= at)
        .order_by(_ledger.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return []
    connection.execute(
        update(_ledger)
        .where(_ledger.c.event_id.in_([row.event_id for row in rows]), _ledger.c.state == PENDING)
        .values(due_at=at + lease, dispatch_count=_ledger.c.dispatch_count + 1)
    )
    return [ReceivedEvent.from_task_arg(row.event) for row in rows]
