"""Person allocation against a real PostgreSQL Delius (spec §3.9)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from factories import CREATED, START, audit_rows, read_rows
from sqlalchemy import select

from allocations.delius import codes
from allocations.delius.models import Contact, ContactType, OffenderManager, ResponsibleOfficer
from allocations.delius.steps.kinds import PERSON
from allocations.outcome import OutcomeKind


def test_new_current_allocation_ends_the_old_manager_and_replaces_the_responsible_officer(engine, world, run):
    delius, case, team, staff = world

    outcome = run(case.crn, staff.code, team.code)

    assert outcome.kind is OutcomeKind.APPLIED
    old, new = read_rows(engine, OffenderManager, OffenderManager.allocation_date)
    assert (old["end_date"], old["active_flag"], old["row_version"]) == (CREATED, 0, 1)
    assert new["allocation_date"] == CREATED
    assert (new["end_date"], new["active_flag"], new["row_version"]) == (None, 1, 0)
    assert (new["team_id"], new["allocation_staff_id"], new["staff_employee_id"]) == (team.id, staff.id, staff.id)
    assert (new["trust_provider_team_id"], new["trust_provider_flag"]) == (team.id, 0)
    assert new["probation_area_id"] == case.provider.id
    assert new["allocation_reason_id"] == delius.reference_id(codes.PERSON_REASONS, "OFL")
    assert new["created_by_user_id"] == delius.user_id

    old_ro, new_ro = read_rows(engine, ResponsibleOfficer, ResponsibleOfficer.start_date)
    assert (old_ro["end_date"], old_ro["row_version"]) == (CREATED, 1)
    assert (new_ro["offender_manager_id"], new_ro["prison_offender_manager_id"]) == (new["offender_manager_id"], None)
    assert (new_ro["start_date"], new_ro["end_date"]) == (CREATED, None)

    roc, etom = read_rows(engine, Contact, Contact.contact_id)
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
    assert audit_rows(engine) == [("P", f"offenderId='{case.offender_id}'")]


def test_historic_allocation_is_inserted_between_managers(engine, world, run):
    delius, case, team, staff = world
    later = datetime(2025, 1, 1, tzinfo=UTC)
    current_staff = delius.staff(case.team, forename="Cur", surname="Rent")
    with engine.begin() as c:
        c.execute(OffenderManager.__table__.update().values(end_date=later, active_flag=0))
        c.execute(ResponsibleOfficer.__table__.update().values(end_date=later))
    current = delius.manager(PERSON, case.offender_id, case.team, current_staff, later)
    current_ro = delius.responsible_officer(case.offender_id, later, offender_manager_id=current)
    historic = datetime(2024, 6, 1, 12, tzinfo=UTC)

    assert run(case.crn, staff.code, team.code, created=historic).kind is OutcomeKind.APPLIED

    first, inserted, latest = read_rows(engine, OffenderManager, OffenderManager.allocation_date)
    assert (first["end_date"], first["active_flag"]) == (historic, 0)
    assert (inserted["allocation_date"], inserted["end_date"], inserted["active_flag"]) == (historic, later, 0)
    assert (latest["offender_manager_id"], latest["end_date"], latest["row_version"]) == (current, None, 0)
    ros = read_rows(engine, ResponsibleOfficer, ResponsibleOfficer.start_date)
    assert [(r["start_date"], r["end_date"]) for r in ros] == [(START, historic), (historic, later), (later, None)]
    assert ros[2]["responsible_officer_id"] == current_ro
    assert ros[2]["row_version"] == 0


def test_duplicate_writes_nothing_but_the_audit_row(engine, world, run):
    _, case, _, _ = world

    outcome = run(case.crn, case.staff.code, case.team.code)

    assert outcome.kind is OutcomeKind.DUPLICATE
    assert len(read_rows(engine, OffenderManager)) == 1
    assert len(read_rows(engine, ResponsibleOfficer)) == 1
    assert read_rows(engine, Contact) == []
    assert audit_rows(engine) == [("P", f"offenderId='{case.offender_id}'")]


def _contact_type(engine, contact_type_id):
    with engine.connect() as c:
        return c.execute(select(ContactType.code).where(ContactType.contact_type_id == contact_type_id)).scalar_one()
