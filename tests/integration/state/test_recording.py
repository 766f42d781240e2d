from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from allocations.outcome import Outcome
from allocations.state.ledger import Attempt
from allocations.state.models import ledger_table
from allocations.state.recording import Failure
from allocations.state.store import StateStore

if TYPE_CHECKING:
    from allocations.events import ReceivedEvent


def attempt(event: ReceivedEvent, task_id: str = "t", number: int = 1) -> Attempt:
    return Attempt(event, number, task_id, None)


def ledger_rows(store: StateStore, event_id: str):
    with store.engine.connect() as connection:
        return connection.execute(select(ledger_table).where(ledger_table.c.event_id == event_id)).all()


def test_dead_letter_is_stored_with_the_original_event_and_a_dead_lettered_outcome(
    store: StateStore, park, received_event
):
    event = received_event("e-1")
    dead_letter_id = park(event)

    dead_letter = store.operator_view.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert dead_letter.event == event.to_task_arg()
    assert (dead_letter.status, dead_letter.failure_count, dead_letter.attempts) == ("parked", 1, 9)
    assert (dead_letter.crn, dead_letter.error_class, dead_letter.error_message) == ("X123456", "NotFound", "No staff")
    assert dead_letter.first_failed_at == dead_letter.last_failed_at
    [outcome] = store.operator_view.outcomes_for("e-1")
    assert (outcome.outcome, outcome.reason, outcome.task_id) == ("dead-lettered", "NotFound: No staff", "task-e-1")
    assert [h.action for h in store.operator_view.history(dead_letter_id)] == ["failed"]


def test_a_second_failure_after_a_requeue_updates_its_row_and_parks_it_again(store: StateStore, park, received_event):
    event = received_event("e-2")
    first_id = park(event)
    store.operator_view.requeue([first_id], lambda _: "requeue-task")
    assert store.operator_view.outcomes_for("e-2")[0].outcome == "pending"
    second_id = park(event, error_class="Conflict", message="Same instant")

    assert second_id == first_id
    dead_letter = store.operator_view.get_dead_letter(first_id)
    assert dead_letter is not None
    assert (dead_letter.status, dead_letter.failure_count, dead_letter.requeue_count) == ("parked", 2, 1)
    assert (dead_letter.error_class, dead_letter.error_message) == ("Conflict", "Same instant")
    assert dead_letter.last_failed_at > dead_letter.first_failed_at
    assert store.operator_view.list_dead_letters(None).total == 1
    assert [h.action for h in store.operator_view.history(first_id)] == ["failed", "requeued", "failed"]
    assert len(ledger_rows(store, "e-2")) == 1


def test_success_after_requeue_resolves_the_dead_letter_and_leaves_one_final_row(
    store: StateStore, park, received_event
):
    event = received_event("e-3")
    dead_letter_id = park(event)
    store.operator_view.requeue([dead_letter_id], lambda _: "requeue-task")

    recorded = store.record_outcome(attempt(event, "requeue-task"), Outcome.applied(staffCode="N01A001"))

    assert recorded
    dead_letter = store.operator_view.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert dead_letter.status == "resolved"
    assert dead_letter.resolved_at is not None
    history = store.operator_view.history(dead_letter_id)
    assert [(h.action, h.task_id) for h in history] == [
        ("failed", "task-e-3"),
        ("requeued", "requeue-task"),
        ("resolved", "requeue-task"),
    ]
    [outcome] = store.operator_view.outcomes_for("e-3")
    assert (outcome.outcome, outcome.properties) == ("applied", {"staffCode": "N01A001"})


def test_a_final_outcome_is_recorded_once_and_a_second_copy_changes_nothing(store: StateStore, received_event):
    event = received_event("e-once")
    store.receive(event)

    first = store.record_outcome(attempt(event, "first"), Outcome.applied())
    second = store.record_outcome(attempt(event, "second"), Outcome.duplicate())

    assert (first, second) == (True, False)
    [outcome] = store.operator_view.outcomes_for("e-once")
    assert (outcome.outcome, outcome.task_id) == ("applied", "first")


def test_a_late_failure_does_not_repark_a_discarded_dead_letter(store: StateStore, park, received_event):
    event = received_event("e-discarded")
    dead_letter_id = park(event)
    store.operator_view.discard([dead_letter_id], "Case transferred by hand")

    parked_again = store.dead_letter(attempt(event, "late"), Failure("Conflict", "x", ""))

    assert not parked_again
    dead_letter = store.operator_view.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert (dead_letter.status, dead_letter.failure_count) == ("discarded", 1)


