"""Person allocation against a real PostgreSQL Delius (spec §3.9)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from allocations.delius import codes
from allocations.config import DEFAULT_DELIUS_USERNAME as DELIUS_USERNAME
from allocations.delius.allocate import allocate
from allocations.delius.models import AuditedInteraction, Contact, ContactType, OffenderManager, ResponsibleOfficer
from allocations.outcome import OutcomeKind
from allocations.workload.details import AllocationReason
from factories import person_detail, person_event

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
CREATED = datetime(2025, 6, 4, 13, 5, 9, 118000, tzinfo=UTC)  # 14:05:09 in London (BST)


@pytest.fixture
def world(delius):
    provider = delius.provider(code="N02", description="North East")
    old_team = delius.team(provider, code="N02OLD", description="Old Team")
    new_team = delius.team(provider, code="N02NEW", description="New Team")
    old_staff = delius.staff(old_team, code="N02OLDA", forename="Ann", surname="Old")
    new_staff = delius.staff(new_team, code="N02NEWA", forename="John", forename2="Paul", surname="New")
    case = delius.case(old_team, old_staff, START)
    return delius, case, new_team, new_staff


def run(engine, crn, staff_code, team_code, created=CREATED, reason=AllocationReason.OFFICER_LEFT):
    return allocate(
        engine, DELIUS_USERNAME, person_event(crn), person_detail(crn, staff_code, team_code, created, reason)
    )


def rows(engine, model, *order):
    with engine.connect() as c:
        return c.execute(select(model).order_by(*order)).mappings().all()


def audits(engine):
    return [(a["outcome"], a["interaction_parameters"]) for a in rows(engine, AuditedInteraction)]


def test_new_current_allocation_ends_the_old_manager_and_replaces_the_responsible_officer(engine, world):
    delius, case, team, staff = world

    outcome = run(engine, case.crn, staff.code, team.code)

    assert outcome.kind is OutcomeKind.APPLIED
    old, new = rows(engine, OffenderManager, OffenderManager.allocation_date)
    assert (old["end_date"], old["active_flag"], old["row_version"]) == (CREATED, 0, 1)
    assert new["allocation_date"] == CREATED
    assert (new["end_date"], new["active_flag"], new["row_version"]) == (None, 1, 0)
    assert (new["team_id"], new["allocation_staff_id"], new["staff_employee_id"]) == (team.id, staff.id, staff.id)
    assert (new["trust_provider_team_id"], new["trust_provider_flag"]) == (team.id, 0)
    assert new["probation_area_id"] == case.provider.id
    assert new["allocation_reason_id"] == delius.reference_id(codes.PERSON_REASONS, "OFL")
    assert new["created_by_user_id"] == delius.user_id

    old_ro, new_ro = rows(engine, ResponsibleOfficer, ResponsibleOfficer.start_date)
    assert (old_ro["end_date"], old_ro["row_version"]) == (CREATED, 1)
    assert (new_ro["offender_manager_id"], new_ro["prison_offender_manager_id"]) == (new["offender_manager_id"], None)
    assert (new_ro["start_date"], new_ro["end_date"]) == (CREATED, None)

    roc, etom = rows(engine, Contact, Contact.contact_id)
    assert roc["notes"] == (
        "New Details:\n"
        "Responsible Officer Type: Offender Manager\n"
        "Responsible Officer: John Paul New(New Team,North East)\n"
        "Start Date: 04/06/2025 14:05:09\n"
        "Previous Details:\n"
        "Responsible Officer Type: Offender Manager\n"
        "Responsible Officer: Ann Old(Old Team,North East)\n"
        "Start Date: 10/01/2024 09:00:00\n"
        "End Date: 04/06/2025 14:05:09\n"
        "Allocation Reason: Officer Left"
    )
    assert etom["notes"] == (
        "Transfer Reason: Internal Transfer\n"
        "Transfer Date: 04/06/2025\n"
        "From Trust: North East\n"
        "From Team: Old Team\n"
        "From Officer: Ann Old\n"
        "-------------------------------/\n"
        "\n"
    )
    assert [_contact_type(engine, c["contact_type_id"]) for c in (roc, etom)] == ["ROC", "ETOM"]
    for contact in (roc, etom):
        assert (contact["contact_date"], contact["contact_start_time"]) == (date(2025, 6, 4), CREATED)
        assert (contact["staff_id"], contact["team_id"], contact["probation_area_id"]) == (
            staff.id,
            team.id,
            case.provider.id,
        )
        assert (contact["event_id"], contact["sensitive"], contact["partition_area_id"]) == (None, "N", 0)
    assert audits(engine) == [("P", f"offenderId='{case.offender_id}'")]


def test_historic_allocation_is_inserted_between_managers(engine, world):
    delius, case, team, staff = world
    later = datetime(2025, 1, 1, tzinfo=UTC)
    current_staff = delius.staff(case.team, forename="Cur", surname="Rent")
    with engine.begin() as c:
        c.execute(OffenderManager.__table__.update().values(end_date=later, active_flag=0))
        c.execute(ResponsibleOfficer.__table__.update().values(end_date=later))
    current = delius.manager(codes_kind(), case.offender_id, case.team, current_staff, later)
    current_ro = delius.responsible_officer(case.offender_id, later, offender_manager_id=current)
    historic = datetime(2024, 6, 1, 12, tzinfo=UTC)

    assert run(engine, case.crn, staff.code, team.code, historic).kind is OutcomeKind.APPLIED

    first, inserted, latest = rows(engine, OffenderManager, OffenderManager.allocation_date)
    assert (first["end_date"], first["active_flag"]) == (historic, 0)
    assert (inserted["allocation_date"], inserted["end_date"], inserted["active_flag"]) == (historic, later, 0)
    assert (latest["offender_manager_id"], latest["end_date"], latest["row_version"]) == (current, None, 0)
    ros = rows(engine, ResponsibleOfficer, ResponsibleOfficer.start_date)
    assert [(r["start_date"], r["end_date"]) for r in ros] == [(START, historic), (historic, later), (later, None)]
    assert ros[2]["responsible_officer_id"] == current_ro
    assert ros[2]["row_version"] == 0


def codes_kind():
    from allocations.delius.steps.kinds import PERSON  # noqa: PLC0415 - keeps the scenario readable

    return PERSON


def test_duplicate_writes_nothing_but_the_audit_row(engine, world):
    _, case, _, _ = world

    outcome = run(engine, case.crn, case.staff.code, case.team.code)

    assert outcome.kind is OutcomeKind.DUPLICATE
    assert len(rows(engine, OffenderManager)) == 1
    assert len(rows(engine, ResponsibleOfficer)) == 1
    assert rows(engine, Contact) == []
    assert audits(engine) == [("P", f"offenderId='{case.offender_id}'")]


def _contact_type(engine, contact_type_id):
    with engine.connect() as c:
        return c.execute(select(ContactType.code).where(ContactType.contact_type_id == contact_type_id)).scalar_one()


def count(engine, model):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(model)).scalar_one()
