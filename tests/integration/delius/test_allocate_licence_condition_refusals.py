"""Licence-condition allocations that Delius ignores as only licence conditions are; none writes anything.

What requirement and licence-condition refusals share is in test_allocate_requirement_and_licence_condition_refusals.py.
"""

from __future__ import annotations

import pytest
from components import LICENCE_CONDITION_COMPONENT
from factories import START, apply, audit_rows, contact_rows, read_rows
from sqlalchemy import update

from allocations.delius.models import LicenceCondition, LicenceConditionManager
from allocations.delius.steps.kinds import LICENCE_CONDITION
from allocations.outcome import OutcomeKind
from allocations.workload.details import AllocationReason


def condition_detail(condition_id):
    return LICENCE_CONDITION_COMPONENT.detail(condition_id, "N02NEWA", "N02NEW", reason=AllocationReason.TRANSFER_IN)


def assert_nothing_written(engine):
    for manager in read_rows(engine, LicenceConditionManager):
        assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []


@pytest.mark.parametrize("soft_deleted", [False, True])
def test_condition_that_no_longer_exists_is_ignorable_with_its_id(engine, world, sentenced, soft_deleted):
    _, case, _, _ = world
    condition_id = sentenced.condition_id if soft_deleted else 987654321
    with engine.begin() as c:
        c.execute(update(LicenceCondition).values(soft_deleted=int(soft_deleted)))

    outcome = apply(engine, case.crn, condition_detail(condition_id))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Requirement no longer exists",
        {"id": str(condition_id)},
    )
    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", "")]


@pytest.mark.parametrize("categorised", [False, True])
def test_pending_transfer_is_ignorable_with_event_number_and_categories(engine, world, sentenced, categorised):
    delius, case, _, _ = world
    categories = {}
    if categorised:
        categories = {
            "main_id": delius.lic_condition_category("NLC8", "Freedom of movement"),
            "sub_id": delius.reference("LICENCE CONDITION SUB CATEGORY", "NST14", "Exclusion zone"),
        }
    condition_id = delius.lic_condition(sentenced.disposal_id, **categories)
    delius.manager(LICENCE_CONDITION, condition_id, case.team, case.staff, START)
    delius.transfer(LICENCE_CONDITION, condition_id)
    delius.transfer(LICENCE_CONDITION, sentenced.condition_id, "TA")

    pending = apply(engine, case.crn, condition_detail(condition_id))
    settled = apply(engine, case.crn, condition_detail(sentenced.condition_id))

    expected = {"eventNumber": "3"}
    if categorised:
        expected |= {"mainCategory": "Freedom of movement", "subCategory": "Exclusion zone"}
    assert (pending.kind, pending.reason, pending.properties) == (
        OutcomeKind.IGNORED,
        "Pending transfer exists in Delius",
        expected,
    )
    assert settled.kind is OutcomeKind.APPLIED
