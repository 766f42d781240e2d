"""Each IAPS rule looks only at its own subject: another person's accredited programme flags nothing here.

The rules' truth tables are in test_person_side_effects.py, test_allocate_event.py and test_allocate_requirement.py;
these tests keep each rule's filter (this offender, this event, this requirement) from being dropped unnoticed.
"""

from __future__ import annotations

import pytest
from factories import apply, detail_of, read_rows

from allocations.delius.models import IapsEvent, IapsOffender, IapsRequirement
from allocations.outcome import OutcomeKind
from allocations.workload.details import EventAllocationDetail, RequirementAllocationDetail


@pytest.fixture
def stranger(delius):
    """Another person whose event 3 has one active requirement, an accredited programme (main category RM38)."""
    offender_id, _ = delius.person()
    disposal_id = delius.disposal(delius.event(offender_id, "3"))
    return delius.requirement(offender_id, disposal_id, main="RM38")


def test_another_persons_accredited_programme_does_not_flag_the_person_allocated(engine, world, run, stranger):
    _, case, team, staff = world

    assert run(case.crn, staff.code, team.code).kind is OutcomeKind.APPLIED

    assert read_rows(engine, IapsOffender) == []


def test_another_persons_accredited_programme_does_not_flag_the_event_allocated(engine, world, sentenced, stranger):
    _, case, team, staff = world

    assert apply(engine, case.crn, detail_of(EventAllocationDetail, staff.code, team.code)).kind is OutcomeKind.APPLIED

    assert read_rows(engine, IapsEvent) == []


def test_another_persons_accredited_programme_does_not_flag_the_requirement_allocated(
    engine, world, sentenced, stranger
):
    _, case, team, staff = world
    detail = detail_of(RequirementAllocationDetail, staff.code, team.code, requirement_id=sentenced.requirement_id)

    assert apply(engine, case.crn, detail).kind is OutcomeKind.APPLIED

    assert read_rows(engine, IapsRequirement) == []
