"""A worker killed in the middle of an allocation loses nothing: the reconciler dispatches it again, applied once."""

from datetime import UTC, datetime

import pytest
from factories import read_rows
from support.polling import wait_until

from allocations.delius.models import OffenderManager
from allocations.event_types import EventType
from allocations_local.processes import start_worker

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
# The dead worker's task stays in Redis's unacked set for the visibility timeout (an hour by default); the ledger's
# lease (RECONCILE_AFTER, 25 s here) ends first, and the reconciler dispatches the event again.


@pytest.fixture
def crash_env(pipeline):
    return pipeline.env


def test_allocation_in_flight_when_the_worker_dies_is_applied_once_by_the_next_worker(delius, pipeline, crash_env):
    provider = delius.provider()
    team = delius.team(provider, code="N03OLD")
    new_team = delius.team(provider, code="N03NEW")
    case = delius.case(team, delius.staff(team, code="N03OLDA"), START)
    staff = delius.staff(new_team, code="N03NEWA")
    path = "/allocation/person/slow-one"
    pipeline.stub.delay(path, 5.0)
    doomed = start_worker(crash_env, name="doomed")
    detail = {"id": "slow-one", "crn": case.crn, "staffCode": staff.code, "teamCode": new_team.code,
              "createdDate": "2025-06-04T13:05:09Z"}  # fmt: skip

    try:
        received = pipeline.publish(EventType.PERSON, case.crn, detail)
        wait_until(lambda: pipeline.stub.requests_to(path))
    finally:
        doomed.kill()
    pipeline.stub.delay(path, 0.0)
    survivor = start_worker(crash_env, name="survivor")
    try:
        outcome = pipeline.outcome(received, timeout=120)
    finally:
        survivor.stop()

    assert outcome.outcome == "applied"
    assert [r["allocation_staff_id"] for r in read_rows(pipeline.engine, OffenderManager, "allocation_date")] == [
        case.staff.id,
        staff.id,
    ]
    assert len(pipeline.state.operator_view.outcomes_for(received.event_id)) == 1
