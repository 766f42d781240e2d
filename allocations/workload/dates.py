"""Workload's ``createdDate``: ISO-8601 with up to nanoseconds, optional offset and region, read as Europe/London."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from marshmallow import fields

LONDON = ZoneInfo("Europe/London")

_ISO = re.compile(
    r"(?P<local>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)"
    r"(?:\.(?P<fraction>\d{1,9}))?"
    r"(?P<offset>Z|[+-]\d{2}:\d{2}(?::\d{2})?)?"
    r"(?:\[(?P<region>[A-Za-z0-9_+\-/]+)\])?",
    re.ASCII,
)


def parse_london_datetime(text: str) -> datetime:
    """The instant ``text`` names, in Europe/London; a value without offset or region is London local time.

    Raises ValueError when ``text`` is not such a date-time, or names an instant Python cannot hold in both UTC and
    Europe/London (the first and last hours of the calendar).
    """
    match = _ISO.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an ISO-8601 date-time: {text!r}")
    # Python keeps microseconds: nanoseconds are truncated, never rounded up into the next second.
    micros = (match["fraction"] or "").ljust(6, "0")[:6]
    local = datetime.fromisoformat(f"{match['local']}.{micros}")
    zone = _zone(match["region"])
    if match["offset"]:
        offset = "+00:00" if match["offset"] == "Z" else match["offset"]
        instant = datetime.fromisoformat(f"{local.isoformat()}{offset}")
    else:
        instant = local.replace(tzinfo=zone)
    try:
        # Via UTC because astimezone(tz) returns self unchanged when tz is already the value's zone; the hop moves a
        # local time in a spring-forward gap past the gap, as java.time does.
        return instant.astimezone(UTC).astimezone(LONDON)
    except OverflowError:
        raise ValueError(f"date-time beyond the calendar: {text!r}") from None


def _zone(region: str | None) -> ZoneInfo:
    if region is None:
        return LONDON
    # Only known names reach ZoneInfo: it recurses on long paths and caches every key it is given.
    if region not in _regions():
        raise ValueError(f"unknown time zone region: {region[:100]!r}")
    return ZoneInfo(region)


@cache
def _regions() -> frozenset[str]:
    return frozenset(available_timezones())


class LondonDateTime(fields.Field[datetime]):
    """A marshmallow field for ``parse_london_datetime``."""

    default_error_messages = {"invalid": "Not a valid ISO-8601 date-time."}  # noqa: RUF012 - marshmallow's API

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:  # noqa: ARG002
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_london_datetime(value)
        except ValueError:
            raise self.make_error("invalid") from None
