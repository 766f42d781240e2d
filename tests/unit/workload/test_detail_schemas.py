from datetime import datetime, timedelta

import pytest

from allocations.errors import InvalidMessage
from allocations.workload.dates import LONDON
from allocations.workload.details import (
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)
from allocations.workload.schemas import parse_detail

COMMON = {
    "id": "9a1e0c55-2f4b-4d0e-8b61-77c3a2d9e001",
    "staffCode": "C01T04A",
    "teamCode": "C01T04",
    "createdDate": "2025-03-04T14:05:09.118Z",
}


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


@pytest.mark.parametrize("missing", ["id", "staffCode", "teamCode", "createdDate"])
def test_missing_common_field_is_invalid_and_named(missing):
    body = {key: value for key, value in COMMON.items() if key != missing}

    with pytest.raises(InvalidMessage, match=rf"Invalid person allocation detail: {missing}: Missing data"):
        parse_detail({**body, "crn": "A987654"})


def test_missing_requirement_event_number_is_invalid():
    with pytest.raises(InvalidMessage, match="Invalid requirement allocation detail: eventNumber: Missing data"):
        parse_detail({**COMMON, "requirementId": 4412089})


def test_every_problem_is_listed_in_one_readable_line():
    with pytest.raises(InvalidMessage) as raised:
        parse_detail({**COMMON, "crn": None, "staffCode": "", "createdDate": "yesterday"})

    assert raised.value.message == (
        "Invalid person allocation detail: createdDate: Not a valid ISO-8601 date-time.; "
        "crn: Field may not be null.; staffCode: Must not be blank."
    )


def test_non_integer_event_number_is_invalid():
    with pytest.raises(InvalidMessage, match="eventNumber: Not a valid integer"):
        parse_detail({**COMMON, "eventNumber": "three"})


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


PERSON = {**COMMON, "crn": "A987654"}
EVENT = {**COMMON, "eventNumber": 3, "spoStaffCode": "C01T04S", "spoOversightNotes": "Reviewed"}
REQUIREMENT = {**COMMON, "eventNumber": 3, "requirementId": 4412089}
LICENCE_CONDITION = {**COMMON, "eventNumber": 2, "licenceConditionId": 771}
ALL_TYPES = [PERSON, EVENT, REQUIREMENT, LICENCE_CONDITION]
BIGINT_MAX = 2**63 - 1


def test_created_date_beyond_the_calendar_is_invalid():
    with pytest.raises(InvalidMessage, match="createdDate: Not a valid ISO-8601 date-time"):
        parse_detail({**PERSON, "createdDate": "9999-12-31T23:59:59-01:00"})


@pytest.mark.parametrize("body", ALL_TYPES)
@pytest.mark.parametrize("field", ["id", "staffCode", "teamCode"])
@pytest.mark.parametrize("blank", ["", " ", "\t\n "])
def test_blank_codes_are_invalid(body, field, blank):
    with pytest.raises(InvalidMessage, match=f"{field}: Must not be blank"):
        parse_detail({**body, field: blank})


def test_blank_crn_is_invalid():
    with pytest.raises(InvalidMessage, match="crn: Must not be blank"):
        parse_detail({**PERSON, "crn": "   "})


@pytest.mark.parametrize(
    ("body", "field", "length"),
    [
        (PERSON, "staffCode", 7),
        (PERSON, "teamCode", 6),
        (PERSON, "crn", 7),
        (EVENT, "spoStaffCode", 7),
    ],
)
def test_codes_longer_than_their_delius_column_are_invalid(body, field, length):
    assert parse_detail({**body, field: "X" * length})
    with pytest.raises(InvalidMessage, match=f"{field}: Longer than maximum length {length}"):
        parse_detail({**body, field: "X" * (length + 1)})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (EVENT, "eventNumber"),
        (REQUIREMENT, "eventNumber"),
        (REQUIREMENT, "requirementId"),
        (LICENCE_CONDITION, "eventNumber"),
        (LICENCE_CONDITION, "licenceConditionId"),
    ],
)
@pytest.mark.parametrize("number", [1.5, -0.5, 3.000001, True, False, "1.5", " 3", "1_000", "\u0663", [3], {"n": 3}])
def test_numbers_that_are_not_whole_are_invalid(body, field, number):
    with pytest.raises(InvalidMessage, match=f"{field}: Not a valid integer"):
        parse_detail({**body, field: number})


@pytest.mark.parametrize("number", [3, 3.0, "3"])
def test_whole_numbers_as_integers_integral_numbers_or_digits(number):
    detail = parse_detail({**REQUIREMENT, "eventNumber": number})
    assert isinstance(detail, RequirementAllocationDetail)
    assert detail.event_number == 3
    assert type(detail.event_number) is int


@pytest.mark.parametrize(
    ("body", "field", "lowest", "highest"),
    [
        (EVENT, "eventNumber", -999_999_999, 9_999_999_999),
        (REQUIREMENT, "requirementId", -BIGINT_MAX - 1, BIGINT_MAX),
        (LICENCE_CONDITION, "licenceConditionId", -BIGINT_MAX - 1, BIGINT_MAX),
    ],
)
def test_numbers_must_fit_their_delius_column(body, field, lowest, highest):
    assert parse_detail({**body, field: lowest})
    assert parse_detail({**body, field: highest})
    for outside in [lowest - 1, highest + 1, 10**4000, float(highest) * 2, str(highest + 1)]:
        with pytest.raises(InvalidMessage, match=f"{field}: "):
            parse_detail({**body, field: outside})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spoOversightNotes", "notes\x00"),
        ("spoOversightNotes", "notes \ud83d"),
        ("staffCode", "C01\x00"),
        ("id", "\udc00"),
    ],
)
def test_text_that_postgresql_cannot_store_is_invalid(field, value):
    with pytest.raises(InvalidMessage, match=f"{field}: Must not hold an unpaired surrogate or NUL"):
        parse_detail({**EVENT, field: value})


@pytest.mark.parametrize("value", [None, "S" * 8, 42, ["C01T04S"]])
def test_sensitive_oversight_and_spo_fields_of_the_wrong_type_are_invalid(value):
    body = {**EVENT, "sensitiveOversightNotes": [True], "spoStaffCode": value}
    with pytest.raises(InvalidMessage, match="sensitiveOversightNotes"):
        parse_detail(body)


@pytest.mark.parametrize("detail_id", [{"a": 1}, "x" * 10_000, "bad\x00"])
def test_an_unusable_detail_id_is_left_out_of_the_error_properties(detail_id):
    with pytest.raises(InvalidMessage) as raised:
        parse_detail({**PERSON, "id": detail_id, "staffCode": None})
    assert raised.value.properties == {"detail_id": None}