def test_a_late_failure_does_not_dead_letter_an_applied_event(store: StateStore, received_event):
    event = received_event("e-applied")
    store.receive(event)
    store.record_outcome(attempt(event), Outcome.applied())

    parked = store.dead_letter(attempt(event, "late"), Failure("Conflict", "x", ""))

    assert not parked
    assert store.operator_view.list_dead_letters(None).total == 0
    assert store.operator_view.outcomes_for("e-applied")[0].outcome == "applied"


def test_ignored_outcome_resolves_a_requeued_dead_letter_with_its_reason(store: StateStore, park, received_event):
    event = received_event("e-4")
    dead_letter_id = park(event)
    store.operator_view.requeue([dead_letter_id], lambda _: "requeue-task")

    store.record_outcome(attempt(event), Outcome.ignored("Team ended"))

    [*_, resolved] = store.operator_view.history(dead_letter_id)
    assert (resolved.action, resolved.detail) == ("resolved", "ignored: Team ended")


def test_a_requeued_row_left_unfinished_for_two_leases_can_be_requeued_or_discarded_again(
    store: StateStore, park, received_event
):
    event = received_event("e-stale")
    dead_letter_id = park(event)
    assert store.operator_view.requeue([dead_letter_id], lambda _: "lost-task")[0].done
    assert not store.operator_view.requeue([dead_letter_id], lambda _: "too-soon")[0].done

    expired = StateStore(store.engine, lease=timedelta(0))
    [again] = expired.operator_view.requeue([dead_letter_id], lambda _: "second-task")
    assert again.done
    [discarded] = expired.operator_view.discard([dead_letter_id], "Given up")
    assert discarded.done
    assert store.operator_view.outcomes_for("e-stale")[0].outcome == "dead-lettered"


def test_an_event_received_twice_has_one_row_and_the_second_receipt_reports_its_state(
    store: StateStore, received_event
):
    event = received_event("e-twice")

    first = store.receive(event)
    store.record_outcome(attempt(event), Outcome.applied())
    second = store.receive(event)

    assert (first.new, first.final) == (True, False)
    assert (second.new, second.state, second.final) == (False, "applied", True)
    assert len(ledger_rows(store, "e-twice")) == 1


def test_the_reconciler_claims_only_pending_events_whose_lease_ran_out_and_leases_them_again(
    store: StateStore, received_event
):
    due, leased, done = received_event("e-due"), received_event("e-leased"), received_event("e-done")
    for event in (due, leased, done):
        store.receive(event)
    store.record_outcome(attempt(done), Outcome.applied())
    with store.engine.begin() as connection:
        connection.execute(
            update(ledger_table)
            .where(ledger_table.c.event_id.in_(["e-due", "e-done"]))
            .values(due_at=ledger_table.c.received_at - timedelta(minutes=5))
        )

    claimed = [e.event_id for e in store.claim_due() if e.event_id.startswith("e-")]
    claimed_again = [e.event_id for e in store.claim_due() if e.event_id.startswith("e-")]

    assert claimed == ["e-due"]
    assert claimed_again == []
    assert ledger_rows(store, "e-due")[0].dispatch_count == 1


def test_attempts_that_never_ended_are_counted_until_one_ends(store: StateStore, received_event):
    event = received_event("e-lost")
    store.receive(event)

    lost = [store.start_attempt(event) for _ in range(3)]
    store.postpone("e-lost", 1.0)
    after_retry = store.start_attempt(event)
    store.record_outcome(attempt(event), Outcome.applied())

    assert lost == [0, 1, 2]
    assert after_retry == 0
    assert store.start_attempt(event) is None


def test_outcomes_are_found_by_event_id_or_by_crn(store: StateStore, received_event):
    for event_id, crn in (("a", "X000001"), ("b", "X000001"), ("c", "X000002")):
        event = received_event(event_id, crn)
        store.receive(event)
        store.record_outcome(attempt(event), Outcome.applied())

    assert [o.event_id for o in store.operator_view.outcomes_for("x000001")] == ["b", "a"]
    assert [o.event_id for o in store.operator_view.outcomes_for("c")] == ["c"]
    assert store.operator_view.outcomes_for("unknown") == []
