"""Requirement allocation against a real PostgreSQL Delius (spec §3.11)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factories import CREATED, START, apply, audit_rows, contact_rows, detail_of, read_rows
from sqlalchemy import select, update

from allocations.delius import codes
from allocations.delius.models import (
    IapsEvent,
    IapsRequirement,
    OrderManager,
    RequirementManager,
    TransferReason,
)
from allocations.delius.steps.kinds import REQUIREMENT
from allocations.errors import Conflict
from allocations.outcome import Outcome, OutcomeKind
from allocations.workload.details import AllocationReason, RequirementAllocationDetail


@pytest.fixture
def sentenced(world):
    delius, case, _, _ = world
    return delius.sentence(case)


def requirement_detail(sentenced, staff, team, created=CREATED, reason=AllocationReason.CHANGE_OF_ADDRESS):
    return detail_of(
        RequirementAllocationDetail, staff.code, team.code, created, reason, requirement_id=sentenced.requirement_id
    )


def audited_ids(case, sentenced):
    return f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}',requirementId='{sentenced.requirement_id}'"


def test_new_current_allocation_ends_the_old_requirement_manager_and_records_etrc(engine, world, sentenced):
    delius, case, team, staff = world

    outcome = apply(engine, case.crn, requirement_detail(sentenced, staff, team))

    old, new = read_rows(engine, RequirementManager, RequirementManager.allocation_date)
    assert outcome == Outcome.applied(
        offenderId=case.offender_id,
        eventId=sentenced.event_id,
        requirementId=sentenced.requirement_id,
        requirementManagerId=new["rqmnt_manager_id"],
    )
    assert (old["end_date"], old["active_flag"], old["row_version"]) == (CREATED, 0, 1)
    assert (new["rqmnt_id"], new["allocation_date"], new["end_date"], new["active_flag"]) == (
        sentenced.requirement_id,
        CREATED,
        None,
        1,
    )
    assert (new["allocated_team_id"], new["allocated_staff_id"], new["staff_employee_id"]) == (
        team.id,
        staff.id,
        staff.id,
    )
    assert (new["trust_provider_team_id"], new["trust_provider_flag"], new["probation_area_id"]) == (
        team.id,
        0,
        case.provider.id,
    )
    assert new["allocation_reason_id"] == delius.reference_id(codes.REQUIREMENT_REASONS, "OM")
    with engine.connect() as c:
        component = c.execute(select(TransferReason.transfer_reason_id).where(TransferReason.code == "COMPONENT"))
        assert new["transfer_reason_id"] == component.scalar_one()

    (etrc,) = contact_rows(engine)
    assert etrc["type"] == "ETRC"
    assert (etrc["offender_id"], etrc["event_id"], etrc["rqmnt_id"], etrc["lic_condition_id"]) == (
        case.offender_id,
        sentenced.event_id,
        sentenced.requirement_id,
        None,
    )
    assert etrc["notes"] == (
        "Transfer Reason: Internal Transfer\n"
        "Transfer Date: 04/06/2025\n"
        "From Trust: North East\n"
        "From Team: Old Team\n"
        "From Officer: Ann Old\n"
        "-------------------------------/\n"
        "\n"
    )
    assert (etrc["contact_date"], etrc["contact_start_time"], etrc["sensitive"]) == (date(2025, 6, 4), CREATED, "N")
    assert (etrc["staff_id"], etrc["team_id"], etrc["probation_area_id"]) == (staff.id, team.id, case.provider.id)
    assert audit_rows(engine) == [("P", audited_ids(case, sentenced))]


def test_requirement_allocation_leaves_the_order_manager_alone(engine, world, sentenced):
    _, case, team, staff = world

    apply(engine, case.crn, requirement_detail(sentenced, staff, team))

    (order_manager,) = read_rows(engine, OrderManager)
    assert (order_manager["end_date"], order_manager["row_version"]) == (None, 0)
    assert read_rows(engine, IapsEvent) == []


def test_historic_allocation_is_inserted_between_requirement_managers(engine, world, sentenced):
    delius, case, team, staff = world
    later = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(update(RequirementManager).values(end_date=later, active_flag=0))
    current = delius.manager(REQUIREMENT, sentenced.requirement_id, case.team, delius.staff(case.team), later)
    historic = datetime(2024, 6, 1, 12, tzinfo=UTC)

    assert apply(engine, case.crn, requirement_detail(sentenced, staff, team, historic)).kind is OutcomeKind.APPLIED

    first, inserted, latest = read_rows(engine, RequirementManager, RequirementManager.allocation_date)
    assert (first["end_date"], first["active_flag"], first["row_version"]) == (historic, 0, 1)
    assert (inserted["allocation_date"], inserted["end_date"], inserted["active_flag"]) == (historic, later, 0)
    assert (latest["rqmnt_manager_id"], latest["end_date"], latest["row_version"]) == (current, None, 0)


def test_duplicate_writes_nothing_but_the_audit_row(engine, world, sentenced):
    _, case, _, _ = world

    outcome = apply(engine, case.crn, requirement_detail(sentenced, case.staff, case.team))

    assert outcome == Outcome.duplicate(
        offenderId=case.offender_id, eventId=sentenced.event_id, requirementId=sentenced.requirement_id
    )
    (manager,) = read_rows(engine, RequirementManager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []
    assert audit_rows(engine) == [("P", audited_ids(case, sentenced))]


def test_same_instant_with_other_staff_is_a_conflict(engine, world, sentenced):
    _, case, team, staff = world

    with pytest.raises(Conflict, match=r"^Allocation date conflicts with the current active manager$"):
        apply(engine, case.crn, requirement_detail(sentenced, staff, team, START + timedelta(milliseconds=999)))

    (manager,) = read_rows(engine, RequirementManager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        (AllocationReason.INITIAL_ALLOCATION, "IN1"),
        (AllocationReason.ALLOCATED_TO_RESPONSIBLE_OFFICER, "RO"),
        (AllocationReason.CASELOAD_ADJUSTMENT, "AR02"),
        (AllocationReason.CHANGE_IN_TIER_OR_RISK, "CTR"),
        (AllocationReason.CHANGE_OF_ADDRESS, "OM"),
        (AllocationReason.OFFICER_LEFT, "OFL"),
        (AllocationReason.OTHER, "OTH"),
        (AllocationReason.RISK_TO_STAFF, "RTS"),
        (AllocationReason.TRANSFER_IN, "TIN"),
        (AllocationReason.PROBATION_RESET, "RESET"),
    ],
)
def test_reallocation_reason_is_recorded_with_its_requirement_allocation_code(engine, world, sentenced, reason, code):
    delius, case, team, staff = world

    apply(engine, case.crn, requirement_detail(sentenced, staff, team, reason=reason))

    new = read_rows(engine, RequirementManager, RequirementManager.allocation_date)[1]
    assert new["allocation_reason_id"] == delius.reference_id(codes.REQUIREMENT_REASONS, code)


@pytest.mark.parametrize(
    ("categories", "flagged"),
    [
        ((None, None, None), False),
        (("7", None, "RS66"), False),
        (("7", None, None), True),
        (("RM38", None, None), True),
        (("RM38", None, "RS66"), True),
        ((None, "7", None), True),
        ((None, "7", "RS66"), True),
        ((None, "RM38", None), True),
        ((None, "RM38", "RS66"), True),
        (("F", None, None), False),
    ],
)
def test_requirement_is_flagged_for_iaps_per_the_truth_table(engine, world, sentenced, categories, flagged):
    delius, case, team, staff = world
    main, additional, sub = categories
    programme = delius.requirement(case.offender_id, sentenced.disposal_id, main=main, additional=additional, sub=sub)
    delius.manager(REQUIREMENT, programme, case.team, case.staff, START)
    detail = detail_of(RequirementAllocationDetail, staff.code, team.code, requirement_id=programme)

    assert apply(engine, case.crn, detail).kind is OutcomeKind.APPLIED

    expected = [{"rqmnt_id": programme, "iaps_flag": 1}] if flagged else []
    assert [dict(r) for r in read_rows(engine, IapsRequirement)] == expected


def test_existing_iaps_requirement_row_is_set_to_flagged(engine, world, sentenced):
    delius, case, team, staff = world
    programme = delius.requirement(case.offender_id, sentenced.disposal_id, main="RM38")
    delius.manager(REQUIREMENT, programme, case.team, case.staff, START)
    with engine.begin() as c:
        c.execute(IapsRequirement.__table__.insert().values(rqmnt_id=programme, iaps_flag=0))

    apply(engine, case.crn, detail_of(RequirementAllocationDetail, staff.code, team.code, requirement_id=programme))

    assert [dict(r) for r in read_rows(engine, IapsRequirement)] == [{"rqmnt_id": programme, "iaps_flag": 1}]
