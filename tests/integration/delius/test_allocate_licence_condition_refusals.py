"""Licence-condition allocations that Delius refuses, ignores or cannot find data for; none writes anything."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from factories import CREATED, START, apply, audit_rows, contact_rows, detail_of, read_rows
from sqlalchemy import delete, update

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.delius import codes
from allocations.delius.models import Disposal, Event, LicenceCondition, LicenceConditionManager, StandardReference
from allocations.delius.schema import load_reference_data
from allocations.delius.steps.kinds import LICENCE_CONDITION
from allocations.errors import Conflict, NotActive, NotFound, StaffNotInTeam
from allocations.outcome import OutcomeKind
from allocations.workload.details import AllocationReason, LicenceConditionAllocationDetail


@pytest.fixture
def sentenced(world):
    delius, case, _, _ = world
    return delius.sentence(case)


def condition_detail(condition_id, staff_code="N02NEWA", team_code="N02NEW", created=CREATED, **fields):
    return detail_of(
        LicenceConditionAllocationDetail,
        staff_code,
        team_code,
        created,
        AllocationReason.TRANSFER_IN,
        licence_condition_id=condition_id,
        **fields,
    )


def assert_nothing_written(engine):
    for manager in read_rows(engine, LicenceConditionManager):
        assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []


def audited_ids(case, sentenced):
    return f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}',requirementId='{sentenced.condition_id}'"


@pytest.mark.parametrize("soft_deleted", [False, True])
def test_condition_that_no_longer_exists_is_ignorable_with_its_id(engine, world, sentenced, soft_deleted):
    _, case, _, _ = world
    condition_id = sentenced.condition_id if soft_deleted else 987654321
    with engine.begin() as c:
        c.execute(update(LicenceCondition).values(soft_deleted=int(soft_deleted)))

    outcome = apply(engine, case.crn, condition_detail(condition_id))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Requirement no longer exists",
        {"id": str(condition_id)},
    )
    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", "")]


def test_condition_of_another_person_is_a_conflict(engine, world, sentenced):
    delius, case, _, _ = world
    _, other_crn = delius.person()

    with pytest.raises(Conflict, match=rf"^Licence Condition {sentenced.condition_id} not for {other_crn}$"):
        apply(engine, other_crn, condition_detail(sentenced.condition_id))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_condition_of_another_event_is_a_conflict(engine, world, sentenced):
    _, case, _, _ = world

    with pytest.raises(Conflict, match=rf"^Licence Condition {sentenced.condition_id} not for event 2$"):
        apply(engine, case.crn, condition_detail(sentenced.condition_id, event_number=2))

    assert_nothing_written(engine)


@pytest.mark.parametrize("inactive", [Disposal, Event])
def test_inactive_sentence_or_event_is_not_active(engine, world, sentenced, inactive):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(inactive).values(active_flag=0))

    with pytest.raises(NotActive, match=r"^Event with number of 3 not active$"):
        apply(engine, case.crn, condition_detail(sentenced.condition_id))

    assert_nothing_written(engine)


def test_inactive_condition_is_not_active(engine, world, sentenced):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(LicenceCondition).values(active_flag=0))

    with pytest.raises(NotActive, match=rf"^Licence Condition with id of {sentenced.condition_id} not active$"):
        apply(engine, case.crn, condition_detail(sentenced.condition_id))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_condition_without_a_manager_at_the_date_is_not_found(engine, world, sentenced):
    _, case, _, _ = world
    before = START - timedelta(days=1)
    expected = (
        f"Licence Condition Manager for licence condition {sentenced.condition_id} at {before.isoformat()} not found"
    )

    with pytest.raises(NotFound, match=f"^{re.escape(expected)}$"):
        apply(engine, case.crn, condition_detail(sentenced.condition_id, created=before))


@pytest.mark.parametrize("categorised", [False, True])
def test_pending_transfer_is_ignorable_with_event_number_and_categories(engine, world, sentenced, categorised):
    delius, case, _, _ = world
    categories = {}
    if categorised:
        categories = {
            "main_id": delius.lic_condition_category("NLC8", "Freedom of movement"),
            "sub_id": delius.reference("LICENCE CONDITION SUB CATEGORY", "NST14", "Exclusion zone"),
        }
    condition_id = delius.lic_condition(sentenced.disposal_id, **categories)
    delius.manager(LICENCE_CONDITION, condition_id, case.team, case.staff, START)
    delius.transfer(LICENCE_CONDITION, condition_id)
    delius.transfer(LICENCE_CONDITION, sentenced.condition_id, "TA")

    pending = apply(engine, case.crn, condition_detail(condition_id))
    settled = apply(engine, case.crn, condition_detail(sentenced.condition_id))

    expected = {"eventNumber": "3"}
    if categorised:
        expected |= {"mainCategory": "Freedom of movement", "subCategory": "Exclusion zone"}
    assert (pending.kind, pending.reason, pending.properties) == (
        OutcomeKind.IGNORED,
        "Pending transfer exists in Delius",
        expected,
    )
    assert settled.kind is OutcomeKind.APPLIED


def test_external_transfer_and_ended_team_are_ignorable(engine, world, sentenced):
    delius, case, _, _ = world
    elsewhere = delius.team(delius.provider(code="N07"), code="N07T01")
    ended = datetime(2025, 1, 1, tzinfo=UTC)
    ended_team = delius.team(case.provider, code="N02END", end_date=ended)

    external = apply(engine, case.crn, condition_detail(sentenced.condition_id, delius.staff(elsewhere).code, "N07T01"))
    closed = apply(engine, case.crn, condition_detail(sentenced.condition_id, delius.staff(ended_team).code, "N02END"))

    assert (external.reason, external.properties) == (
        "External transfer not permitted",
        {"fromProvider": "N02", "toProvider": "N07"},
    )
    assert (closed.reason, closed.properties) == (
        "Team is not active",
        {"teamCode": "N02END", "endDate": ended.isoformat()},
    )
    assert_nothing_written(engine)


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
        apply(engine, case.crn, condition_detail(sentenced.condition_id, staff_code, team_code))

    assert_nothing_written(engine)


def test_missing_licence_condition_reason_code_is_not_found(engine, world, sentenced):
    delius, case, _, _ = world
    tin = delius.reference_id(codes.LICENCE_CONDITION_REASONS, "TIN")
    with engine.begin() as c:
        c.execute(delete(StandardReference).where(StandardReference.standard_reference_list_id == tin))
    try:
        with pytest.raises(NotFound, match=r"^LC ALLOCATION REASONS with code of TIN not found$"):
            apply(engine, case.crn, condition_detail(sentenced.condition_id))
    finally:
        with engine.begin() as c:
            load_reference_data(c, DEFAULT_DELIUS_USERNAME)
    assert_nothing_written(engine)
