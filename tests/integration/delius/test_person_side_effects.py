"""Person allocation side effects: prison-manager ROs, IAPS flags, optimistic locking, reference data."""

from __future__ import annotations

import pytest
from factories import CREATED, read_rows
from sqlalchemy import event, func, select, update

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.delius.models import (
    Contact,
    IapsOffender,
    OffenderManager,
    ResponsibleOfficer,
    StandardReference,
    metadata,
)
from allocations.errors import OptimisticLockFailure
from allocations.outcome import OutcomeKind
from allocations_local.delius_schema import create_delius_schema


def test_responsible_officer_in_prison_is_described_as_prison_offender_manager(engine, world, run):
    delius, case, team, staff = world
    prison_team = delius.team(case.provider, code="N02PRI", description="HMP Durham OMU")
    prison_staff = delius.staff(prison_team, forename="Pia", surname="Prison")
    pom = delius.prison_manager(case.offender_id, prison_team, prison_staff)
    with engine.begin() as c:
        c.execute(update(ResponsibleOfficer).values(offender_manager_id=None, prison_offender_manager_id=pom))

    assert run(case.crn, staff.code, team.code).kind is OutcomeKind.APPLIED

    roc = read_rows(engine, Contact, Contact.contact_id)[0]
    assert roc["notes"] == (
        "New Details:\n"
        "Responsible Officer Type: Offender Manager\n"
        "Responsible Officer: John Paul New(New Team,North East)\n"
        "Start Date: 04/06/2025 14:05:09\n"
        "Previous Details:\n"
        "Responsible Officer Type: Prison Offender Manager\n"
        "Responsible Officer: Pia Prison(HMP Durham OMU,North East)\n"
        "Start Date: 10/01/2024 09:00:00\n"
        "End Date: 04/06/2025 14:05:09\n"
        "Allocation Reason: Officer Left"
    )
    new_ro = read_rows(engine, ResponsibleOfficer, ResponsibleOfficer.start_date)[1]
    assert new_ro["prison_offender_manager_id"] is None


@pytest.mark.parametrize(
    ("categories", "flagged"),
    [
        ((None, None, None), False),
        (("7", None, "RS66"), False),
        (("F", None, None), False),
        (("7", None, None), True),
        (("RM38", None, None), True),
        (("RM38", None, "RS66"), True),
        ((None, "7", None), True),
        ((None, "7", "RS66"), True),
        ((None, "RM38", None), True),
        ((None, "RM38", "RS66"), True),
    ],
)
def test_person_is_flagged_for_iaps_when_a_requirement_is_an_accredited_programme(
    engine, world, run, categories, flagged
):
    delius, case, team, staff = world
    main, additional, sub = categories
    disposal = delius.disposal(delius.event(case.offender_id))
    delius.requirement(case.offender_id, disposal, main=main, additional=additional, sub=sub)

    run(case.crn, staff.code, team.code)

    expected = [{"offender_id": case.offender_id, "iaps_flag": 1}] if flagged else []
    assert [dict(r) for r in read_rows(engine, IapsOffender)] == expected


def test_person_iaps_rule_counts_inactive_and_deleted_requirements_and_upserts(engine, world, run):
    delius, case, team, staff = world
    disposal = delius.disposal(delius.event(case.offender_id))
    delius.requirement(case.offender_id, disposal, main="7", active=0, soft_deleted=1)
    with engine.begin() as c:
        c.execute(IapsOffender.__table__.insert().values(offender_id=case.offender_id, iaps_flag=0))

    run(case.crn, staff.code, team.code)

    assert [dict(r) for r in read_rows(engine, IapsOffender)] == [{"offender_id": case.offender_id, "iaps_flag": 1}]


def test_concurrent_change_of_the_manager_is_an_optimistic_lock_failure_and_writes_nothing(engine, world, run):
    _, case, team, staff = world
    bumped = []

    def bump_row_version_first(_conn, _cursor, statement, *_rest):
        if statement.startswith("UPDATE offender_manager") and not bumped:
            bumped.append(True)
            with engine.connect() as other:  # another transaction commits between our read and our update
                other.execute(update(OffenderManager).values(row_version=OffenderManager.row_version + 1))
                other.commit()

    event.listen(engine, "before_cursor_execute", bump_row_version_first)
    try:
        with pytest.raises(OptimisticLockFailure):
            run(case.crn, staff.code, team.code)
    finally:
        event.remove(engine, "before_cursor_execute", bump_row_version_first)

    (manager,) = read_rows(engine, OffenderManager)
    assert (manager["end_date"], manager["row_version"]) == (None, 1)
    (ro,) = read_rows(engine, ResponsibleOfficer)
    assert ro["end_date"] is None
    assert read_rows(engine, Contact) == []


def test_allocation_date_is_the_detail_created_date_not_now(engine, world, run):
    _, case, team, staff = world
    run(case.crn, staff.code, team.code)
    with engine.connect() as c:
        latest = c.execute(select(func.max(OffenderManager.allocation_date))).scalar_one()
    assert latest == CREATED


def test_reference_data_load_is_idempotent(engine, delius):
    def counts():
        with engine.connect() as c:
            return {
                name: c.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in metadata.tables.items()
            }

    before = counts()
    create_delius_schema(engine, DEFAULT_DELIUS_USERNAME)
    create_delius_schema(engine, DEFAULT_DELIUS_USERNAME)

    assert counts() == before
    assert before[StandardReference.__tablename__] > 40
