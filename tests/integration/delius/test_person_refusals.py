"""Person allocations that Delius refuses, ignores or cannot find data for; none of them writes anything."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from factories import CREATED, audit_rows, read_rows
from sqlalchemy import delete

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.delius import codes
from allocations.delius.models import Contact, OffenderManager, ResponsibleOfficer, StandardReference
from allocations.delius.steps.kinds import PERSON
from allocations.errors import Conflict, NotActive, NotFound, StaffNotInTeam
from allocations.outcome import OutcomeKind
from allocations_local.delius_schema import load_reference_data


def assert_nothing_written(engine, case):
    (manager,) = read_rows(engine, OffenderManager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
    (ro,) = read_rows(engine, ResponsibleOfficer)
    assert (ro["end_date"], ro["row_version"]) == (None, 0)
    assert read_rows(engine, Contact) == []


def test_same_instant_with_other_staff_is_a_conflict(engine, world, run):
    _, case, team, staff = world

    with pytest.raises(Conflict, match=r"^Allocation date conflicts with the current active manager$"):
        run(case.crn, staff.code, team.code, created=case.start + timedelta(milliseconds=300))

    assert_nothing_written(engine, case)
    assert audit_rows(engine) == [("F", f"offenderId='{case.offender_id}'")]


def test_missing_team_is_not_found(engine, world, run):
    _, case, _, staff = world
    with pytest.raises(NotFound, match=r"^Team with code of N02XXX not found$"):
        run(case.crn, staff.code, "N02XXX")
    assert_nothing_written(engine, case)


def test_team_of_another_provider_is_an_ignorable_external_transfer(engine, world, run):
    delius, case, _, _ = world
    elsewhere = delius.team(delius.provider(code="N07", description="London"), code="N07T01")
    other_staff = delius.staff(elsewhere)

    outcome = run(case.crn, other_staff.code, elsewhere.code)

    assert outcome.kind is OutcomeKind.IGNORED
    assert outcome.reason == "External transfer not permitted"
    assert outcome.properties == {"fromProvider": "N02", "toProvider": "N07"}
    assert_nothing_written(engine, case)
    assert audit_rows(engine) == [("F", f"offenderId='{case.offender_id}'")]


def test_ended_team_is_ignorable(engine, world, run):
    delius, case, _, _ = world
    ended = datetime(2025, 1, 1, tzinfo=UTC)
    team = delius.team(case.provider, code="N02END", end_date=ended)
    staff = delius.staff(team)

    outcome = run(case.crn, staff.code, team.code)

    assert (outcome.kind, outcome.reason) == (OutcomeKind.IGNORED, "Team is not active")
    assert outcome.properties == {"teamCode": "N02END", "endDate": ended.isoformat()}
    assert_nothing_written(engine, case)


def test_team_ending_after_the_allocation_date_is_accepted(engine, world, run):
    delius, case, _, _ = world
    team = delius.team(case.provider, code="N02LAT", end_date=CREATED + timedelta(days=1))
    staff = delius.staff(team)
    assert run(case.crn, staff.code, team.code).kind is OutcomeKind.APPLIED


def test_missing_reason_code_is_not_found(engine, world, run):
    delius, case, team, staff = world
    ofl = delius.reference_id(codes.PERSON_REASONS, "OFL")
    with engine.begin() as c:
        c.execute(delete(StandardReference).where(StandardReference.standard_reference_list_id == ofl))
    try:
        with pytest.raises(NotFound, match=r"^OM ALLOCATION REASON with code of OFL not found$"):
            run(case.crn, staff.code, team.code)
    finally:
        with engine.begin() as c:
            load_reference_data(c, DEFAULT_DELIUS_USERNAME)
    assert_nothing_written(engine, case)


def test_missing_staff_is_not_found(engine, world, run):
    _, case, team, _ = world
    with pytest.raises(NotFound, match=r"^Staff with code of N02ZZZZ not found$"):
        run(case.crn, "N02ZZZZ", team.code)


def test_ended_staff_is_not_active(engine, world, run):
    delius, case, team, _ = world
    staff = delius.staff(team, code="N02GONE", end_date=CREATED - timedelta(seconds=1))
    with pytest.raises(NotActive, match=r"^Staff with code of N02GONE not active$"):
        run(case.crn, staff.code, team.code)
    assert_nothing_written(engine, case)


def test_staff_outside_the_team_is_refused(engine, world, run):
    delius, case, team, _ = world
    outsider = delius.staff(case.team, code="N02OUTA")
    with pytest.raises(StaffNotInTeam, match=r"^Staff N02OUTA not in Team N02NEW$"):
        run(case.crn, outsider.code, team.code)
    assert_nothing_written(engine, case)


def test_pending_transfer_is_ignorable_and_audited_as_failed(engine, world, run):
    delius, case, team, staff = world
    delius.transfer(PERSON, case.offender_id)

    outcome = run(case.crn, staff.code, team.code)

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Pending transfer exists in Delius",
        {},
    )
    assert_nothing_written(engine, case)
    assert audit_rows(engine) == [("F", f"offenderId='{case.offender_id}'")]


def test_settled_or_deleted_transfers_do_not_block(engine, world, run):
    delius, case, team, staff = world
    delius.transfer(PERSON, case.offender_id, "TA")
    delius.transfer(PERSON, case.offender_id, soft_deleted=1)
    assert run(case.crn, staff.code, team.code).kind is OutcomeKind.APPLIED


def test_unknown_person_is_not_found(engine, world, run):
    _, _, team, staff = world
    with pytest.raises(NotFound, match=r"^Person with crn of Z999999 not found$"):
        run("Z999999", staff.code, team.code)
    assert audit_rows(engine) == [("F", "")]


def test_person_without_a_manager_at_the_date_is_not_found(engine, world, run):
    delius, _, team, staff = world
    _, crn = delius.person()
    expected = f"Person Manager for crn {crn} at 2025-06-04T13:05:09.118000+00:00 not found"
    with pytest.raises(NotFound, match=f"^{re.escape(expected)}$"):
        run(crn, staff.code, team.code)


def test_soft_deleted_manager_is_not_active_manager(engine, world, run):
    delius, case, team, staff = world
    offender_id, crn = delius.person()
    delius.manager(PERSON, offender_id, case.team, case.staff, case.start, soft_deleted=1)
    with pytest.raises(NotFound, match=r"^Person Manager for crn"):
        run(crn, staff.code, team.code)


def test_missing_responsible_officer_is_not_found_and_rolls_back(engine, world, run):
    _, case, team, staff = world
    with engine.begin() as c:
        c.execute(delete(ResponsibleOfficer))

    with pytest.raises(NotFound, match=rf"^Responsible officer for crn {case.crn} at .* not found$"):
        run(case.crn, staff.code, team.code)

    (manager,) = read_rows(engine, OffenderManager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert read_rows(engine, Contact) == []
