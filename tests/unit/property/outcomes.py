"""The one property every test checks: a valid, portable model, or the one invalid error (returned as None)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from allocations.errors import InvalidMessage
from allocations.event_types import EventType
from allocations.events import AllocationEvent, ReceivedEvent
from allocations.routes import parse_detail
from allocations.sqs_body import MalformedMessage, parse_sqs_body
from allocations.workload.dates import LONDON
from allocations.workload.details import (
    AllocationDetail,
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

BIGINT = range(-(2**63), 2**63)
EVENT_NUMBERS = range(-999_999_999, 10_000_000_000)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: object, max_length: int | None = None) -> bool:
    """Non-blank text PostgreSQL can store, within ``max_length``."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and not _UNSTORABLE.search(value)
        and (max_length is None or len(value) <= max_length)
    )


def received_or_malformed(body: str | bytes, attributes: Any = None) -> ReceivedEvent | None:
    """``parse_sqs_body``'s result, checked to travel through Celery and PostgreSQL as JSON; None when malformed."""
    try:
        received = parse_sqs_body(body, attributes)
    except MalformedMessage:
        return None
    assert storable(received.event_id, 200)
    assert storable(received.event_type, 200)
    assert isinstance(received.payload, dict)
    text = json.dumps(received.to_task_arg(), allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")  # no unpaired surrogate anywhere
    assert "\x00" not in text
    assert "\\u0000" not in text
    assert ReceivedEvent.from_task_arg(json.loads(text)) == received
    return received


def allocation_or_invalid(received: ReceivedEvent) -> AllocationEvent | None:
    """``AllocationEvent.from_received``'s result, checked against the columns it is written to; None when invalid."""
    try:
        allocation = AllocationEvent.from_received(received)
    except InvalidMessage:
        return None
    assert isinstance(allocation.event_type, EventType)
    assert allocation.event_type == received.event_type
    assert allocation.event_id == received.event_id
    assert storable(allocation.crn, 7)
    assert storable(allocation.detail_url, 2000)
    return allocation


def detail_or_invalid(body: Mapping[str, Any]) -> AllocationDetail | None:
    """``parse_detail``'s result, checked against the Delius columns it is looked up in; None when invalid."""
    try:
        detail = parse_detail(body)
    except InvalidMessage as error:
        refused = error
    else:
        return _checked_detail(body, detail)
    # The properties are stored as JSON with the dead letter.
    detail_id = refused.properties.get("detail_id")
    assert detail_id is None or storable(detail_id, 200)
    return None


def _checked_detail(body: Mapping[str, Any], detail: AllocationDetail) -> AllocationDetail:
    assert isinstance(detail, AllocationDetail)
    assert storable(detail.id)
    assert storable(detail.staff_code, 7)
    assert storable(detail.team_code, 6)
    assert detail.created_date.tzinfo is LONDON
    assert isinstance(detail.allocation_reason, AllocationReason)
    _check_kind(detail)
    # The fetch task hands the body to the write task as JSON: it must parse the same on the other side.
    assert parse_detail(json.loads(json.dumps(body))) == detail
    return detail


def _whole(value: object, allowed: range) -> bool:
    return type(value) is int and value in allowed


def _check_kind(detail: AllocationDetail) -> None:
    if isinstance(detail, PersonAllocationDetail):
        assert storable(detail.crn, 7)
        return
    assert _whole(getattr(detail, "event_number", None), EVENT_NUMBERS)
    if isinstance(detail, EventAllocationDetail):
        assert detail.spo_staff_code is None or storable(detail.spo_staff_code, 7)
        notes = detail.spo_oversight_notes
        assert notes is None or (isinstance(notes, str) and not _UNSTORABLE.search(notes))
        assert detail.sensitive_oversight_notes in {None, True, False}
    elif isinstance(detail, RequirementAllocationDetail):
        assert _whole(detail.requirement_id, BIGINT)
    else:
        assert isinstance(detail, LicenceConditionAllocationDetail)
        assert _whole(detail.licence_condition_id, BIGINT)
