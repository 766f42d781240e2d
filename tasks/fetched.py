"""What the fetch subtask hands the write subtask: the detail, parsed once, and the attempts the fetch took.

It travels through the broker as JSON, typed: kombu's JSON serialiser encodes and decodes it with the functions
registered here (the detail's date-time by kombu's own datetime support), so the write subtask receives a
``Fetched`` and never parses the detail again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from kombu.utils.json import register_type

from allocations.routes import route_for, route_of
from allocations.workload.dates import LONDON
from allocations.workload.details import AllocationDetail, AllocationReason

MARKER = "allocations.fetched"


@dataclass(frozen=True)
class Fetched:
    """A detail read from Workload, and how many attempts its fetch subtask made (its retries + 1)."""

    detail: AllocationDetail
    attempts: int


def encode(fetched: Fetched) -> dict[str, Any]:
    """The JSON-able form: the detail's type (its route's event type), its fields and the attempts."""
    detail = fetched.detail
    fields = {field.name: getattr(detail, field.name) for field in dataclasses.fields(detail)}
    fields["allocation_reason"] = detail.allocation_reason.value
    return {"event_type": route_of(detail).event_type.value, "detail": fields, "attempts": fetched.attempts}


def decode(value: dict[str, Any]) -> Fetched:
    """Inverse of ``encode``; the fields were validated when the detail was parsed, so they are not checked again."""
    route = route_for(value["event_type"])
    if route is None:
        raise ValueError(f"No route for detail type {value['event_type']!r}")
    fields = dict(value["detail"])
    fields["allocation_reason"] = AllocationReason(fields["allocation_reason"])
    # JSON keeps the instant and its offset; the detail's date-time is in Europe/London, as parsing made it.
    fields["created_date"] = fields["created_date"].astimezone(LONDON)
    return Fetched(route.detail_class(**fields), int(value["attempts"]))


register_type(Fetched, MARKER, encode, decode)
