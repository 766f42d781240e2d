"""The allocation tasks run by a Celery worker through Redis: per-type task, fetch, write, and how attempts end."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from factories import audit_rows, read_rows

from allocations.delius.models import OffenderManager
from allocations.delius.steps.kinds import PERSON
from allocations.event_types import EventType
from allocations.outcome import Outcome
from allocations.state.ledger import Attempt
from allocations.workload.details import AllocationReason, PersonAllocationDetail
from tasks.fetched import Fetched

PER_TYPE = "allocations.person_allocated"
WRITE = "allocations.write_allocation"
CREATED = datetime(2025, 6, 4, 13, 5, 9, 118000, tzinfo=UTC)


@pytest.fixture
def world(delius):
    """A person managed by Old Team in North East since START, and New Team's officer to allocate them to."""
    return (delius, *delius.person_moving_teams())


def person_detail(case, team, staff) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "crn": case.crn,
        "staffCode": staff.code,
        "teamCode": team.code,
        "createdDate": "2025-06-04T13:05:09.118Z",
        "allocationReason": "OFFICER_LEFT",
    }


def managers(engine) -> list[tuple[int, int]]:
    rows = read_rows(engine, OffenderManager, OffenderManager.allocation_date)
    return [(row["allocation_staff_id"], row["active_flag"]) for row in rows]


def test_person_allocation_sent_as_its_task_is_applied_once(harness, world, engine):
    _, case, team, staff = world
    received = harness.serve(EventType.PERSON, case.crn, person_detail(case, team, staff))

    harness.send(received)

    outcome = harness.outcome(received)
    assert (outcome.outcome, outcome.crn, outcome.attempts, outcome.reason) == ("applied", case.crn, 1, None)
    assert harness.wait_ended(WRITE) == ["SUCCESS"]
    assert harness.log.names() == [PER_TYPE, WRITE]
    assert managers(engine) == [(case.staff.id, 0), (staff.id, 1)]
    assert [result for result, _ in audit_rows(engine)] == ["P"]
    assert [r["status"] for r in harness.stub.requests_to(received.payload["detailUrl"])] == [200]


def test_the_fetch_hands_the_write_a_typed_detail_through_the_broker(harness, world):
    _, case, team, staff = world
    detail = person_detail(case, team, staff)
    received = harness.serve(EventType.PERSON, case.crn, detail)

    harness.send(received)
    harness.wait_ended(WRITE)

    [(fetched, event)] = harness.log.args_of(WRITE)
    assert type(fetched) is Fetched
    assert fetched.attempts == 1
    assert fetched.detail == PersonAllocationDetail(
        id=detail["id"],
        staff_code=staff.code,
        team_code=team.code,
        created_date=CREATED,
        allocation_reason=AllocationReason.OFFICER_LEFT,
        crn=case.crn,
    )
    assert type(fetched.detail.allocation_reason) is AllocationReason
    assert fetched.detail.created_date.utcoffset() is not None
    assert fetched.detail.created_date.isoformat() == "2025-06-04T14:05:09.118000+01:00"  # London summer time
    assert event == received.to_task_arg()


def test_workload_503_is_retried_then_applied_with_two_attempts(harness, world, engine):
    _, case, team, staff = world
    received = harness.serve(EventType.PERSON, case.crn, person_detail(case, team, staff))
    harness.stub.fail_next(received.payload["detailUrl"], 503)

    harness.send(received)

    outcome = harness.outcome(received)
    assert (outcome.outcome, outcome.attempts) == ("applied", 2)
    assert [r["status"] for r in harness.stub.requests_to(received.payload["detailUrl"])] == [503, 200]
    assert harness.wait_ended(WRITE) == ["SUCCESS"]
    assert harness.log.states_of(PER_TYPE) == ["RETRY", "SUCCESS"]
    assert harness.log.names() == [PER_TYPE, PER_TYPE, WRITE]
    [(fetched, _)] = harness.log.args_of(WRITE)
    assert fetched.attempts == 2
    assert managers(engine) == [(case.staff.id, 0), (staff.id, 1)]
    assert [result for result, _ in audit_rows(engine)] == ["P"]


def test_an_event_already_final_stops_the_chain_at_the_fetch(harness, world, engine):
    _, case, team, staff = world
    received = harness.serve(EventType.PERSON, case.crn, person_detail(case, team, staff))
    harness.state.receive(received)
    harness.state.record_outcome(Attempt(received, 1, "earlier-task", None), Outcome.applied())
    [before] = harness.state.operator_view.outcomes_for(received.event_id)

    harness.send(received)

    assert harness.wait_ended(PER_TYPE) == ["IGNORED"]
    harness.settle()
    assert harness.log.names() == [PER_TYPE]
    assert harness.state.operator_view.outcomes_for(received.event_id) == [before]
    assert harness.stub.requests_to(received.payload["detailUrl"]) == []
    assert managers(engine) == [(case.staff.id, 1)]
    assert audit_rows(engine) == []


def test_an_event_without_crn_is_dead_lettered_at_once(harness, world, engine):
    _, case, team, staff = world
    announced = harness.serve(EventType.PERSON, case.crn, person_detail(case, team, staff))
    received = replace(announced, payload={k: v for k, v in announced.payload.items() if k != "personReference"})

    harness.send(received)

    outcome = harness.outcome(received)
    assert (outcome.outcome, outcome.attempts, outcome.crn) == ("dead-lettered", 1, None)
    assert harness.wait_ended(PER_TYPE) == ["FAILURE"]
    harness.settle()
    assert harness.log.names() == [PER_TYPE]
    [letter] = [
        d
        for d in harness.state.operator_view.list_dead_letters(None, limit=500).items
        if d.event_id == received.event_id
    ]
    assert (letter.error_class, letter.status, letter.attempts) == ("InvalidMessage", "parked", 1)
    assert letter.event == received.to_task_arg()
    assert harness.stub.requests_to(received.payload["detailUrl"]) == []
    assert managers(engine) == [(case.staff.id, 1)]


def test_a_pending_transfer_ends_ignored_with_its_reason_and_a_failed_audit(harness, world, engine):
    delius, case, team, staff = world
    delius.transfer(PERSON, case.offender_id)
    received = harness.serve(EventType.PERSON, case.crn, person_detail(case, team, staff))

    harness.send(received)

    outcome = harness.outcome(received)
    assert (outcome.outcome, outcome.reason, outcome.attempts) == ("ignored", "Pending transfer exists in Delius", 1)
    assert harness.wait_ended(WRITE) == ["SUCCESS"]
    assert harness.log.names() == [PER_TYPE, WRITE]
    assert managers(engine) == [(case.staff.id, 1)]
    assert audit_rows(engine) == [("F", f"offenderId='{case.offender_id}'")]
