"""The SPO oversight contact an event allocation writes after its ETOS contact (spec §3.10 step 11)."""

from __future__ import annotations

import pytest
from factories import CREATED, apply, contact_rows, detail_of

from allocations.workload.details import AllocationReason, EventAllocationDetail

INITIAL = AllocationReason.INITIAL_ALLOCATION
COMMENT = "Comment added by Workforce Allocations Service on 04/06/2025 at 14:05"


@pytest.fixture
def spo(world):
    delius, _, new_team, _ = world
    return delius.staff(new_team, code="N02SPOA", forename="Sue", surname="Senior")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # initial: the notes as given, sensitive unless said otherwise
        ((INITIAL, True, "Reviewed caseload", None), ("SPOD03", "spo", "Reviewed caseload", "Y")),
        ((INITIAL, False, "Reviewed caseload", False), ("SPOD03", "allocated", "Reviewed caseload", "N")),
        ((INITIAL, False, None, None), ("SPOD03", "allocated", None, "Y")),
        ((INITIAL, True, None, True), ("SPOD03", "spo", None, "Y")),
        # re-allocation: notes, a blank line, the reason's enum name and the comment line
        (
            (AllocationReason.CHANGE_OF_ADDRESS, True, "Moved to Leeds", False),
            ("SPO", "spo", f"Moved to Leeds\n\nAllocation reason: CHANGE_OF_ADDRESS\n{COMMENT}", "N"),
        ),
        (
            (AllocationReason.OFFICER_LEFT, False, None, None),
            ("SPO", "allocated", f"\nAllocation reason: OFFICER_LEFT\n{COMMENT}", "Y"),
        ),
        (
            (AllocationReason.RISK_TO_STAFF, False, "Line one\nLine two", True),
            ("SPO", "allocated", f"Line one\nLine two\n\nAllocation reason: RISK_TO_STAFF\n{COMMENT}", "Y"),
        ),
    ],
)
def test_oversight_contact_type_notes_staff_and_sensitivity(  # noqa: PLR0913, PLR0917 - scenario fixtures and the case
    engine, world, sentenced, spo, given, expected
):
    _, case, team, staff = world
    reason, spo_named, notes, sensitive = given
    detail = detail_of(
        EventAllocationDetail,
        staff.code,
        team.code,
        CREATED,
        reason,
        spo_staff_code=spo.code if spo_named else None,
        spo_oversight_notes=notes,
        sensitive_oversight_notes=sensitive,
    )

    apply(engine, case.crn, detail)

    etos, oversight = contact_rows(engine)
    expected_type, who, expected_notes, expected_sensitive = expected
    assert etos["type"] == "ETOS"
    assert (oversight["type"], oversight["notes"], oversight["sensitive"]) == (
        expected_type,
        expected_notes,
        expected_sensitive,
    )
    staff_id = spo.id if who == "spo" else staff.id
    assert (oversight["staff_id"], oversight["staff_employee_id"]) == (staff_id, staff_id)
    assert (oversight["team_id"], oversight["probation_area_id"]) == (team.id, case.provider.id)
    assert (oversight["offender_id"], oversight["event_id"]) == (case.offender_id, sentenced.event_id)
    assert oversight["contact_start_time"] == CREATED
