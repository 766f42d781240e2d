from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from allocations.delius import codes
from allocations.delius.steps.active_manager import ActiveManager
from allocations.delius.steps.audit import AuditParameters, render_parameters
from allocations.delius.steps.duplicate import is_duplicate
from allocations.delius.steps.iaps import is_accredited_programme
from allocations.delius.steps.new_manager import active_flag
from allocations.errors import Conflict
from allocations.workload.details import AllocationReason, PersonAllocationDetail

NOW = datetime(2025, 6, 4, 12, tzinfo=UTC)
START = datetime(2025, 1, 1, 9, 0, 0, 400000, tzinfo=UTC)

ACTIVE = ActiveManager(
    id=1,
    parent_id=2,
    row_version=0,
    allocation_date=START,
    end_date=None,
    team_id=3,
    team_code="N02T01",
    team_description="Team",
    staff_id=4,
    staff_code="N02T01A",
    staff_name="Ann Old",
    provider_id=5,
    provider_code="N02",
    provider_description="North East",
    partition_area_id=0,
    allocation_reason_id=None,
)


def detail(staff_code, team_code, created):
    return PersonAllocationDetail(
        id="x", staff_code=staff_code, team_code=team_code, created_date=created, crn="X000001"
    )


def test_active_flag_is_one_while_open_or_ending_after_now():
    assert active_flag(None, NOW) == 1
    assert active_flag(NOW + timedelta(seconds=1), NOW) == 1
    assert active_flag(NOW, NOW) == 0
    assert active_flag(NOW - timedelta(days=1), NOW) == 0


def test_parameters_keep_insertion_order_and_quote_values():
    parameters = AuditParameters()
    parameters["offenderId"] = 2500012345
    parameters["eventId"] = 2500067890
    assert parameters.render() == "offenderId='2500012345',eventId='2500067890'"


def test_parameters_are_cut_to_500_characters():
    assert len(render_parameters({"k": "v" * 600})) == 500
    assert render_parameters({}) == ""


@pytest.mark.parametrize(
    ("main", "additional", "sub", "expected"),
    [
        (None, None, None, False),
        ("7", None, "RS66", False),
        ("7", None, None, True),
        ("7", None, "RS01", True),
        ("RM38", None, None, True),
        ("RM38", None, "RS66", True),
        (None, "7", None, True),
        (None, "7", "RS66", True),
        (None, "RM38", None, True),
        (None, "RM38", "RS66", True),
        ("F", "F", None, False),
    ],
)
def test_accredited_programme_truth_table(main, additional, sub, expected):
    assert is_accredited_programme(main, additional, sub) is expected


def test_same_staff_and_team_is_a_duplicate_even_at_the_same_instant():
    assert is_duplicate(ACTIVE, detail("N02T01A", "N02T01", START)) is True


def test_other_staff_in_the_same_second_is_a_conflict():
    with pytest.raises(Conflict, match="Allocation date conflicts with the current active manager"):
        is_duplicate(ACTIVE, detail("N02T01B", "N02T01", START.replace(microsecond=999000)))


def test_other_staff_a_second_later_is_a_new_allocation():
    assert is_duplicate(ACTIVE, detail("N02T01B", "N02T01", START + timedelta(seconds=1))) is False
    assert is_duplicate(replace(ACTIVE, staff_code="N02T01B"), detail("N02T01B", "N02T02", NOW)) is False


def test_every_reason_has_a_code_in_every_dataset():
    for dataset in (
        codes.PERSON_REASONS,
        codes.EVENT_REASONS,
        codes.REQUIREMENT_REASONS,
        codes.LICENCE_CONDITION_REASONS,
    ):
        assert set(codes.REASON_CODES[dataset]) == set(AllocationReason)
    assert codes.reason_code(codes.PERSON_REASONS, AllocationReason.INITIAL_ALLOCATION) == "IN1"
    assert codes.reason_code(codes.EVENT_REASONS, AllocationReason.INITIAL_ALLOCATION) == "INT"
    assert codes.reason_code(codes.EVENT_REASONS, AllocationReason.CHANGE_OF_ADDRESS) == "OA01"
    assert codes.reason_code(codes.REQUIREMENT_REASONS, AllocationReason.CHANGE_OF_ADDRESS) == "OM"
