"""Rules of the event and component use cases that need no database: SPO notes, contact type, component checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from allocations.delius.allocate_event import oversight_contact_type, oversight_notes
from allocations.delius.allocate_licence_condition import LICENCE_CONDITION_COMPONENT
from allocations.delius.allocate_requirement import REQUIREMENT_COMPONENT
from allocations.delius.components import Component, component_refusal
from allocations.errors import Conflict, NotActive
from allocations.workload.details import AllocationReason, EventAllocationDetail

SUMMER = datetime(2025, 6, 4, 13, 5, 59, 999000, tzinfo=UTC)  # 14:05 in London
WINTER = datetime(2025, 1, 15, 23, 30, tzinfo=UTC)  # 23:30 in London, still 15 January


def event_detail(reason, notes, created=SUMMER):
    return EventAllocationDetail(
        id="x",
        staff_code="N02NEWA",
        team_code="N02NEW",
        created_date=created,
        allocation_reason=reason,
        event_number=3,
        spo_oversight_notes=notes,
    )


@pytest.mark.parametrize(
    ("reason", "expected"),
    [(AllocationReason.INITIAL_ALLOCATION, "SPOD03")]
    + [(r, "SPO") for r in AllocationReason if r.name != "INITIAL_ALLOCATION"],
)
def test_only_an_initial_allocation_gets_the_spod03_contact(reason, expected):
    assert oversight_contact_type(reason) == expected


@pytest.mark.parametrize("notes", [None, "", "Reviewed caseload"])
def test_initial_allocation_notes_are_the_oversight_notes_exactly(notes):
    assert oversight_notes(event_detail(AllocationReason.INITIAL_ALLOCATION, notes)) == notes


def test_reallocation_notes_are_the_notes_a_blank_line_the_reason_and_the_comment_in_london_time():
    notes = oversight_notes(event_detail(AllocationReason.CASELOAD_ADJUSTMENT, "Fairer caseload"))

    assert notes == (
        "Fairer caseload\n"
        "\n"
        "Allocation reason: CASELOAD_ADJUSTMENT\n"
        "Comment added by Workforce Allocations Service on 04/06/2025 at 14:05"
    )


def test_reallocation_notes_without_oversight_notes_start_with_the_blank_line():
    notes = oversight_notes(event_detail(AllocationReason.OFFICER_LEFT, None, WINTER))

    assert notes == (
        "\nAllocation reason: OFFICER_LEFT\nComment added by Workforce Allocations Service on 15/01/2025 at 23:30"
    )


def component(**changes):
    values = {
        "id": 7,
        "offender_id": 1,
        "crn": "X000001",
        "event_id": 2,
        "event_number": "3",
        "event_active": True,
        "active": True,
    }
    return Component(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "message_crn", "error", "message"),
    [
        ({"event_number": "4", "active": False}, "Y000002", Conflict, "Requirement 7 not for Y000002"),
        ({"event_number": "4", "active": False}, "X000001", Conflict, "Requirement 7 not for event 3"),
        ({"event_active": False, "active": False}, "X000001", NotActive, "Event with number of 3 not active"),
        ({"active": False}, "X000001", NotActive, "Requirement with id of 7 not active"),
    ],
)
def test_component_checks_run_in_spec_order(changes, message_crn, error, message):
    refusal = component_refusal(component(**changes), REQUIREMENT_COMPONENT, message_crn, "3")

    assert (type(refusal), refusal.message) == (error, message)


def test_licence_condition_checks_name_the_licence_condition():
    refusal = component_refusal(component(active=False), LICENCE_CONDITION_COMPONENT, "X000001", "3")

    assert (type(refusal), refusal.message) == (NotActive, "Licence Condition with id of 7 not active")


def test_active_component_of_the_message_person_and_event_passes():
    assert component_refusal(component(), REQUIREMENT_COMPONENT, "X000001", "3") is None


def test_missing_component_reasons_differ_by_kind():
    requirement, condition = REQUIREMENT_COMPONENT.missing(5), LICENCE_CONDITION_COMPONENT.missing(5)

    assert (requirement.message, requirement.properties) == ("Requirement not found or soft deleted in delius", {})
    assert (condition.message, condition.properties) == ("Requirement no longer exists", {"id": "5"})
