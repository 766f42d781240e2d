"""Retention: delete old outcomes and old resolved or discarded dead letters, in batches; never open work.

Kept whatever their age: pending ledger rows, parked and requeued dead letters, and the ledger row of any event
whose dead letter is kept (the operators' pages show the two together). A dead letter goes once nothing has
happened to it (no failure, re-enqueue, resolution or discard in its history) since the cut-off; its history goes
with it. Each batch is a transaction of its own, so a purge never holds many locks for long and can be stopped and
run again at any point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, not_, select

from allocations.state.ledger import FINAL_STATES, now
from allocations.state.models import dead_letter_table, history_table, ledger_table
from allocations.state.records import DeadLetterStatus

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from sqlalchemy import Connection, Engine, Select, Table

_ledger, _dl, _history = ledger_table, dead_letter_table, history_table
CLOSED = (DeadLetterStatus.RESOLVED.value, DeadLetterStatus.DISCARDED.value)
DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class PurgeReport:
    """What a purge deleted, or with ``dry_run`` would delete, of rows last touched before ``cutoff``."""

    cutoff: datetime
    outcomes: int
    dead_letters: int
    history: int
    batches: int
    dry_run: bool


def purge(
    engine: Engine, older_than: timedelta, *, batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False
) -> PurgeReport:
    """Delete (or with ``dry_run`` count) what retention allows: dead letters first, then outcomes.

    Args:
        engine: The database holding the service's schema.
        older_than: How long outcomes and closed dead letters are kept.
        batch_size: At most this many rows of a table per transaction.
        dry_run: Only count; delete nothing.

    Returns:
        The counts, and the cut-off they were measured against.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cutoff = now() - older_than
    if dry_run:
        with engine.connect() as connection:
            counts = [_count(connection, _dl, _old_dead_letter(cutoff))]
            counts.append(_count(connection, _history, _history.c.dead_letter_id.in_(_dead_letter_ids(cutoff))))
            counts.append(_count(connection, _ledger, _old_outcome(cutoff)))
        return PurgeReport(cutoff, counts[2], counts[0], counts[1], batches=0, dry_run=True)
    dead_letters = history = outcomes = batches = 0
    # Keyset pagination (after the last key seen): a batch never re-reads the rows earlier batches deleted.
    last_id: int | None = None
    while True:
        with engine.begin() as connection:
            query = _dead_letter_ids(cutoff).order_by(_dl.c.id).limit(batch_size)
            ids = list(connection.scalars(query if last_id is None else query.where(_dl.c.id > last_id)))
            if not ids:
                break
            # Still closed (a closed dead letter stays closed; checked again all the same), history first.
            still_closed = select(_dl.c.id).where(_dl.c.id.in_(ids), _dl.c.status.in_(CLOSED))
            history += connection.execute(delete(_history).where(_history.c.dead_letter_id.in_(still_closed))).rowcount
            dead_letters += connection.execute(delete(_dl).where(_dl.c.id.in_(still_closed))).rowcount
        batches, last_id = batches + 1, ids[-1]
    last_event: str | None = None
    while True:
        with engine.begin() as connection:
            query = (
                select(_ledger.c.event_id).where(_old_outcome(cutoff)).order_by(_ledger.c.event_id).limit(batch_size)
            )
            event_ids = list(
                connection.scalars(query if last_event is None else query.where(_ledger.c.event_id > last_event))
            )
            if not event_ids:
                break
            # Final and old again: a row re-enqueued since the select (pending again) stays. A dead letter is only
            # ever created or re-enqueued for a pending row, so the dead-letter half needs no second look.
            condition = and_(_ledger.c.event_id.in_(event_ids), _finished_before(cutoff))
            outcomes += connection.execute(delete(_ledger).where(condition)).rowcount
        batches, last_event = batches + 1, event_ids[-1]
    return PurgeReport(cutoff, outcomes, dead_letters, history, batches, dry_run=False)


def _old_dead_letter(cutoff: datetime) -> ColumnElement[bool]:
    """Resolved or discarded, and nothing in its history since ``cutoff``."""
    recent = exists().where(_history.c.dead_letter_id == _dl.c.id, _history.c.at >= cutoff)
    return and_(_dl.c.status.in_(CLOSED), _dl.c.last_failed_at < cutoff, not_(recent))


def _dead_letter_ids(cutoff: datetime) -> Select[Any]:
    return select(_dl.c.id).where(_old_dead_letter(cutoff))


def _old_outcome(cutoff: datetime) -> ColumnElement[bool]:
    """A final outcome finished before ``cutoff`` whose event has no dead letter that is kept."""
    kept_dead_letter = exists().where(_dl.c.event_id == _ledger.c.event_id, not_(_old_dead_letter(cutoff)))
    return and_(_finished_before(cutoff), not_(kept_dead_letter))


def _finished_before(cutoff: datetime) -> ColumnElement[bool]:
    return and_(_ledger.c.state.in_(FINAL_STATES), _ledger.c.finished_at < cutoff)


def _count(connection: Connection, table: Table, condition: ColumnElement[bool]) -> int:
    return int(connection.execute(select(func.count()).select_from(table).where(condition)).scalar_one())
