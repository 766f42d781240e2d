import json

import pytest

from allocations.errors import InvalidMessage
from allocations.event_types import EventType
from allocations.events import AllocationEvent, MalformedMessage, ReceivedEvent, parse_sqs_body

DOMAIN_EVENT = {
    "eventType": "event.manager.allocated",
    "version": 1,
    "description": "Event allocated event",
    "detailUrl": "https://workload.example/allocation/event/3f1c2a9e-8b7d-4e6f-a1b2-c3d4e5f60718",
    "occurredAt": "2025-03-04T14:05:09.118+00:00",
    "additionalInformation": {"allocationId": "3f1c2a9e-8b7d-4e6f-a1b2-c3d4e5f60718"},
    "personReference": {"identifiers": [{"type": "NOMS", "value": "A1234BC"}, {"type": "CRN", "value": "A987654"}]},
}


def sns_body(event: dict, **extra) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "0b6f3c2e-1d5a-4a57-9a0e-5b7d2e1f9c44",
            "TopicArn": "arn:aws:sns:eu-west-2:000000000000:hmppsdomaintopic",
            "Message": json.dumps(event),
            "MessageAttributes": {"eventType": {"Type": "String", "Value": event.get("eventType", "")}},
            **extra,
        }
    )


def test_sns_notification_yields_the_domain_event_with_the_sns_message_id():
    received = parse_sqs_body(sns_body(DOMAIN_EVENT))
    assert received.event_id == "0b6f3c2e-1d5a-4a57-9a0e-5b7d2e1f9c44"
    assert received.event_type == "event.manager.allocated"
    assert received.payload == DOMAIN_EVENT


def test_minimal_dev_fixture_with_only_message_id_message_and_attributes_parses():
    body = json.dumps({"MessageId": "m-1", "Message": json.dumps(DOMAIN_EVENT), "MessageAttributes": {}})
    assert parse_sqs_body(body).event_type == "event.manager.allocated"


def test_event_type_falls_back_to_the_sns_attribute():
    event = {k: v for k, v in DOMAIN_EVENT.items() if k != "eventType"}
    body = json.dumps(
        {
            "MessageId": "m-2",
            "Message": json.dumps(event),
            "MessageAttributes": {"eventType": {"Type": "String", "Value": "requirement.manager.allocated"}},
        }
    )
    assert parse_sqs_body(body).event_type == "requirement.manager.allocated"


def test_bare_event_gets_a_stable_id_from_its_canonical_body():
    first = parse_sqs_body(json.dumps(DOMAIN_EVENT))
    reordered = parse_sqs_body(json.dumps(dict(reversed(list(DOMAIN_EVENT.items())))))
    assert first.event_id == reordered.event_id
    assert len(first.event_id) == 64


def test_raw_delivery_takes_the_event_type_from_the_sqs_message_attribute():
    event = {k: v for k, v in DOMAIN_EVENT.items() if k != "eventType"}
    attributes = {"eventType": {"StringValue": "person.community.manager.allocated", "DataType": "String"}}
    assert parse_sqs_body(json.dumps(event), attributes).event_type == "person.community.manager.allocated"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "SQS body is not JSON"),
        ("[1, 2]", "SQS body is not a JSON object"),
        (json.dumps({"MessageId": "m", "Message": "{oops"}), "SNS Message is not JSON"),
        (json.dumps({"Message": json.dumps(DOMAIN_EVENT)}), "Invalid SNS notification"),
        (json.dumps({"detailUrl": "https://x/"}), "No eventType"),
    ],
)
def test_unreadable_bodies_are_malformed(body, message):
    with pytest.raises(MalformedMessage, match=message):
        parse_sqs_body(body)


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
