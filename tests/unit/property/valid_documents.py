"""Strategies for valid domain events, SNS envelopes and allocation details, before any mutation."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from allocations.event_types import EventType
from allocations.workload.details import AllocationReason

_CODE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def codes(max_length: int) -> st.SearchStrategy[str]:
    return st.text(_CODE_CHARS, min_size=1, max_size=max_length)


event_types = st.sampled_from([member.value for member in EventType])
_URL_PREFIXES = [
    f"{origin}/allocation/{kind}/"
    for origin in ["https://workload.example", "http://127.0.0.1:8090"]
    for kind in ["person", "event", "requirements", "licence-conditions"]
]
detail_urls = st.builds("{}{}".format, st.sampled_from(_URL_PREFIXES), st.uuids().map(str))
plain_texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
_other_identifiers = st.lists(
    st.fixed_dictionaries({"type": st.sampled_from(["NOMS", "PNC"]), "value": codes(10)}), max_size=1
)
identifiers = st.builds(lambda others, crn: [*others, {"type": "CRN", "value": crn}], _other_identifiers, codes(7))

domain_events = st.fixed_dictionaries(
    {"detailUrl": detail_urls, "personReference": identifiers.map(lambda found: {"identifiers": found})},
    optional={
        "eventType": event_types,
        "description": st.sampled_from(["Person allocated event", "Event allocated event", "", "\u00e9v\u00e9nement"]),
    },
)


def _envelope(event: dict[str, Any], message_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
    event_type = event.get("eventType")
    if event_type is not None:
        attributes = {**attributes, "eventType": {"Type": "String", "Value": event_type}}
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "Message": json.dumps(event),
        "MessageAttributes": attributes,
    }


sns_envelopes = st.builds(
    _envelope,
    domain_events,
    st.uuids().map(str),
    st.fixed_dictionaries({"eventType": event_types.map(lambda value: {"Type": "String", "Value": value})}),
)

_OFFSETS = ["Z", "+01:00", "-05:30", "", "Z[Europe/London]", "+00:00[UTC]"]
created_dates = st.builds(
    lambda moment, offset: moment.isoformat() + offset,
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),  # noqa: DTZ001 - local times
    st.sampled_from(_OFFSETS),
)
reasons = st.none() | st.sampled_from([reason.value for reason in AllocationReason]) | st.text(max_size=10)
_common = {
    "id": st.uuids().map(str),
    "staffCode": codes(7),
    "teamCode": codes(6),
    "createdDate": created_dates,
}
_optional = {"allocationReason": reasons}
event_numbers = st.integers(min_value=1, max_value=9_999_999_999)
delius_ids = st.integers(min_value=1, max_value=2**63 - 1)

person_details = st.fixed_dictionaries({**_common, "crn": codes(7)}, optional=_optional)
event_details = st.fixed_dictionaries(
    {**_common, "eventNumber": event_numbers},
    optional={
        **_optional,
        "spoStaffCode": st.none() | codes(7) | st.just("  "),
        "spoOversightNotes": st.none() | plain_texts,
        "sensitiveOversightNotes": st.none() | st.booleans(),
    },
)
requirement_details = st.fixed_dictionaries(
    {**_common, "eventNumber": event_numbers, "requirementId": delius_ids}, optional=_optional
)
licence_condition_details = st.fixed_dictionaries(
    {**_common, "eventNumber": event_numbers, "licenceConditionId": delius_ids}, optional=_optional
)
