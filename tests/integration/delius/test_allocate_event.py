"""Event (order) allocation against a real PostgreSQL Delius (spec §3.10)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from components import TRANSFER_NOTES
from factories import CREATED, START, apply, audit_rows, contact_rows, detail_of, read_rows
from sqlalchemy import select

from allocations.delius import codes
from allocations.delius.models import IapsEvent, OffenderManager, OrderManager, ResponsibleOfficer, TransferReason
from allocations.delius.steps.kinds import EVENT
from allocations.errors import Conflict
from allocations.outcome import Outcome, OutcomeKind
from allocations.workload.details import AllocationReason, EventAllocationDetail


def event_detail(staff, team, created=CREATED, reason=AllocationReason.INITIAL_ALLOCATION, **fields):
    return detail_of(EventAllocationDetail, staff.code, team.code, created, reason, **fields)


def transfer_reason_id(engine, code):
    with engine.connect() as c:
        return c.execute(select(TransferReason.transfer_reason_id).where(TransferReason.code == code)).scalar_one()


def test_new_current_allocation_ends_the_old_order_manager_and_records_the_transfer(engine, world, sentenced):
    delius, case, team, staff = world

    outcome = apply(engine, case.crn, event_detail(staff, team, spo_oversight_notes="Reviewed caseload"))

    old, new = read_rows(engine, OrderManager, OrderManager.allocation_date)
    assert outcome == Outcome.applied(
        offenderId=case.offender_id, eventId=sentenced.event_id, orderManagerId=new["order_manager_id"]
    )
    assert (old["end_date"], old["active_flag"], old["row_version"]) == (CREATED, 0, 1)
    assert (new["event_id"], new["allocation_date"], new["end_date"]) == (sentenced.event_id, CREATED, None)
    assert (new["active_flag"], new["row_version"], new["soft_deleted"]) == (1, 0, 0)
    assert (new["allocation_team_id"], new["allocation_staff_id"], new["staff_employee_id"]) == (
        team.id,
        staff.id,
        staff.id,
    )
    assert (new["trust_provider_team_id"], new["trust_provider_flag"]) == (team.id, 0)
    assert (new["probation_area_id"], new["partition_area_id"]) == (case.provider.id, 0)
    assert new["allocation_reason_id"] == delius.reference_id(codes.EVENT_REASONS, "INT")
    assert new["transfer_reason_id"] == transfer_reason_id(engine, codes.CASE_ORDER)
    assert (new["created_by_user_id"], new["last_updated_user_id"]) == (delius.user_id, delius.user_id)

    etos, spo = contact_rows(engine)
    assert (etos["type"], etos["notes"], etos["sensitive"]) == ("ETOS", TRANSFER_NOTES, "N")
    assert spo["type"] == "SPOD03"
    for contact in (etos, spo):
        assert (contact["offender_id"], contact["event_id"], contact["rqmnt_id"]) == (
            case.offender_id,
            sentenced.event_id,
            None,
        )
        assert (contact["contact_date"], contact["contact_start_time"]) == (date(2025, 6, 4), CREATED)
        assert (contact["staff_id"], contact["staff_employee_id"], contact["team_id"]) == (staff.id, staff.id, team.id)
        assert (contact["probation_area_id"], contact["trust_provider_team_id"]) == (case.provider.id, team.id)
    assert audit_rows(engine) == [("P", f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}'")]


def test_event_allocation_leaves_the_person_manager_and_responsible_officer_alone(engine, world, sentenced):
    _, case, team, staff = world

    apply(engine, case.crn, event_detail(staff, team))

    (manager,) = read_rows(engine, OffenderManager)
    (ro,) = read_rows(engine, ResponsibleOfficer)
    assert (manager["end_date"], manager["row_version"], ro["end_date"], ro["row_version"]) == (None, 0, None, 0)


def test_historic_allocation_is_inserted_between_order_managers(engine, world, sentenced):
    delius, case, team, staff = world
    later = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(OrderManager.__table__.update().values(end_date=later, active_flag=0))
    current = delius.manager(EVENT, sentenced.event_id, case.team, delius.staff(case.team), later)
    historic = datetime(2024, 6, 1, 12, tzinfo=UTC)

    assert apply(engine, case.crn, event_detail(staff, team, historic)).kind is OutcomeKind.APPLIED

    first, inserted, latest = read_rows(engine, OrderManager, OrderManager.allocation_date)
    assert (first["end_date"], first["active_flag"], first["row_version"]) == (historic, 0, 1)
    assert (inserted["allocation_date"], inserted["end_date"], inserted["active_flag"]) == (historic, later, 0)
    assert inserted["allocation_staff_id"] == staff.id
    assert (latest["order_manager_id"], latest["end_date"], latest["row_version"]) == (current, None, 0)
    assert [c["contact_date"] for c in contact_rows(engine)] == [date(2024, 6, 1), date(2024, 6, 1)]


def test_duplicate_writes_nothing_but_the_audit_row(engine, world, sentenced):
    _, case, _, _ = world

    outcome = apply(engine, case.crn, event_detail(case.staff, case.team))

    assert outcome == Outcome.duplicate(offenderId=case.offender_id, eventId=sentenced.event_id)
    (manager,) = read_rows(engine, OrderManager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []
    assert audit_rows(engine) == [("P", f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}'")]


def test_same_instant_with_other_staff_is_a_conflict(engine, world, sentenced):
    _, case, team, staff = world

    with pytest.raises(Conflict, match=r"^Allocation date conflicts with the current active manager$"):
        apply(engine, case.crn, event_detail(staff, team, START + timedelta(milliseconds=300)))

    (manager,) = read_rows(engine, OrderManager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []
    assert audit_rows(engine) == [("F", f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}'")]


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        (AllocationReason.INITIAL_ALLOCATION, "INT"),
        (AllocationReason.ALLOCATED_TO_RESPONSIBLE_OFFICER, "RO"),
        (AllocationReason.CASELOAD_ADJUSTMENT, "AR02"),
        (AllocationReason.CHANGE_IN_TIER_OR_RISK, "CTR"),
        (AllocationReason.CHANGE_OF_ADDRESS, "OA01"),
        (AllocationReason.OFFICER_LEFT, "OFL"),
        (AllocationReason.OTHER, "OTH"),
        (AllocationReason.RISK_TO_STAFF, "RTS"),
        (AllocationReason.TRANSFER_IN, "TIN"),
        (AllocationReason.PROBATION_RESET, "RESET"),
    ],
)
def test_reallocation_reason_is_recorded_with_its_order_allocation_code(engine, world, sentenced, reason, code):
    delius, case, team, staff = world

    apply(engine, case.crn, event_detail(staff, team, reason=reason))

    new = read_rows(engine, OrderManager, OrderManager.allocation_date)[1]
    assert new["allocation_reason_id"] == delius.reference_id(codes.EVENT_REASONS, code)
    spo = contact_rows(engine)[1]
    assert spo["type"] == ("SPOD03" if reason is AllocationReason.INITIAL_ALLOCATION else "SPO")


@pytest.mark.parametrize(
    ("requirement", "flagged"),
    [
        ({"main": "RM38"}, True),
        ({"main": "7"}, True),
        ({"main": "7", "sub": "RS66"}, False),
        ({"additional": "7", "sub": "RS66"}, True),
        ({"additional": "RM38"}, True),
        ({"main": "F"}, False),
        ({"main": "RM38", "active": 0}, False),
        ({"main": "RM38", "soft_deleted": 1}, False),
    ],
)
def test_event_is_flagged_for_iaps_when_an_active_requirement_is_an_accredited_programme(
    engine, world, sentenced, requirement, flagged
):
    delius, case, team, staff = world
    delius.requirement(case.offender_id, sentenced.disposal_id, **requirement)

    apply(engine, case.crn, event_detail(staff, team))

    expected = [{"event_id": sentenced.event_id, "iaps_flag": 1}] if flagged else []
    assert [dict(r) for r in read_rows(engine, IapsEvent)] == expected


def test_requirements_of_another_event_do_not_flag_this_one(engine, world, sentenced):
    delius, case, team, staff = world
    other = delius.sentence(case, "4")
    delius.requirement(case.offender_id, other.disposal_id, main="RM38")

    apply(engine, case.crn, event_detail(staff, team))

    assert read_rows(engine, IapsEvent) == []


def test_existing_iaps_event_row_is_set_to_flagged(engine, world, sentenced):
    delius, case, team, staff = world
    delius.requirement(case.offender_id, sentenced.disposal_id, main="7")
    with engine.begin() as c:
        c.execute(IapsEvent.__table__.insert().values(event_id=sentenced.event_id, iaps_flag=0))

    apply(engine, case.crn, event_detail(staff, team))

    assert [dict(r) for r in read_rows(engine, IapsEvent)] == [{"event_id": sentenced.event_id, "iaps_flag": 1}]
