from datetime import UTC, datetime, timedelta

import pytest

from allocations.workload.dates import LONDON, parse_london_datetime


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-03-04T14:05:09.118Z", datetime(2025, 3, 4, 14, 5, 9, 118000, tzinfo=UTC)),
        ("2025-06-04T14:05:09.118+01:00", datetime(2025, 6, 4, 13, 5, 9, 118000, tzinfo=UTC)),
        ("2025-06-04T14:05:09.118-05:30", datetime(2025, 6, 4, 19, 35, 9, 118000, tzinfo=UTC)),
        ("2025-06-04T14:05:09+01:00[Europe/London]", datetime(2025, 6, 4, 13, 5, 9, tzinfo=UTC)),
        ("2025-06-04T14:05:09Z[UTC]", datetime(2025, 6, 4, 14, 5, 9, tzinfo=UTC)),
        ("2025-06-04T14:05Z", datetime(2025, 6, 4, 14, 5, tzinfo=UTC)),
        ("2025-01-10T08:00:00.5", datetime(2025, 1, 10, 8, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_each_iso_form_is_read_as_the_instant_it_names(text, utc):
    parsed = parse_london_datetime(text)

    assert parsed == utc
    assert parsed.tzinfo is LONDON


def test_nanoseconds_are_truncated_to_microseconds_not_rounded():
    parsed = parse_london_datetime("2025-03-04T23:59:59.999999999Z")

    assert parsed == datetime(2025, 3, 4, 23, 59, 59, 999999, tzinfo=UTC)


def test_a_single_fraction_digit_is_tenths_of_a_second():
    assert parse_london_datetime("2025-03-04T10:00:00.1Z").microsecond == 100000


def test_no_offset_in_winter_is_london_local_time_at_utc():
    parsed = parse_london_datetime("2025-01-15T09:00:00")

    assert parsed.astimezone(UTC) == datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


def test_no_offset_in_summer_is_london_local_time_in_bst():
    parsed = parse_london_datetime("2025-07-15T09:00:00.123456789")

    assert parsed.astimezone(UTC) == datetime(2025, 7, 15, 8, 0, 0, 123456, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=1)
    assert (parsed.hour, parsed.minute) == (9, 0)


def test_region_without_offset_is_local_time_in_that_region():
    parsed = parse_london_datetime("2025-07-15T09:00:00[America/New_York]")

    assert parsed.astimezone(UTC) == datetime(2025, 7, 15, 13, 0, tzinfo=UTC)
    assert parsed.tzinfo is LONDON


def test_local_time_in_the_spring_forward_gap_moves_past_the_gap():
    parsed = parse_london_datetime("2025-03-30T01:30:00")

    assert (parsed.hour, parsed.minute, parsed.utcoffset()) == (2, 30, timedelta(hours=1))


def test_ambiguous_autumn_local_time_takes_the_earlier_bst_instant():
    parsed = parse_london_datetime("2025-10-26T01:30:00")

    assert parsed.astimezone(UTC) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def test_offset_instant_is_converted_into_london_time():
    parsed = parse_london_datetime("2025-07-15T23:30:00Z")

    assert (parsed.day, parsed.hour, parsed.minute) == (16, 0, 30)


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "2025-03-04", "2025-03-04 14:05:09Z", "2025-03-04T14:05:09.1234567890Z", "2025-13-01T00:00:00Z",
     "2025-03-04T14:05:09Z[Not/AZone]", "2025-03-04T14:05:09+1"],
)  # fmt: skip
def test_malformed_date_times_are_refused(text):
    with pytest.raises(ValueError):
        parse_london_datetime(text)


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:59:59-01:00",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00[Asia/Tokyo]",
        "2025-03-04T14:05:09Z[" + "A/" * 400 + "B]",
        "2025-03-04T14:05:09Z[" + "A" * 10_000 + "]",
        "\uff12\uff10\uff12\uff15-03-04T14:05:09Z",
        "2025-03-04T14:05:09.\uff11Z",
    ],
)
def test_date_times_beyond_the_calendar_or_with_unknown_regions_are_refused_as_values(text):
    with pytest.raises(ValueError):
        parse_london_datetime(text)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("9999-12-31T22:59:59Z", datetime(9999, 12, 31, 22, 59, 59, tzinfo=UTC)),
        ("0001-01-01T01:00:00Z", datetime(1, 1, 1, 1, 0, tzinfo=UTC)),
    ],
)
def test_date_times_near_the_edges_of_the_calendar_are_read(text, utc):
    assert parse_london_datetime(text) == utc
