"""Requirement allocation against a real PostgreSQL Delius: what only requirements do, IAPS (spec §3.11).

What requirement and licence-condition allocations share is in test_allocate_requirement_and_licence_condition.py.
"""

from __future__ import annotations

import pytest
from components import REQUIREMENT_COMPONENT
from factories import START, apply, detail_of, read_rows

from allocations.delius.models import IapsEvent, IapsRequirement, OrderManager
from allocations.delius.steps.kinds import REQUIREMENT
from allocations.outcome import OutcomeKind
from allocations.workload.details import RequirementAllocationDetail


def test_requirement_allocation_leaves_the_order_manager_alone(engine, world, sentenced):
    _, case, team, staff = world

    apply(engine, case.crn, REQUIREMENT_COMPONENT.detail(sentenced.requirement_id, staff.code, team.code))

    (order_manager,) = read_rows(engine, OrderManager)
    assert (order_manager["end_date"], order_manager["row_version"]) == (None, 0)
    assert read_rows(engine, IapsEvent) == []


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
