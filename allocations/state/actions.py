"""Operators' actions on dead letters: re-enqueue (claim first, then dispatch) and discard; both safe to repeat.

A re-enqueue claims the row with its ``row_version`` in a committed transaction before dispatching, so of two
concurrent requests for the same row only one dispatches, and a row already ``requeued`` or ``resolved`` is never
dispatched again: re-enqueueing twice cannot allocate twice. The claim makes the event pending again in the ledger,
so a re-enqueued event whose task is lost is dispatched again by the reconciler. A row still ``requeued`` long after
its re-enqueue (twice the lease: no attempt has finished it) can be re-enqueued or discarded again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Engine, and_, or_, select, update

from allocations.events import ReceivedEvent
from allocations.state import redispatch
from allocations.state.ledger import now
from allocations.state.models import dead_letter_table, history_table
from allocations.state.recording import add_history
from allocations.state.records import ActionResult, DeadLetterStatus, HistoryAction

if TYPE_CHECKING:
    from datetime import timedelta

Dispatch = Callable[[ReceivedEvent], str]

_dl = dead_letter_table
_history = history_table
_PARKED = DeadLetterStatus.PARKED.value
_REQUEUED = DeadLetterStatus.REQUEUED.value


def actionable(lease: timedelta) -> ColumnElement[bool]:
    """Parked rows, and rows left ``requeued`` for longer than two leases (their re-enqueue never finished)."""
    stale = and_(_dl.c.status == _REQUEUED, _dl.c.last_requeued_at < now() - 2 * lease)
    return or_(_dl.c.status == _PARKED, stale)


def requeue(
    engine: Engine, ids: Iterable[int], dispatch: Dispatch, actor: str | None, *, lease: timedelta
) -> list[ActionResult]:
    """Re-dispatch each parked dead letter's stored event; say for each what happened."""
    return [_requeue_one(engine, dead_letter_id, dispatch, actor, lease) for dead_letter_id in ids]


def _requeue_one(
    engine: Engine, dead_letter_id: int, dispatch: Dispatch, actor: str | None, lease: timedelta
) -> ActionResult:
    with engine.begin() as connection:
        row = connection.execute(
            select(_dl.c.status, _dl.c.row_version, _dl.c.event, _dl.c.event_id, actionable(lease).label("open")).where(
                _dl.c.id == dead_letter_id
            )
        ).first()
        if row is None:
            return ActionResult(dead_letter_id, done=False, status="missing", message="no such dead letter")
        if not row.open:
            return ActionResult(dead_letter_id, done=False, status=row.status, message=f"already {row.status}")
        at = now()
        claimed = connection.execute(
            update(_dl)
            .where(_dl.c.id == dead_letter_id, _dl.c.row_version == row.row_version, actionable(lease))
            .values(
                status=DeadLetterStatus.REQUEUED.value,
                requeue_count=_dl.c.requeue_count + 1,
                last_requeued_at=at,
                row_version=_dl.c.row_version + 1,
            )
        )
        if not claimed.rowcount:
            return ActionResult(
                dead_letter_id, done=False, status=DeadLetterStatus.REQUEUED.value, message="claimed by another request"
            )
        history_id = add_history(
            connection, dead_letter_id, action=HistoryAction.REQUEUED, at=at, task_id=None, detail=actor
        )
        redispatch.reopen(connection, row.event_id, due_at=at + lease)
    try:
        task_id = dispatch(ReceivedEvent.from_task_arg(row.event))
    except Exception as error:  # noqa: BLE001 - any broker failure hands the row back to operators
        _release(engine, dead_letter_id, row.event_id, f"{type(error).__name__}: {error}")
        return ActionResult(dead_letter_id, done=False, status=_PARKED, message=f"dispatch failed: {error}")
    with engine.begin() as connection:
        # Status is left alone: the task may already have resolved the row.
        connection.execute(update(_dl).where(_dl.c.id == dead_letter_id).values(last_task_id=task_id))
        connection.execute(update(_history).where(_history.c.id == history_id).values(task_id=task_id))
    return ActionResult(dead_letter_id, done=True, status=DeadLetterStatus.REQUEUED.value, task_id=task_id)


def _release(engine: Engine, dead_letter_id: int, event_id: str, detail: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(_dl)
            .where(_dl.c.id == dead_letter_id, _dl.c.status == _REQUEUED)
            .values(status=_PARKED, row_version=_dl.c.row_version + 1)
        )
        redispatch.close_reopened(connection, event_id, f"re-enqueue failed: {detail}")
        add_history(
            connection, dead_letter_id, action=HistoryAction.REQUEUE_FAILED, at=now(), task_id=None, detail=detail
        )


def discard(
    engine: Engine, ids: Iterable[int], reason: str, actor: str | None, *, lease: timedelta
) -> list[ActionResult]:
    """Mark each parked (or stale re-enqueued) dead letter ``discarded`` with the reason; others are left alone."""
    if not reason.strip():
        raise ValueError("a reason is required to discard a dead letter")
    results = []
    for dead_letter_id in ids:
        with engine.begin() as connection:
            found = connection.execute(select(_dl.c.status, _dl.c.event_id).where(_dl.c.id == dead_letter_id)).first()
            if found is None:
                results.append(
                    ActionResult(dead_letter_id, done=False, status="missing", message="no such dead letter")
                )
                continue
            status = found.status
            changed = connection.execute(
                update(_dl)
                .where(_dl.c.id == dead_letter_id, actionable(lease))
                .values(
                    status=DeadLetterStatus.DISCARDED.value, discarded_reason=reason, row_version=_dl.c.row_version + 1
                )
            )
            if not changed.rowcount:
                results.append(ActionResult(dead_letter_id, done=False, status=status, message=f"already {status}"))
                continue
            detail = f"{reason} (by {actor})" if actor else reason
            redispatch.close_reopened(connection, found.event_id, f"discarded: {reason}")
            add_history(
                connection, dead_letter_id, action=HistoryAction.DISCARDED, at=now(), task_id=None, detail=detail
            )
            results.append(ActionResult(dead_letter_id, done=True, status=DeadLetterStatus.DISCARDED.value))
    return results
