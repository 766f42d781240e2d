"""The service, not the broker, owns the guarantee: an event whose task the broker lost is applied, once."""

from datetime import timedelta

from factories import audit_rows, read_rows
from support.polling import wait_until
from test_person_allocation_e2e import person_detail, world

from allocations.delius.models import OffenderManager
from allocations.event_types import EventType
from allocations.state.store import StateStore
from allocations_local.publishing import DETAIL_KIND, domain_event


def test_an_event_recorded_at_receipt_whose_task_the_broker_lost_is_applied_once_by_the_reconciler(
    delius, pipeline, worker
):
    case, team, staff = world(delius)
    detail = {"id": "lost-task", **person_detail(case, staff, team)}
    url = pipeline.stub.add_detail(DETAIL_KIND[EventType.PERSON], detail)
    received = domain_event(EventType.PERSON, url, case.crn, "lost-task")
    # What the ingest leaves when Redis loses the task it published (popped before it was registered as unacked,
    # or a restart without persistence): the event recorded in the ledger, its SQS message deleted, no task anywhere.
    StateStore(pipeline.engine, lease=timedelta(0)).receive(received)

    outcome = pipeline.outcome(received, timeout=30)

    assert (outcome.outcome, outcome.crn) == ("applied", case.crn)
    assert len(read_rows(pipeline.engine, OffenderManager, OffenderManager.allocation_date)) == 2
    assert [result for result, _ in audit_rows(pipeline.engine)] == ["P"]
    redispatched = [line for line in worker.output().splitlines() if "outcome='redispatched'" in line]
    assert any(f"event_id={received.event_id!r}" in line for line in redispatched)


def test_an_event_sent_twice_at_once_is_applied_once_and_recorded_once(delius, pipeline, worker):
    case, team, staff = world(delius)
    received = pipeline.publish(EventType.PERSON, case.crn, person_detail(case, staff, team))
    pipeline.send(received)
    pipeline.send(received)

    outcome = pipeline.outcome(received)
    # The second copy ends as a chain finding the event final, the ingest finding it final, or the ingest seeing it
    # twice in one receive: whichever, it is accounted for and changes nothing.
    wait_until(lambda: len(second_copy_seen(worker, received)) >= 1)

    assert outcome.outcome == "applied"
    assert len(pipeline.state.operator_view.outcomes_for(received.event_id)) == 1
    assert len(read_rows(pipeline.engine, OffenderManager, OffenderManager.allocation_date)) == 2
    assert [result for result, _ in audit_rows(pipeline.engine)] == ["P"]


def second_copy_seen(worker, received):
    lines = worker.output().splitlines()
    ended = ("outcome='already-final'", "outcome='repeated-in-receive'")
    return [line for line in lines if any(mark in line for mark in ended) and repr(received.event_id) in line]
