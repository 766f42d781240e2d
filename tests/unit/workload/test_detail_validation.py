"""Details refused as invalid: missing, blank, malformed, or too large for their Delius column, every problem named."""

import pytest
from detail_bodies import ALL_TYPES, COMMON, EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT

from allocations.errors import InvalidMessage
from allocations.routes import parse_detail
from allocations.workload.details import RequirementAllocationDetail


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
