"""Licence-condition allocation against a real PostgreSQL Delius: the requirement algorithm, no IAPS (spec §5.9).

What requirement and licence-condition allocations share is in test_allocate_requirement_and_licence_condition.py.
"""

from __future__ import annotations

from components import LICENCE_CONDITION_COMPONENT
from factories import apply, read_rows

from allocations.delius.models import IapsEvent, IapsOffender, IapsRequirement, RequirementManager


def test_condition_allocation_flags_nothing_for_iaps_and_leaves_requirements_alone(engine, world, sentenced):
    delius, case, team, staff = world
    delius.requirement(case.offender_id, sentenced.disposal_id, main="RM38")

    apply(engine, case.crn, LICENCE_CONDITION_COMPONENT.detail(sentenced.condition_id, staff.code, team.code))

    assert (read_rows(engine, IapsOffender), read_rows(engine, IapsEvent), read_rows(engine, IapsRequirement)) == (
        [],
        [],
        [],
    )
    (requirement_manager,) = read_rows(engine, RequirementManager)
    assert requirement_manager["row_version"] == 0
