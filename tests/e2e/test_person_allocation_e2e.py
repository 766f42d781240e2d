"""A person allocation through the whole pipeline: boto3 → SQS → worker → Workload stub → Delius."""

from datetime import UTC, datetime

from factories import audit_rows, read_rows

from allocations.delius.models import Contact, OffenderManager, ResponsibleOfficer
from allocations.event_types import EventType
from allocations.state.records import DeadLetterFilter
from allocations_local.publishing import domain_event


def person_detail(case, staff, team, created="2025-06-04T13:05:09.118Z", reason="OFFICER_LEFT"):
    return {
        "crn": case.crn,
        "staffCode": staff.code,
        "teamCode": team.code,
        "createdDate": created,
        "allocationReason": reason,
    }


def world(delius):
    return delius.person_moving_teams()


def test_new_allocation_is_written_to_delius_end_to_end(delius, pipeline, worker):
    case, team, staff = world(delius)

    received = pipeline.publish(EventType.PERSON, case.crn, person_detail(case, staff, team))

    outcome = pipeline.outcome(received)
    assert (outcome.outcome, outcome.crn, outcome.attempts) == ("applied", case.crn, 1)
    managers = read_rows(pipeline.engine, OffenderManager, OffenderManager.allocation_date)
    assert [(m["allocation_staff_id"], m["active_flag"]) for m in managers] == [(case.staff.id, 0), (staff.id, 1)]
    assert managers[0]["end_date"] == datetime(2025, 6, 4, 13, 5, 9, 118000, tzinfo=UTC)
    assert managers[1]["end_date"] is None
    officers = read_rows(pipeline.engine, ResponsibleOfficer, ResponsibleOfficer.start_date)
    assert [o["offender_manager_id"] for o in officers] == [case.manager_id, managers[1]["offender_manager_id"]]
    assert len(read_rows(pipeline.engine, Contact, Contact.contact_id)) == 2
    assert [outcome for outcome, _ in audit_rows(pipeline.engine)] == ["P"]


def test_republished_allocation_is_a_duplicate(delius, pipeline, worker):
    case, team, staff = world(delius)
    first = pipeline.publish(EventType.PERSON, case.crn, person_detail(case, staff, team))
    assert pipeline.outcome(first).outcome == "applied"

    again = pipeline.publish(EventType.PERSON, case.crn, person_detail(case, staff, team))

    assert pipeline.outcome(again).outcome == "duplicate"
    assert len(read_rows(pipeline.engine, OffenderManager, OffenderManager.allocation_date)) == 2
    assert [outcome for outcome, _ in audit_rows(pipeline.engine)] == ["P", "P"]


def test_workload_503_is_retried_and_then_applied(delius, pipeline, worker):
    case, team, staff = world(delius)
    detail = {"id": "retry-me", **person_detail(case, staff, team)}
    pipeline.stub.fail_next("/allocation/person/retry-me", 503, times=2)

    received = pipeline.publish(EventType.PERSON, case.crn, detail)

    outcome = pipeline.outcome(received)
    assert (outcome.outcome, outcome.attempts) == ("applied", 3)
    assert [r["status"] for r in pipeline.stub.requests_to("/allocation/person/retry-me")] == [503, 503, 200]
    retries = [line for line in worker.output().splitlines() if "outcome='retrying'" in line]
    assert sum(f"event_id={received.event_id!r}" in line for line in retries) == 2


def test_permanent_delius_failure_is_dead_lettered_after_the_retry_budget(delius, pipeline, worker):
    case, team, _ = world(delius)
    detail = {"crn": case.crn, "staffCode": "N02NOPE", "teamCode": team.code, "createdDate": "2025-06-04T13:05:09Z"}

    received = pipeline.publish(EventType.PERSON, case.crn, detail)

    outcome = pipeline.outcome(received)
    assert (outcome.outcome, outcome.attempts) == ("dead-lettered", 3)
    [letter] = pipeline.state.operator_view.list_dead_letters(DeadLetterFilter(crn=case.crn)).items
    assert (letter.event_id, letter.error_class, letter.status) == (received.event_id, "NotFound", "parked")
    assert letter.error_message == "Staff with code of N02NOPE not found"
    assert letter.event == received.to_task_arg()
    assert [outcome for outcome, _ in audit_rows(pipeline.engine)] == ["F", "F", "F"]


def test_detail_url_outside_the_allow_list_is_dead_lettered_at_once(delius, pipeline, worker):
    case, _, _ = world(delius)
    forged = domain_event(EventType.PERSON, "http://169.254.169.254/latest/meta-data", case.crn, "forged")

    pipeline.send(forged)

    outcome = pipeline.outcome(forged)
    assert (outcome.outcome, outcome.attempts) == ("dead-lettered", 1)
    [letter] = pipeline.state.operator_view.list_dead_letters(DeadLetterFilter(crn=case.crn)).items
    assert letter.error_class == "InvalidMessage"


def test_malformed_message_reaches_the_sqs_dlq(pipeline, worker):
    pipeline.send_raw("this is not an SNS notification")

    messages = pipeline.wait_for_dlq(count=1)

    assert [m["Body"] for m in messages] == ["this is not an SNS notification"]
