"""Operators' actions on dead letters: re-enqueue (claim first, then dispatch) and discard; both safe to repeat.

A re-enqueue claims the row with its ``row_version`` in a committed transaction before dispatching, so of two
concurrent requests for the same row only one dispatches, and a row already ``requeued`` or ``resolved`` is never
dispatched again: re-enqueueing twice cannot allocate twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Engine, select, update

from allocations.events import ReceivedEvent
from allocations.state.models import dead_letter_table, history_table
from allocations.state.recording import add_history, now
from allocations.state.records import ActionResult, DeadLetterStatus, HistoryAction

Dispatch = Callable[[ReceivedEvent], str]

_dl = dead_letter_table
_history = history_table
_PARKED = DeadLetterStatus.PARKED.value


def requeue(engine: Engine, ids: Iterable[int], dispatch: Dispatch, actor: str | None) -> list[ActionResult]:
    """Re-dispatch each parked dead letter's stored event; say for each what happened."""
    return [_requeue_one(engine, dead_letter_id, dispatch, actor) for dead_letter_id in ids]


def _requeue_one(engine: Engine, dead_letter_id: int, dispatch: Dispatch, actor: str | None) -> ActionResult:
    with engine.begin() as connection:
        row = connection.execute(
            select(_dl.c.status, _dl.c.row_version, _dl.c.event).where(_dl.c.id == dead_letter_id)
        ).first()
        if row is None:
            return ActionResult(dead_letter_id, done=False, status="missing", message="no such dead letter")
        if row.status != _PARKED:
            return ActionResult(dead_letter_id, done=False, status=row.status, message=f"already {row.status}")
        at = now()
        claimed = connection.execute(
            update(_dl)
            .where(_dl.c.id == dead_letter_id, _dl.c.row_version == row.row_version, _dl.c.status == _PARKED)
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
    try:
        task_id = dispatch(ReceivedEvent.from_task_arg(row.event))
    except Exception as error:  # noqa: BLE001 - any broker failure hands the row back to operators
        _release(engine, dead_letter_id, f"{type(error).__name__}: {error}")
        return ActionResult(dead_letter_id, done=False, status=_PARKED, message=f"dispatch failed: {error}")
    with engine.begin() as connection:
        # Status is left alone: the task may already have resolved the row.
        connection.execute(update(_dl).where(_dl.c.id == dead_letter_id).values(last_task_id=task_id))
        connection.execute(update(_history).where(_history.c.id == history_id).values(task_id=task_id))
    return ActionResult(dead_letter_id, done=True, status=DeadLetterStatus.REQUEUED.value, task_id=task_id)


def _release(engine: Engine, dead_letter_id: int, detail: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(_dl)
            .where(_dl.c.id == dead_letter_id, _dl.c.status == DeadLetterStatus.REQUEUED.value)
            .values(status=_PARKED, row_version=_dl.c.row_version + 1)
        )
        add_history(
            connection, dead_letter_id, action=HistoryAction.REQUEUE_FAILED, at=now(), task_id=None, detail=detail
        )


def discard(engine: Engine, ids: Iterable[int], reason: str, actor: str | None) -> list[ActionResult]:
    """Mark each parked dead letter ``discarded`` with the reason; other rows are left as they are."""
    if not reason.strip():
        raise ValueError("a reason is required to discard a dead letter")
    results = []
    for dead_letter_id in ids:
        with engine.begin() as connection:
            status = connection.execute(select(_dl.c.status).where(_dl.c.id == dead_letter_id)).scalar_one_or_none()
            if status is None:
                results.append(
                    ActionResult(dead_letter_id, done=False, status="missing", message="no such dead letter")
                )
                continue
            changed = connection.execute(
                update(_dl)
                .where(_dl.c.id == dead_letter_id, _dl.c.status == _PARKED)
                .values(
                    status=DeadLetterStatus.DISCARDED.value, discarded_reason=reason, row_version=_dl.c.row_version + 1
                )
            )
            if not changed.rowcount:
                results.append(ActionResult(dead_letter_id, done=False, status=status, message=f"already {status}"))
                continue
            detail = f"{reason} (by {actor})" if actor else reason
            add_history(
                connection, dead_letter_id, action=HistoryAction.DISCARDED, at=now(), task_id=None, detail=detail
            )
            results.append(ActionResult(dead_letter_id, done=True, status=DeadLetterStatus.DISCARDED.value))
    return results
