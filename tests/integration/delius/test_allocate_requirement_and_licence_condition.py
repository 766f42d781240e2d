"""What requirement and licence-condition allocations share against a real PostgreSQL Delius (spec §3.11, §5.9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from components import COMPONENTS, TRANSFER_NOTES, audited_ids
from factories import CREATED, START, apply, audit_rows, contact_rows, read_rows
from sqlalchemy import select, update

from allocations.delius.models import TransferReason
from allocations.errors import Conflict
from allocations.outcome import Outcome, OutcomeKind
from allocations.workload.details import AllocationReason

pytestmark = pytest.mark.parametrize("kind", COMPONENTS, ids=str)

# The same allocation reason codes for both kinds.
REASON_CODES = {
    AllocationReason.INITIAL_ALLOCATION: "IN1",
    AllocationReason.ALLOCATED_TO_RESPONSIBLE_OFFICER: "RO",
    AllocationReason.CASELOAD_ADJUSTMENT: "AR02",
    AllocationReason.CHANGE_IN_TIER_OR_RISK: "CTR",
    AllocationReason.CHANGE_OF_ADDRESS: "OM",
    AllocationReason.OFFICER_LEFT: "OFL",
    AllocationReason.OTHER: "OTH",
    AllocationReason.RISK_TO_STAFF: "RTS",
    AllocationReason.TRANSFER_IN: "TIN",
    AllocationReason.PROBATION_RESET: "RESET",
}


def component_detail(kind, sentenced, staff, team, **options):
    return kind.detail(kind.id_of(sentenced), staff.code, team.code, **options)


def test_new_current_allocation_ends_the_old_manager_and_records_etrc(engine, world, sentenced, kind):
    delius, case, team, staff = world
    component_id = kind.id_of(sentenced)

    outcome = apply(engine, case.crn, component_detail(kind, sentenced, staff, team))

    old, new = read_rows(engine, kind.manager, kind.manager.allocation_date)
    assert outcome == Outcome.applied(
        offenderId=case.offender_id,
        eventId=sentenced.event_id,
        **{kind.id_property: component_id, kind.manager_id_property: new[kind.manager_id]},
    )
    assert (old["end_date"], old["active_flag"], old["row_version"]) == (CREATED, 0, 1)
    assert (new[kind.parent], new["allocation_date"], new["end_date"], new["active_flag"]) == (
        component_id,
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
    assert new["allocation_reason_id"] == delius.reference_id(kind.reasons, "OM")
    with engine.connect() as c:
        component = c.execute(select(TransferReason.transfer_reason_id).where(TransferReason.code == "COMPONENT"))
        assert new["transfer_reason_id"] == component.scalar_one()

    (etrc,) = contact_rows(engine)
    assert etrc["type"] == "ETRC"
    # The contact names the component in its kind's column and leaves the other kind's empty.
    ids = {"offender_id": case.offender_id, "event_id": sentenced.event_id, "rqmnt_id": None, "lic_condition_id": None}
    ids[kind.parent] = component_id
    assert {column: etrc[column] for column in ids} == ids
    assert etrc["notes"] == TRANSFER_NOTES
    assert (etrc["contact_date"], etrc["contact_start_time"], etrc["sensitive"]) == (date(2025, 6, 4), CREATED, "N")
    assert (etrc["staff_id"], etrc["team_id"], etrc["probation_area_id"]) == (staff.id, team.id, case.provider.id)
    assert audit_rows(engine) == [("P", audited_ids(case, sentenced, component_id))]


def test_historic_allocation_is_inserted_between_managers(engine, world, sentenced, kind):
    delius, case, team, staff = world
    later = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(update(kind.manager).values(end_date=later, active_flag=0))
    current = delius.manager(kind.manager_kind, kind.id_of(sentenced), case.team, delius.staff(case.team), later)
    historic = datetime(2024, 6, 1, 12, tzinfo=UTC)

    outcome = apply(engine, case.crn, component_detail(kind, sentenced, staff, team, created=historic))

    assert outcome.kind is OutcomeKind.APPLIED

    first, inserted, latest = read_rows(engine, kind.manager, kind.manager.allocation_date)
    assert (first["end_date"], first["active_flag"], first["row_version"]) == (historic, 0, 1)
    assert (inserted["allocation_date"], inserted["end_date"], inserted["active_flag"]) == (historic, later, 0)
    assert (latest[kind.manager_id], latest["end_date"], latest["row_version"]) == (current, None, 0)


def test_duplicate_writes_nothing_but_the_audit_row(engine, world, sentenced, kind):
    _, case, _, _ = world
    component_id = kind.id_of(sentenced)

    outcome = apply(engine, case.crn, component_detail(kind, sentenced, case.staff, case.team))

    assert outcome == Outcome.duplicate(
        offenderId=case.offender_id, eventId=sentenced.event_id, **{kind.id_property: component_id}
    )
    (manager,) = read_rows(engine, kind.manager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []
    assert audit_rows(engine) == [("P", audited_ids(case, sentenced, component_id))]


@pytest.mark.parametrize("later", [timedelta(microseconds=1), timedelta(milliseconds=999)], ids=["1us", "999ms"])
def test_same_instant_with_other_staff_is_a_conflict(engine, world, sentenced, kind, later):
    _, case, team, staff = world

    with pytest.raises(Conflict, match=r"^Allocation date conflicts with the current active manager$"):
        apply(engine, case.crn, component_detail(kind, sentenced, staff, team, created=START + later))

    (manager,) = read_rows(engine, kind.manager)
    assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced, kind.id_of(sentenced)))]


@pytest.mark.parametrize("reason", list(REASON_CODES), ids=lambda reason: reason.name)
def test_reallocation_reason_is_recorded_with_its_allocation_code(engine, world, sentenced, kind, reason):
    delius, case, team, staff = world

    apply(engine, case.crn, component_detail(kind, sentenced, staff, team, reason=reason))

    new = read_rows(engine, kind.manager, kind.manager.allocation_date)[1]
    assert new["allocation_reason_id"] == delius.reference_id(kind.reasons, REASON_CODES[reason])
