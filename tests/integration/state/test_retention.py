"""Retention deletes old outcomes and old closed dead letters with their history; never pending or open work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from allocations.state.models import dead_letter_table, history_table, ledger_table
from allocations.state.retention import purge

NOW = datetime.now(UTC)
OLD, RECENT = NOW - timedelta(days=100), NOW - timedelta(days=10)
KEEP_FOR = timedelta(days=90)
EVENT = {"eventType": "person.community.manager.allocated"}


def ledger_row(connection, event_id, state, *, finished_at):
    connection.execute(
        insert(ledger_table).values(
            event_id=event_id,
            event_type=EVENT["eventType"],
            event=EVENT,
            state=state,
            properties={},
            received_at=OLD - timedelta(days=1),
            finished_at=finished_at,
        )
    )


def dead_letter(connection, event_id, status, *, history):
    """A dead letter with one history row per (action, at); its last failure is the first ``failed`` entry."""
    failed_at = next(at for action, at in history if action == "failed")
    dead_letter_id = connection.execute(
        insert(dead_letter_table)
        .values(
            event_id=event_id,
            event_type=EVENT["eventType"],
            event=EVENT,
            error_class="NotFound",
            error_message="No staff",
            traceback="Traceback",
            attempts=9,
            failure_count=1,
            status=status,
            first_failed_at=failed_at,
            last_failed_at=failed_at,
        )
        .returning(dead_letter_table.c.id)
    ).scalar_one()
    connection.execute(
        insert(history_table), [{"dead_letter_id": dead_letter_id, "action": a, "at": at} for a, at in history]
    )


@pytest.fixture
def rows(store, engine):
    """Every kind of row at every age that matters, and which of them retention may delete."""
    with engine.begin() as c:
        ledger_row(c, "applied-old", "applied", finished_at=OLD)
        ledger_row(c, "ignored-old", "ignored", finished_at=OLD)
        ledger_row(c, "duplicate-old", "duplicate", finished_at=OLD)
        ledger_row(c, "applied-recent", "applied", finished_at=RECENT)
        ledger_row(c, "pending-old", "pending", finished_at=None)  # received long ago, never finished
        # Parked long ago and never touched since: kept, with its ledger row.
        ledger_row(c, "parked-old", "dead-lettered", finished_at=OLD)
        dead_letter(c, "parked-old", "parked", history=[("failed", OLD)])
        # Re-enqueued long ago and still not finished: kept (its ledger row is pending again).
        ledger_row(c, "requeued-old", "pending", finished_at=None)
        dead_letter(c, "requeued-old", "requeued", history=[("failed", OLD), ("requeued", OLD)])
        # Resolved long ago: goes, with its history and its ledger row.
        ledger_row(c, "resolved-old", "applied", finished_at=OLD)
        dead_letter(c, "resolved-old", "resolved", history=[("failed", OLD), ("requeued", OLD), ("resolved", OLD)])
        # Discarded long ago: goes, with its history and its ledger row.
        ledger_row(c, "discarded-old", "dead-lettered", finished_at=OLD)
        dead_letter(c, "discarded-old", "discarded", history=[("failed", OLD), ("discarded", OLD)])
        # Failed long ago but discarded recently: kept, and so is its (old) ledger row.
        ledger_row(c, "discarded-recently", "dead-lettered", finished_at=OLD)
        dead_letter(c, "discarded-recently", "discarded", history=[("failed", OLD), ("discarded", RECENT)])
        # Resolved recently: kept.
        ledger_row(c, "resolved-recent", "applied", finished_at=RECENT)
        dead_letter(c, "resolved-recent", "resolved", history=[("failed", RECENT), ("resolved", RECENT)])
    return {"applied-old", "ignored-old", "duplicate-old", "resolved-old", "discarded-old"}


def remaining(engine):
    with engine.connect() as connection:
        ledger = set(connection.scalars(select(ledger_table.c.event_id)))
        dead_letters = set(connection.scalars(select(dead_letter_table.c.event_id)))
        history = connection.scalars(select(history_table.c.id)).all()
        return ledger, dead_letters, len(history)


def test_dry_run_counts_what_a_purge_would_delete_and_deletes_nothing(rows, engine):
    before = remaining(engine)

    report = purge(engine, KEEP_FOR, dry_run=True)

    assert (report.outcomes, report.dead_letters, report.history, report.dry_run) == (5, 2, 5, True)
    assert remaining(engine) == before


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_purge_deletes_old_outcomes_and_closed_dead_letters_and_keeps_everything_open(rows, engine, batch_size):
    ledger, dead_letters, history = remaining(engine)

    report = purge(engine, KEEP_FOR, batch_size=batch_size)

    assert (report.outcomes, report.dead_letters, report.history, report.dry_run) == (5, 2, 5, False)
    assert remaining(engine) == (
        ledger - rows,
        dead_letters - {"resolved-old", "discarded-old"},
        history - 5,
    )
    assert "pending-old" in remaining(engine)[0]
    assert {"parked-old", "requeued-old", "discarded-recently"} <= remaining(engine)[1]


def test_each_batch_is_bounded_and_a_second_purge_finds_nothing(rows, engine):
    report = purge(engine, KEEP_FOR, batch_size=2)

    # Two dead letters in one batch; five outcomes in batches of two, two and one.
    assert report.batches == 4
    again = purge(engine, KEEP_FOR, batch_size=2)
    assert (again.outcomes, again.dead_letters, again.history, again.batches) == (0, 0, 0, 0)


def test_a_longer_retention_keeps_everything(rows, engine):
    before = remaining(engine)

    report = purge(engine, timedelta(days=365))

    assert (report.outcomes, report.dead_letters, report.history) == (0, 0, 0)
    assert remaining(engine) == before


def test_batch_size_must_be_positive(engine):
    with pytest.raises(ValueError, match="batch_size"):
        purge(engine, KEEP_FOR, batch_size=0)
