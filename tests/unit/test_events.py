"""Allocation events: what a received event must carry to be allocated, and its round trip as a task argument."""

import json

import pytest
from domain_events import DOMAIN_EVENT, raw_event, sns_body

from allocations.errors import InvalidMessage
from allocations.event_types import EventType
from allocations.events import AllocationEvent, ReceivedEvent
from allocations.sqs_body import parse_sqs_body


def test_allocation_event_takes_the_crn_identifier_and_ignores_unknown_fields():
    allocation = AllocationEvent.from_received(parse_sqs_body(sns_body(DOMAIN_EVENT)))
    assert allocation.crn == "A987654"
    assert allocation.event_type is EventType.EVENT
    assert allocation.detail_url == DOMAIN_EVENT["detailUrl"]


def test_missing_crn_is_invalid_with_the_spec_message():
    event = {**DOMAIN_EVENT, "personReference": {"identifiers": [{"type": "NOMS", "value": "A1234BC"}]}}
    with pytest.raises(InvalidMessage, match="No CRN available in person reference"):
        AllocationEvent.from_received(parse_sqs_body(sns_body(event)))


@pytest.mark.parametrize("detail_url", [None, "", "   "])
def test_missing_or_blank_detail_url_is_invalid(detail_url):
    event = {**DOMAIN_EVENT, "detailUrl": detail_url}
    with pytest.raises(InvalidMessage, match="detailUrl"):
        AllocationEvent.from_received(parse_sqs_body(sns_body(event)))


def test_unsupported_event_type_is_invalid_for_an_allocation():
    received = ReceivedEvent("id", "probation-case.registration.added", DOMAIN_EVENT)
    with pytest.raises(InvalidMessage, match="Unsupported event type"):
        AllocationEvent.from_received(received)


def test_task_argument_round_trips():
    received = parse_sqs_body(sns_body(DOMAIN_EVENT))
    assert ReceivedEvent.from_task_arg(json.loads(json.dumps(received.to_task_arg()))) == received


def test_decoder_hints_are_plain_data():
    received = parse_sqs_body(json.dumps(raw_event(__type__="datetime", __class__="os.system")))
    assert received.payload["__type__"] == "datetime"
    assert ReceivedEvent.from_task_arg(json.loads(json.dumps(received.to_task_arg()))) == received


def test_raw_delivery_event_without_event_type_in_its_body_is_a_valid_allocation():
    attributes = {"eventType": {"StringValue": "event.manager.allocated", "DataType": "String"}}
    received = parse_sqs_body(json.dumps(raw_event(eventType=None)), attributes)

    allocation = AllocationEvent.from_received(received)

    assert allocation.event_type is EventType.EVENT
    assert allocation.crn == "A987654"


def test_received_event_type_wins_over_the_payloads():
    received = ReceivedEvent("id", "person.community.manager.allocated", raw_event(eventType=["not", "text"]))
    assert AllocationEvent.from_received(received).event_type is EventType.PERSON


def crn_event(crn: object) -> ReceivedEvent:
    event = raw_event(personReference={"identifiers": [{"type": "CRN", "value": crn}]})
    return ReceivedEvent("id", "event.manager.allocated", event)


def test_a_crn_fits_the_delius_offender_crn_column():
    assert AllocationEvent.from_received(crn_event("X123456")).crn == "X123456"


@pytest.mark.parametrize("crn", ["", "   ", "X1234567", "X12\x00", "X1\ud800", 1234567, None])
def test_a_blank_over_long_or_unwritable_crn_is_invalid(crn):
    with pytest.raises(InvalidMessage, match="CRN"):
        AllocationEvent.from_received(crn_event(crn))


def test_a_detail_url_fits_its_column():
    url = "https://workload.example/" + "a" * 1975
    assert len(url) == 2000
    received = ReceivedEvent("id", "event.manager.allocated", raw_event(detailUrl=url))
    assert AllocationEvent.from_received(received).detail_url == url
    with pytest.raises(InvalidMessage, match="detailUrl"):
        AllocationEvent.from_received(ReceivedEvent("id", "event.manager.allocated", raw_event(detailUrl=url + "a")))


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "event",
        raw_event(detailUrl=42),
        raw_event(detailUrl="https://workload.example/\x00"),
        raw_event(personReference=[]),
        raw_event(personReference={"identifiers": {"type": "CRN", "value": "X123456"}}),
        raw_event(personReference={"identifiers": ["CRN"]}),
        raw_event(personReference={"identifiers": [{"type": ["CRN"], "value": "X123456"}]}),
    ],
)
def test_payloads_of_the_wrong_shape_are_invalid(payload):
    with pytest.raises(InvalidMessage):
        AllocationEvent.from_received(ReceivedEvent("id", "event.manager.allocated", payload))
