"""Requirement allocations that Delius ignores as only requirements are; none of them writes anything.

What requirement and licence-condition refusals share is in test_allocate_requirement_and_licence_condition_refusals.py.
"""

from __future__ import annotations

import pytest
from components import REQUIREMENT_COMPONENT
from factories import START, apply, audit_rows, contact_rows, read_rows
from sqlalchemy import update

from allocations.delius.models import Requirement, RequirementManager
from allocations.delius.steps.kinds import REQUIREMENT
from allocations.outcome import OutcomeKind
from allocations.workload.details import AllocationReason


def requirement_detail(requirement_id):
    return REQUIREMENT_COMPONENT.detail(requirement_id, "N02NEWA", "N02NEW", reason=AllocationReason.OTHER)


def assert_nothing_written(engine):
    for manager in read_rows(engine, RequirementManager):
        assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []


def test_requirement_that_does_not_exist_is_ignorable(engine, world, sentenced):
    _, case, _, _ = world

    outcome = apply(engine, case.crn, requirement_detail(987654321))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Requirement not found or soft deleted in delius",
        {},
    )
    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", "")]


def test_soft_deleted_requirement_is_ignorable(engine, world, sentenced):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(Requirement).values(soft_deleted=1))

    outcome = apply(engine, case.crn, requirement_detail(sentenced.requirement_id))

    assert (outcome.kind, outcome.reason) == (OutcomeKind.IGNORED, "Requirement not found or soft deleted in delius")
    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", "")]


@pytest.mark.parametrize(
    ("categories", "properties"),
    [
        ((None, None), {"eventNumber": "3"}),
        (
            ("7", "RS66"),
            {"eventNumber": "3", "mainCategory": "Accredited Programme", "subCategory": "Not an accredited programme"},
        ),
        (("F", None), {"eventNumber": "3", "mainCategory": "Curfew"}),
    ],
)
def test_pending_transfer_is_ignorable_with_event_number_and_categories(
    engine, world, sentenced, categories, properties
):
    delius, case, _, _ = world
    main, sub = categories
    requirement_id = delius.requirement(case.offender_id, sentenced.disposal_id, main=main, sub=sub)
    delius.manager(REQUIREMENT, requirement_id, case.team, case.staff, START)
    delius.transfer(REQUIREMENT, requirement_id)

    outcome = apply(engine, case.crn, requirement_detail(requirement_id))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Pending transfer exists in Delius",
        properties,
    )
    assert_nothing_written(engine)
