from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, event, text

from allocations.state.operator_view import OperatorView
from allocations.state.records import DeadLetterFilter
from allocations.state.schema import upgrade_state_schema

if TYPE_CHECKING:
    from allocations.events import ReceivedEvent
    from allocations.state.records import ActionResult
    from allocations.state.store import StateStore


@pytest.fixture
def view(store: StateStore) -> OperatorView:
    return OperatorView(store.engine, lease=store.lease)


class RecordingDispatch:
    def __init__(self, pause: float = 0.0) -> None:
        self.sent: list[ReceivedEvent] = []
        self.pause = pause
        self.lock = threading.Lock()

    def __call__(self, event: ReceivedEvent) -> str:
        time.sleep(self.pause)
        with self.lock:
            self.sent.append(event)
            return f"task-{len(self.sent)}"


def test_requeue_dispatches_the_stored_event_and_marks_the_row_requeued(view: OperatorView, park, received_event):
    event = received_event("r-1")
    dead_letter_id = park(event)
    dispatch = RecordingDispatch()

    [result] = view.requeue([dead_letter_id], dispatch, actor="operator")

    assert (result.done, result.status, result.task_id) == (True, "requeued", "task-1")
    assert dispatch.sent == [event]
    dead_letter = view.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert (dead_letter.status, dead_letter.requeue_count, dead_letter.last_task_id) == ("requeued", 1, "task-1")
    assert dead_letter.last_requeued_at is not None
    [*_, requeued] = view.history(dead_letter_id)
    assert (requeued.action, requeued.task_id, requeued.detail) == ("requeued", "task-1", "operator")


def test_requeueing_twice_dispatches_once(view: OperatorView, park, received_event):
    dead_letter_id = park(received_event("r-2"))
    dispatch = RecordingDispatch()

    view.requeue([dead_letter_id], dispatch)
    [again] = view.requeue([dead_letter_id], dispatch)

    assert len(dispatch.sent) == 1
    assert (again.done, again.status, again.message) == (False, "requeued", "already requeued")


def test_a_requeue_that_commits_between_another_requeues_read_and_claim_leaves_it_nothing_to_dispatch(
    view: OperatorView, park, received_event
):
    dead_letter_id = park(received_event("r-3"))
    dispatch = RecordingDispatch()
    competitor: list[ActionResult] = []
    claims: list[str] = []

    def competitor_claims_first(_connection, _cursor, statement, *_rest):
        # Before the first claim's UPDATE (its row already read as parked), a second request reads, claims, dispatches.
        if statement.startswith("UPDATE workforce_allocations.dead_letter") and "requeue_count" in statement:
            claims.append(statement)
            if len(claims) == 1:
                competitor.extend(view.requeue([dead_letter_id], dispatch, actor="competitor"))

    event.listen(view.engine, "before_cursor_execute", competitor_claims_first)
    try:
        [result] = view.requeue([dead_letter_id], dispatch)
    finally:
        event.remove(view.engine, "before_cursor_execute", competitor_claims_first)

    assert len(claims) == 2
    assert [(r.done, r.task_id) for r in competitor] == [(True, "task-1")]
    assert (result.done, result.message) == (False, "claimed by another request")
    assert len(dispatch.sent) == 1
    dead_letter = view.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert (dead_letter.requeue_count, dead_letter.last_task_id) == (1, "task-1")


def test_a_failed_dispatch_leaves_the_row_parked_with_the_reason_in_its_history(
    view: OperatorView, park, received_event
):
    dead_letter_id = park(received_event("r-4"))

    def broken(_: ReceivedEvent) -> str:
        raise ConnectionError("broker down")

    [result] = view.requeue([dead_letter_id], broken)

    assert (result.done, result.status) == (False, "parked")
    dead_letter = view.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert dead_letter.status == "parked"
    [*_, failed] = view.history(dead_letter_id)
    assert (failed.action, failed.detail) == ("requeue-failed", "ConnectionError: broker down")


def test_requeue_by_filter_takes_only_the_parked_rows_that_match(view: OperatorView, park, received_event):
    ids = {crn: park(received_event(f"f-{crn}", crn)) for crn in ("X000001", "X000002", "X000003")}
    view.discard([ids["X000003"]], "not needed")
    dispatch = RecordingDispatch()

    results = view.requeue(DeadLetterFilter(event_type="person.community.manager.allocated"), dispatch)

    assert sorted(r.id for r in results) == sorted([ids["X000001"], ids["X000002"]])
    assert {e.event_id for e in dispatch.sent} == {"f-X000001", "f-X000002"}
    assert view.requeue(DeadLetterFilter(crn="X000001"), dispatch) == []


def test_discard_needs_a_reason_and_is_safe_to_repeat(view: OperatorView, park, received_event):
    dead_letter_id = park(received_event("d-1"))

    with pytest.raises(ValueError, match="reason"):
        view.discard([dead_letter_id], "  ")
    [first] = view.discard([dead_letter_id], "Duplicate of a manual transfer", actor="ops")
    [second] = view.discard([dead_letter_id], "Duplicate of a manual transfer")
    [missing] = view.discard([dead_letter_id + 1000], "whatever")

    assert (first.done, first.status) == (True, "discarded")
    assert (second.done, second.message) == (False, "already discarded")
    assert (missing.done, missing.status) == (False, "missing")
    dead_letter = view.get_dead_letter(dead_letter_id)
    assert dead_letter is not None
    assert dead_letter.discarded_reason == "Duplicate of a manual transfer"
    assert view.history(dead_letter_id)[-1].detail == "Duplicate of a manual transfer (by ops)"
    assert view.requeue([dead_letter_id], RecordingDispatch())[0].done is False


def test_list_is_newest_first_with_filters_and_paging(view: OperatorView, park, received_event, engine: Engine):
    for n in range(7):
        park(received_event(f"p-{n}", "X000009" if n % 2 else "X000008"))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE workforce_allocations.dead_letter SET last_failed_at = :at WHERE event_id = 'p-0'"),
            {"at": datetime(2030, 1, 1, tzinfo=UTC)},
        )

    first = view.list_dead_letters(limit=3)
    second = view.list_dead_letters(limit=3, offset=3)
    odd = view.list_dead_letters(DeadLetterFilter(crn="x000009"))

    assert first.total == 7
    assert [d.event_id for d in first.items] == ["p-0", "p-6", "p-5"]
    assert [d.event_id for d in second.items] == ["p-4", "p-3", "p-2"]
    assert [d.event_id for d in odd.items] == ["p-5", "p-3", "p-1"]
    assert view.list_dead_letters(DeadLetterFilter(status="resolved")).total == 0
    assert view.list_dead_letters(DeadLetterFilter(event_type="event.manager.allocated")).total == 0


def test_state_schema_upgrade_is_harmless_to_repeat(view: OperatorView, park, received_event, engine: Engine):
    park(received_event("s-1"))

    upgrade_state_schema(engine)
    upgrade_state_schema(engine)

    assert view.list_dead_letters().total == 1
