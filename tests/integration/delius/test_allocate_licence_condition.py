"""Licence-condition allocation against a real PostgreSQL Delius: the requirement algorithm, no IAPS (spec §5.9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factories import CREATED, START, apply, audit_rows, contact_rows, detail_of, read_rows
from sqlalchemy import select, update

from allocations.delius import codes
from allocations.delius.models import (
    IapsEvent,
    IapsOffender,
    IapsRequirement,
    LicenceConditionManager,
    RequirementManager,
    TransferReason,
)
from allocations.delius.steps.kinds import LICENCE_CONDITION
from allocations.errors import Conflict
from allocations.outcome import Outcome, OutcomeKind
from allocations.workload.details import AllocationReason, LicenceConditionAllocationDetail


@pytest.fixture
def sentenced(world):
    delius, case, _, _ = world
    return delius.sentence(case)


def condition_detail(sentenced, staff, team, created=CREATED, reason=AllocationReason.CHANGE_OF_ADDRESS):
    return detail_of(
        LicenceConditionAllocationDetail,
        staff.code,
        team.code,
        created,
        reason,
        licence_condition_id=sentenced.condition_id,
    )


def audited_ids(case, sentenced):
    # Delius audits the licence condition's id under the requirement's name.
    return f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}',requirementId='{sentenced.condition_id}'"


def test_new_current_allocation_ends_the_old_condition_manager_and_records_etrc(engine, world, sentenced):
    delius, case, team, staff = world

    outcome = apply(engine, case.crn, condition_detail(sentenced, staff, team))

    old, new = read_rows(engine, LicenceConditionManager, LicenceConditionManager.allocation_date)
    assert outcome == Outcome.applied(
        offenderId=case.offender_id,
        eventId=sentenced.event_id,
        licenceConditionId=sentenced.condition_id,
        licenceConditionManagerId=new["lic_condition_manager_id"],
    )
    assert (old["end_date"], old["active_flag"], old["row_version"]) == (CREATED, 0, 1)
    assert (new["lic_condition_id"], new["allocation_date"], new["end_date"], new["active_flag"]) == (
        sentenced.condition_id,
        CREATED,
        None,
        1,
    )
    assert (new["allocated_team_id"], new["allocated_staff_id"], new["staff_employee_id"]) == (
        team.id,
        staff.id,
        staff.id,
    )
    assert (new["trust_provider_team_id"], new["probation_area_id"]) == (team.id, case.provider.id)
    assert new["allocation_reason_id"] == delius.reference_id(codes.LICENCE_CONDITION_REASONS, "OM")
    with engine.connect() as c:
        component = c.execute(select(TransferReason.transfer_reason_id).where(TransferReason.code == "COMPONENT"))
        assert new["transfer_reason_id"] == component.scalar_one()

    (etrc,) = contact_rows(engine)
    assert etrc["type"] == "ETRC"
    assert (etrc["offender_id"], etrc["event_id"], etrc["rqmnt_id"], etrc["lic_condition_id"]) == (
        case.offender_id,
        sentenced.event_id,
        None,
        sentenced.condition_id,
    )
    assert etrc["notes"].startswith("Transfer Reason: Internal Transfer\nTransfer Date: 04/06/2025\n")
    assert (etrc["contact_date"], etrc["staff_id"], etrc["team_id"]) == (date(2025, 6, 4), staff.id, team.id)
    assert audit_rows(engine) == [("P", audited_ids(case, sentenced))]


def test_condition_allocation_flags_nothing_for_iaps_and_leaves_requirements_alone(engine, world, sentenced):
    delius, case, team, staff = world
    delius.requirement(case.offender_id, sentenced.disposal_id, main="RM38")

    apply(engine, case.crn, condition_detail(sentenced, staff, team))

    assert (read_rows(engine, IapsOffender), read_rows(engine, IapsEvent), read_rows(engine, IapsRequirement)) == (
        [],
        [],
        [],
    )
    (requirement_manager,) = read_rows(engine, RequirementManager)
    assert requirement_manager["row_version"] == 0


def test_historic_allocation_is_inserted_between_condition_managers(engine, world, sentenced):
    delius, case, team, staff = world
    later = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(update(LicenceConditionManager).values(end_date=later, active_flag=0))
    current = delius.manager(LICENCE_CONDITION, sentenced.condition_id, case.team, delius.staff(case.team), later)
    historic = datetime(2024, 6, 1, 12, tzinfo=UTC)

    assert apply(engine, case.crn, condition_detail(sentenced, staff, team, historic)).kind is OutcomeKind.APPLIED

    first, inserted, latest = read_rows(engine, LicenceConditionManager, LicenceConditionManager.allocation_date)
    assert (first["end_date"], first["active_flag"], first["row_version"]) == (historic, 0, 1)
    assert (inserted["allocation_date"], inserted["end_date"], inserted["active_flag"]) == (historic, later, 0)
    assert (latest["lic_condition_manager_id"], latest["end_date"], latest["row_version"]) == (current, None, 0)


def test_duplicate_writes_nothing_but_the_audit_row(engine, world, sentenced):
    _, case, _, _ = world

    outcome = apply(engine, case.crn, condition_detail(sentenced, case.staff, case.team))

    assert outcome == Outcome.duplicate(
        offenderId=case.offender_id, eventId=sentenced.event_id, licenceConditionId=sentenced.condition_id
    )
    assert len(read_rows(engine, LicenceConditionManager)) == 1
    assert contact_rows(engine) == []
    assert audit_rows(engine) == [("P", audited_ids(case, sentenced))]


def test_same_instant_with_other_staff_is_a_conflict(engine, world, sentenced):
    _, case, team, staff = world

    with pytest.raises(Conflict, match=r"^Allocation date conflicts with the current active manager$"):
        apply(engine, case.crn, condition_detail(sentenced, staff, team, START + timedelta(microseconds=1)))

    (manager,) = read_rows(engine, LicenceConditionManager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
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
def test_reallocation_reason_is_recorded_with_its_licence_condition_code(engine, world, sentenced, reason, code):
    delius, case, team, staff = world

    apply(engine, case.crn, condition_detail(sentenced, staff, team, reason=reason))

    new = read_rows(engine, LicenceConditionManager, LicenceConditionManager.allocation_date)[1]
    assert new["allocation_reason_id"] == delius.reference_id(codes.LICENCE_CONDITION_REASONS, code)
