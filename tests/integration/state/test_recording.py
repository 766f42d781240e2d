from __future__ import annotations

from typing import TYPE_CHECKING

from allocations.outcome import OutcomeKind

if TYPE_CHECKING:
    from allocations.state.store import StateStore


def test_dead_letter_is_stored_with_the_original_event_and_a_dead_lettered_outcome(
    store: StateStore, park, received_event
):
    event = received_event("e-1")
    dead_letter_id = park(event)

    dead_letter = store.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert dead_letter.event == event.to_task_arg()
    assert (dead_letter.status, dead_letter.failure_count, dead_letter.attempts) == ("parked", 1, 9)
    assert (dead_letter.crn, dead_letter.error_class, dead_letter.error_message) == ("X123456", "NotFound", "No staff")
    assert dead_letter.first_failed_at == dead_letter.last_failed_at
    [outcome] = store.outcomes_for("e-1")
    assert (outcome.outcome, outcome.reason, outcome.task_id) == ("dead-lettered", "NotFound: No staff", "task-e-1")
    assert [h.action for h in store.history(dead_letter_id)] == ["failed"]


def test_a_second_failure_of_the_same_event_updates_its_row_and_parks_it_again(store: StateStore, park, received_event):
    event = received_event("e-2")
    first_id = park(event)
    store.requeue([first_id], lambda _: "requeue-task")
    second_id = park(event, error_class="Conflict", message="Same instant")

    assert second_id == first_id
    dead_letter = store.get_dead_letter(first_id)
    assert dead_letter is not None
    assert (dead_letter.status, dead_letter.failure_count, dead_letter.requeue_count) == ("parked", 2, 1)
    assert (dead_letter.error_class, dead_letter.error_message) == ("Conflict", "Same instant")
    assert dead_letter.last_failed_at > dead_letter.first_failed_at
    assert store.list_dead_letters().total == 1
    assert [h.action for h in store.history(first_id)] == ["failed", "requeued", "failed"]


def test_success_after_requeue_resolves_the_dead_letter(store: StateStore, park, received_event):
    event = received_event("e-3")
    dead_letter_id = park(event)
    store.requeue([dead_letter_id], lambda _: "requeue-task")

    store.record_outcome(
        event,
        outcome=OutcomeKind.APPLIED,
        crn="X123456",
        detail_url=event.payload["detailUrl"],
        reason=None,
        attempts=1,
        task_id="requeue-task",
        properties={"staffCode": "N01A001"},
    )

    dead_letter = store.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert dead_letter.status == "resolved"
    assert dead_letter.resolved_at is not None
    history = store.history(dead_letter_id)
    assert [(h.action, h.task_id) for h in history] == [
        ("failed", "task-e-3"),
        ("requeued", "requeue-task"),
        ("resolved", "requeue-task"),
    ]
    assert [o.outcome for o in store.outcomes_for("e-3")] == ["applied", "dead-lettered"]
    assert store.outcomes_for("e-3")[0].properties == {"staffCode": "N01A001"}


def test_ignored_outcome_resolves_a_parked_dead_letter_with_its_reason(store: StateStore, park, received_event):
    event = received_event("e-4")
    dead_letter_id = park(event)

    store.record_outcome(
        event, outcome=OutcomeKind.IGNORED, crn=None, detail_url=None, reason="Team ended", attempts=1, task_id="t"
    )

    [*_, resolved] = store.history(dead_letter_id)
    assert (resolved.action, resolved.detail) == ("resolved", "ignored: Team ended")


def test_success_does_not_reopen_or_resolve_a_discarded_dead_letter(store: StateStore, park, received_event):
    event = received_event("e-5")
    dead_letter_id = park(event)
    store.discard([dead_letter_id], "Case transferred by hand")

    store.record_outcome(
        event, outcome=OutcomeKind.DUPLICATE, crn="X123456", detail_url=None, reason=None, attempts=1, task_id="t"
    )

    dead_letter = store.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert dead_letter.status == "discarded"
    assert [h.action for h in store.history(dead_letter_id)] == ["failed", "discarded"]


def test_outcomes_are_found_by_event_id_or_by_crn(store: StateStore, park, received_event):
    for event_id, crn in (("a", "X000001"), ("b", "X000001"), ("c", "X000002")):
        store.record_outcome(
            received_event(event_id, crn),
            outcome=OutcomeKind.APPLIED,
            crn=crn,
            detail_url=None,
            reason=None,
            attempts=1,
            task_id=None,
        )

    assert [o.event_id for o in store.outcomes_for("x000001")] == ["b", "a"]
    assert [o.event_id for o in store.outcomes_for("c")] == ["c"]
    assert store.outcomes_for("unknown") == []
