"""A dead-letter filter read from text: the dashboard's query string, the JSON API's ``filter`` and the CLI options."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from allocations.state.records import FILTER_FIELDS, DeadLetterFilter, DeadLetterStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

_STATUSES = frozenset(s.value for s in DeadLetterStatus)
_CODES = ("crn", "team", "staff")


class FilterError(ValueError):
    """A filter field that cannot be read; the message names the field."""


def parse_filter(fields: Mapping[str, Any]) -> DeadLetterFilter:
    """The filter ``fields`` describes (blank and missing fields mean any); unknown names are a ``FilterError``.

    Codes (CRN, team, staff) are upper-cased; times are ISO 8601 (a date alone is its midnight in UTC, and as
    ``failed_until`` the end of that day); ``min_attempts`` is a whole number.
    """
    unknown = sorted(set(fields) - set(FILTER_FIELDS))
    if unknown:
        raise FilterError(f"unknown filter field(s): {', '.join(unknown)}")
    text = {name: _text(fields.get(name)) for name in FILTER_FIELDS}
    status = text["status"]
    if status and status not in _STATUSES:
        raise FilterError(f"status must be one of {', '.join(sorted(_STATUSES))}")
    for code in _CODES:
        value = text[code]
        text[code] = value.upper() if value else None
    return DeadLetterFilter(
        status=status,
        event_type=text["event_type"],
        crn=text["crn"],
        error_class=text["error_class"],
        error_text=text["error_text"],
        team=text["team"],
        staff=text["staff"],
        failed_from=_instant("failed_from", text["failed_from"], end_of_day=False),
        failed_until=_instant("failed_until", text["failed_until"], end_of_day=True),
        min_attempts=_whole("min_attempts", text["min_attempts"]),
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def _instant(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    try:
        if len(value) == len("2024-01-31"):
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name} must be a date or an ISO 8601 time") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _whole(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise FilterError(f"{name} must be a whole number") from None
    if number < 0:
        raise FilterError(f"{name} must not be negative")
    return number
