"""Requirement allocations that Delius refuses, ignores or cannot find data for; none of them writes anything."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from factories import CREATED, START, apply, audit_rows, contact_rows, detail_of, read_rows
from sqlalchemy import delete, update

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.database import make_engine
from allocations.delius import codes
from allocations.delius.models import (
    Disposal,
    Event,
    Requirement,
    RequirementManager,
    StandardReference,
    TransferReason,
)
from allocations.delius.schema import load_reference_data
from allocations.delius.steps.kinds import REQUIREMENT
from allocations.errors import Conflict, NotActive, NotFound, StaffNotInTeam
from allocations.outcome import OutcomeKind
from allocations.workload.details import AllocationReason, RequirementAllocationDetail


@pytest.fixture
def sentenced(world):
    delius, case, _, _ = world
    return delius.sentence(case)


def requirement_detail(requirement_id, staff_code="N02NEWA", team_code="N02NEW", created=CREATED, **fields):
    return detail_of(
        RequirementAllocationDetail,
        staff_code,
        team_code,
        created,
        AllocationReason.OTHER,
        requirement_id=requirement_id,
        **fields,
    )


def assert_nothing_written(engine):
    for manager in read_rows(engine, RequirementManager):
        assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []


def audited_ids(case, sentenced):
    return f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}',requirementId='{sentenced.requirement_id}'"


def test_requirement_that_does_not_exist_is_ignorable(engine, world, sentenced):
    _, case, _, _ = world

    outcome = apply(engine, case.crn, requirement_detail(987654321))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Requirement not found or soft deleted in delius",
        {},
    )
    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", "")]


def test_soft_deleted_requirement_is_ignorable(engine, world, sentenced):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(Requirement).values(soft_deleted=1))

    outcome = apply(engine, case.crn, requirement_detail(sentenced.requirement_id))

    assert (outcome.kind, outcome.reason) == (OutcomeKind.IGNORED, "Requirement not found or soft deleted in delius")
    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", "")]


def test_requirement_of_another_person_is_a_conflict(engine, world, sentenced):
    delius, case, _, _ = world
    _, other_crn = delius.person()

    with pytest.raises(Conflict, match=rf"^Requirement {sentenced.requirement_id} not for {other_crn}$"):
        apply(engine, other_crn, requirement_detail(sentenced.requirement_id))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_requirement_of_another_event_is_a_conflict(engine, world, sentenced):
    _, case, _, _ = world

    with pytest.raises(Conflict, match=rf"^Requirement {sentenced.requirement_id} not for event 4$"):
        apply(engine, case.crn, requirement_detail(sentenced.requirement_id, event_number=4))

    assert_nothing_written(engine)


@pytest.mark.parametrize("inactive", [Disposal, Event])
def test_inactive_sentence_or_event_is_not_active(engine, world, sentenced, inactive):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(inactive).values(active_flag=0))

    with pytest.raises(NotActive, match=r"^Event with number of 3 not active$"):
        apply(engine, case.crn, requirement_detail(sentenced.requirement_id))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_inactive_requirement_is_not_active(engine, world, sentenced):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(Requirement).values(active_flag=0))

    with pytest.raises(NotActive, match=rf"^Requirement with id of {sentenced.requirement_id} not active$"):
        apply(engine, case.crn, requirement_detail(sentenced.requirement_id))

    assert_nothing_written(engine)


def test_requirement_without_a_manager_at_the_date_is_not_found(engine, world, sentenced):
    _, case, _, _ = world
    before = START - timedelta(days=1)
    expected = f"Requirement Manager for requirement {sentenced.requirement_id} at {before.isoformat()} not found"

    with pytest.raises(NotFound, match=f"^{re.escape(expected)}$"):
        apply(engine, case.crn, requirement_detail(sentenced.requirement_id, created=before))


@pytest.mark.parametrize(
    ("categories", "properties"),
    [
        ((None, None), {"eventNumber": "3"}),
        (
            ("7", "RS66"),
            {"eventNumber": "3", "mainCategory": "Accredited Programme", "subCategory": "Not an accredited programme"},
        ),
        (("F", None), {"eventNumber": "3", "mainCategory": "Curfew"}),
    ],
)
def test_pending_transfer_is_ignorable_with_event_number_and_categories(
    engine, world, sentenced, categories, properties
):
    delius, case, _, _ = world
    main, sub = categories
    requirement_id = delius.requirement(case.offender_id, sentenced.disposal_id, main=main, sub=sub)
    delius.manager(REQUIREMENT, requirement_id, case.team, case.staff, START)
    delius.transfer(REQUIREMENT, requirement_id)

    outcome = apply(engine, case.crn, requirement_detail(requirement_id))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Pending transfer exists in Delius",
        properties,
    )
    assert_nothing_written(engine)


def test_settled_deleted_or_other_requirements_transfers_do_not_block(engine, world, sentenced):
    delius, case, _, _ = world
    delius.transfer(REQUIREMENT, sentenced.requirement_id, "TR")
    delius.transfer(REQUIREMENT, sentenced.requirement_id, soft_deleted=1)
    delius.transfer(REQUIREMENT, delius.requirement(case.offender_id, sentenced.disposal_id))

    assert apply(engine, case.crn, requirement_detail(sentenced.requirement_id)).kind is OutcomeKind.APPLIED


def test_external_transfer_and_ended_team_are_ignorable(engine, world, sentenced):
    delius, case, _, _ = world
    elsewhere = delius.team(delius.provider(code="N07"), code="N07T01")
    ended = datetime(2025, 1, 1, tzinfo=UTC)
    ended_team = delius.team(case.provider, code="N02END", end_date=ended)

    external = apply(
        engine, case.crn, requirement_detail(sentenced.requirement_id, delius.staff(elsewhere).code, "N07T01")
    )
    closed = apply(
        engine, case.crn, requirement_detail(sentenced.requirement_id, delius.staff(ended_team).code, "N02END")
    )

    assert (external.reason, external.properties) == (
        "External transfer not permitted",
        {"fromProvider": "N02", "toProvider": "N07"},
    )
    assert (closed.reason, closed.properties) == (
        "Team is not active",
        {"teamCode": "N02END", "endDate": ended.isoformat()},
    )
    assert_nothing_written(engine)
    assert [outcome for outcome, _ in audit_rows(engine)] == ["F", "F"]


@pytest.mark.parametrize(
    ("staff_and_team", "refusal"),
    [
        (("N02NEWA", "N02XXX"), (NotFound, "Team with code of N02XXX not found")),
        (("N02ZZZZ", "N02NEW"), (NotFound, "Staff with code of N02ZZZZ not found")),
        (("N02GONE", "N02NEW"), (NotActive, "Staff with code of N02GONE not active")),
        (("N02OLDA", "N02NEW"), (StaffNotInTeam, "Staff N02OLDA not in Team N02NEW")),
    ],
)
def test_team_and_staff_refusals_keep_their_class(engine, world, sentenced, staff_and_team, refusal):
    delius, case, team, _ = world
    (staff_code, team_code), (error, message) = staff_and_team, refusal
    delius.staff(team, code="N02GONE", end_date=CREATED - timedelta(seconds=1))

    with pytest.raises(error, match=f"^{message}$"):
        apply(engine, case.crn, requirement_detail(sentenced.requirement_id, staff_code, team_code))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_missing_reason_code_is_not_found(engine, world, sentenced):
    delius, case, _, _ = world
    oth = delius.reference_id(codes.REQUIREMENT_REASONS, "OTH")
    with engine.begin() as c:
        c.execute(delete(StandardReference).where(StandardReference.standard_reference_list_id == oth))
    try:
        with pytest.raises(NotFound, match=r"^RM ALLOCATION REASON with code of OTH not found$"):
            apply(engine, case.crn, requirement_detail(sentenced.requirement_id))
    finally:
        with engine.begin() as c:
            load_reference_data(c, DEFAULT_DELIUS_USERNAME)
    assert_nothing_written(engine)


def test_missing_component_transfer_reason_is_not_found(engine, database_url, world, sentenced):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(TransferReason).where(TransferReason.code == codes.COMPONENT).values(code="COMPONENT OLD"))
    # A fresh engine: reference ids are remembered per engine, and the shared one may know COMPONENT already.
    fresh = make_engine(database_url, pool_size=1)
    try:
        with pytest.raises(NotFound, match=r"^Transfer Reason with code of COMPONENT not found$"):
            apply(fresh, case.crn, requirement_detail(sentenced.requirement_id))
    finally:
        fresh.dispose()
        with engine.begin() as c:
            c.execute(update(TransferReason).where(TransferReason.code == "COMPONENT OLD").values(code=codes.COMPONENT))
    assert_nothing_written(engine)
