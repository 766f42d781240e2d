"""Event, requirement and licence-condition allocations through the whole pipeline, one per type."""

import pytest
from factories import START, audit_rows, read_rows
from sqlalchemy import select

from allocations.delius.models import (
    Contact,
    ContactType,
    IapsEvent,
    IapsRequirement,
    LicenceConditionManager,
    OrderManager,
    RequirementManager,
)
from allocations.event_types import EventType

CREATED = "2025-06-04T13:05:09.118Z"


@pytest.fixture
def sentenced(delius):
    """A person with event 3 (disposal, accredited-programme requirement, licence condition), all managed."""
    provider = delius.provider(code="N04", description="Yorkshire")
    old_team = delius.team(provider, code="N04OLD", description="Old Team")
    new_team = delius.team(provider, code="N04NEW", description="New Team")
    old_staff = delius.staff(old_team, code="N04OLDA", forename="Ann", surname="Old")
    new_staff = delius.staff(new_team, code="N04NEWA", forename="John", surname="New")
    spo = delius.staff(new_team, code="N04SPOA", forename="Sue", surname="Senior")
    case = delius.case(old_team, old_staff, START)
    sentence = delius.sentence(case, "3", main="RM38")
    return {
        "case": case,
        "event_id": sentence.event_id,
        "requirement_id": sentence.requirement_id,
        "condition_id": sentence.condition_id,
        "team": new_team,
        "staff": new_staff,
        "spo": spo,
    }


def allocated(sentenced, **extra):
    return {
        "staffCode": sentenced["staff"].code,
        "teamCode": sentenced["team"].code,
        "createdDate": CREATED,
        "eventNumber": 3,
        **extra,
    }


def staff_ids(engine, model, column):
    return [row[column] for row in read_rows(engine, model, model.allocation_date)]


def contact_codes(engine):
    with engine.connect() as c:
        return (
            c.execute(
                select(ContactType.code)
                .join(Contact, Contact.contact_type_id == ContactType.contact_type_id)
                .order_by(Contact.contact_id)
            )
            .scalars()
            .all()
        )


def test_event_allocation_end_to_end(sentenced, pipeline, worker):
    detail = allocated(sentenced, spoStaffCode=sentenced["spo"].code, spoOversightNotes="Checked caseload")

    received = pipeline.publish(EventType.EVENT, sentenced["case"].crn, detail)

    assert pipeline.outcome(received).outcome == "applied"
    old = sentenced["case"].staff.id
    assert staff_ids(pipeline.engine, OrderManager, "allocation_staff_id") == [old, sentenced["staff"].id]
    assert contact_codes(pipeline.engine) == ["ETOS", "SPOD03"]
    assert [r["event_id"] for r in read_rows(pipeline.engine, IapsEvent, IapsEvent.event_id)] == [sentenced["event_id"]]
    assert [outcome for outcome, _ in audit_rows(pipeline.engine)] == ["P"]


def test_requirement_allocation_end_to_end(sentenced, pipeline, worker):
    detail = allocated(sentenced, requirementId=sentenced["requirement_id"], allocationReason="CHANGE_OF_ADDRESS")

    received = pipeline.publish(EventType.REQUIREMENT, sentenced["case"].crn, detail)

    assert pipeline.outcome(received).outcome == "applied"
    old = sentenced["case"].staff.id
    assert staff_ids(pipeline.engine, RequirementManager, "allocated_staff_id") == [old, sentenced["staff"].id]
    assert contact_codes(pipeline.engine) == ["ETRC"]
    iaps = read_rows(pipeline.engine, IapsRequirement, IapsRequirement.rqmnt_id)
    assert [r["rqmnt_id"] for r in iaps] == [sentenced["requirement_id"]]


def test_licence_condition_allocation_end_to_end(sentenced, pipeline, worker):
    detail = allocated(sentenced, licenceConditionId=sentenced["condition_id"])

    received = pipeline.publish(EventType.LICENCE_CONDITION, sentenced["case"].crn, detail)

    assert pipeline.outcome(received).outcome == "applied"
    old = sentenced["case"].staff.id
    assert staff_ids(pipeline.engine, LicenceConditionManager, "allocated_staff_id") == [old, sentenced["staff"].id]
    assert contact_codes(pipeline.engine) == ["ETRC"]


def test_requirement_that_no_longer_exists_is_ignored_with_its_reason(sentenced, pipeline, worker):
    detail = allocated(sentenced, requirementId=987654321)

    received = pipeline.publish(EventType.REQUIREMENT, sentenced["case"].crn, detail)

    outcome = pipeline.outcome(received)
    assert (outcome.outcome, outcome.reason) == ("ignored", "Requirement not found or soft deleted in delius")
    assert [outcome for outcome, _ in audit_rows(pipeline.engine)] == ["F"]
