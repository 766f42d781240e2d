"""Which allocation a Workload detail is, and the defaults it gets when fields are absent or unknown."""

from datetime import datetime, timedelta

import pytest
from detail_bodies import COMMON

from allocations.errors import InvalidMessage
from allocations.routes import parse_detail
from allocations.workload.dates import LONDON
from allocations.workload.details import (
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)


def test_detail_with_crn_is_a_person_allocation():
    detail = parse_detail({**COMMON, "crn": "A987654", "allocationReason": "OFFICER_LEFT"})

    assert detail == PersonAllocationDetail(
        id=COMMON["id"],
        staff_code="C01T04A",
        team_code="C01T04",
        created_date=datetime(2025, 3, 4, 14, 5, 9, 118000, tzinfo=LONDON),
        allocation_reason=AllocationReason.OFFICER_LEFT,
        crn="A987654",
    )


def test_detail_with_requirement_id_is_a_requirement_allocation_even_with_an_event_number():
    detail = parse_detail({**COMMON, "eventNumber": 3, "requirementId": 4412089})

    assert isinstance(detail, RequirementAllocationDetail)
    assert (detail.event_number, detail.requirement_id) == (3, 4412089)


def test_detail_with_licence_condition_id_is_a_licence_condition_allocation():
    detail = parse_detail({**COMMON, "eventNumber": 2, "licenceConditionId": 771})

    assert isinstance(detail, LicenceConditionAllocationDetail)
    assert (detail.event_number, detail.licence_condition_id) == (2, 771)


def test_detail_with_only_an_event_number_is_an_event_allocation_with_oversight():
    detail = parse_detail(
        {
            **COMMON,
            "eventNumber": 3,
            "spoStaffCode": "C01T04S",
            "spoOversightNotes": "Reviewed caseload before allocating",
            "sensitiveOversightNotes": False,
        }
    )

    assert isinstance(detail, EventAllocationDetail)
    assert detail.event_number == 3
    assert detail.spo_staff_code == "C01T04S"
    assert detail.spo_oversight_notes == "Reviewed caseload before allocating"
    assert detail.sensitive_oversight_notes is False


def test_crn_wins_over_every_other_type_key():
    detail = parse_detail({**COMMON, "crn": "A987654", "eventNumber": 3, "requirementId": 1})

    assert isinstance(detail, PersonAllocationDetail)


def test_detail_without_any_type_key_is_an_unexpected_response():
    with pytest.raises(InvalidMessage, match=r"^Unexpected response from allocation service$"):
        parse_detail(COMMON)


def test_non_object_detail_is_an_unexpected_response():
    with pytest.raises(InvalidMessage, match="Unexpected response from allocation service"):
        parse_detail(["not", "an", "object"])  # type: ignore[arg-type]


def test_unknown_fields_and_event_aliases_are_ignored():
    detail = parse_detail(
        {
            **COMMON,
            "eventNumber": 3,
            "staffId": 123,
            "createdBy": "someone",
            "providerCode": "N01",
            "personName": {"forename": "A", "surname": "B"},
            "spoName": "Ann Other",
            "eventId": 99,
            "notes": "Capacity available",
            "sensitive": True,
            "allocationJustificationNotes": "Capacity available",
            "sensitiveNotes": False,
        }
    )

    assert isinstance(detail, EventAllocationDetail)
    assert detail.spo_staff_code is None


def test_null_or_absent_sensitive_oversight_stays_none_for_the_domain_to_decide():
    absent = parse_detail({**COMMON, "eventNumber": 3})
    null = parse_detail({**COMMON, "eventNumber": 3, "sensitiveOversightNotes": None, "spoOversightNotes": None})

    assert isinstance(absent, EventAllocationDetail)
    assert isinstance(null, EventAllocationDetail)
    assert absent.sensitive_oversight_notes is None
    assert null.sensitive_oversight_notes is None
    assert null.spo_oversight_notes is None


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("CHANGE_OF_ADDRESS", AllocationReason.CHANGE_OF_ADDRESS),
        ("PROBATION_RESET", AllocationReason.PROBATION_RESET),
        (None, AllocationReason.INITIAL_ALLOCATION),
        ("", AllocationReason.INITIAL_ALLOCATION),
        ("   ", AllocationReason.INITIAL_ALLOCATION),
        ("SOMETHING_NEW", AllocationReason.INITIAL_ALLOCATION),
        (42, AllocationReason.INITIAL_ALLOCATION),
    ],
)
def test_allocation_reason_falls_back_to_initial_allocation(reason, expected):
    detail = parse_detail({**COMMON, "crn": "A987654", "allocationReason": reason})

    assert detail.allocation_reason is expected


def test_absent_allocation_reason_is_initial_allocation():
    assert parse_detail({**COMMON, "crn": "A987654"}).allocation_reason is AllocationReason.INITIAL_ALLOCATION


def test_created_date_is_the_london_instant():
    detail = parse_detail({**COMMON, "crn": "A987654", "createdDate": "2025-07-01T09:30:00Z"})

    assert detail.created_date == datetime(2025, 7, 1, 10, 30, tzinfo=LONDON)
    assert detail.created_date.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_spo_staff_code_means_no_spo(blank):
    body = {
        "id": "e-1",
        "staffCode": "N01A001",
        "teamCode": "N01T01",
        "createdDate": "2025-03-04T14:05:09Z",
        "eventNumber": 3,
        "spoStaffCode": blank,
    }
    assert parse_detail(body).spo_staff_code is None
