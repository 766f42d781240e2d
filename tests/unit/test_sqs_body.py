"""Reading an SQS body (SNS notification or raw delivery) into a received event, or refusing it as malformed."""

import json

import pytest
from domain_events import DOMAIN_EVENT, raw_event, sns_body

from allocations.sqs_body import MAX_BODY_BYTES, MalformedMessage, parse_sqs_body


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


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a":' * 50 + "1" + "}" * 50, "nested too deeply"),
        ('{"eventType": "x", "n": ' + "9" * 5_000 + "}", "SQS body is not JSON"),
        (b'{"eventType": "\xff"}', "SQS body is not UTF-8"),
        ('{"eventType": "x", "n": NaN}', "SQS body is not JSON"),
        ('{"eventType": "x", "n": -Infinity}', "SQS body is not JSON"),
        ('{"eventType": "x", "n": 1e400}', "SQS body is not JSON"),
        ('{"eventType": "x", "n": "\\ud800"}', "unpaired surrogate or NUL"),
        ('{"eventType": "x", "\\u0000": 1}', "unpaired surrogate or NUL"),
        (json.dumps({"MessageId": "m", "Message": json.dumps({"eventType": "x", "n": "\x00"})}), "surrogate or NUL"),
    ],
)
def test_bodies_that_json_or_postgresql_cannot_carry_are_malformed(body, message):
    with pytest.raises(MalformedMessage, match=message):
        parse_sqs_body(body)


def test_bodies_over_the_sqs_maximum_are_malformed():
    padding = "x" * (MAX_BODY_BYTES - len(json.dumps(raw_event(pad=""))))
    at_limit = json.dumps(raw_event(pad=padding))
    assert len(at_limit.encode()) == MAX_BODY_BYTES
    assert parse_sqs_body(at_limit).payload["pad"] == padding
    over = json.dumps(raw_event(pad=padding[:-1] + "é"), ensure_ascii=False)
    with pytest.raises(MalformedMessage, match="larger than"):
        parse_sqs_body(over)
    with pytest.raises(MalformedMessage, match="larger than"):
        parse_sqs_body(over.encode())


@pytest.mark.parametrize("attributes", [["eventType"], "eventType", 42, {"eventType": 7}, {"eventType": {"Value": []}}])
def test_garbage_message_attributes_are_ignored(attributes):
    bare = json.dumps(raw_event(eventType=None))
    with pytest.raises(MalformedMessage, match="No eventType"):
        parse_sqs_body(bare, attributes)
    assert parse_sqs_body(json.dumps(DOMAIN_EVENT), attributes).event_type == DOMAIN_EVENT["eventType"]


@pytest.mark.parametrize(
    "envelope",
    [
        {"MessageId": "m", "Message": 5},
        {"MessageId": {"id": 1}, "Message": json.dumps(DOMAIN_EVENT)},
        {"MessageId": "m", "Message": json.dumps(DOMAIN_EVENT), "MessageAttributes": [1]},
        {"MessageId": "m", "Message": json.dumps(DOMAIN_EVENT), "MessageAttributes": None},
        {"MessageId": "m", "Message": json.dumps([DOMAIN_EVENT])},
        {"MessageId": "   ", "Message": json.dumps(DOMAIN_EVENT)},
        {"MessageId": "m", "Message": json.dumps(raw_event(eventType=None)), "MessageAttributes": {"eventType": {}}},
    ],
)
def test_sns_envelopes_with_wrong_field_types_are_malformed(envelope):
    with pytest.raises(MalformedMessage):
        parse_sqs_body(json.dumps(envelope))


def test_message_id_and_event_type_must_fit_their_columns():
    fits = parse_sqs_body(sns_body(raw_event(eventType="t" * 200), MessageId="m" * 200))
    assert (len(fits.event_id), len(fits.event_type)) == (200, 200)
    with pytest.raises(MalformedMessage, match="MessageId"):
        parse_sqs_body(sns_body(DOMAIN_EVENT, MessageId="m" * 201))
    with pytest.raises(MalformedMessage, match="eventType"):
        parse_sqs_body(sns_body(raw_event(eventType="t" * 201)))
    with pytest.raises(MalformedMessage, match="eventType"):
        parse_sqs_body(json.dumps(raw_event(eventType=None)), {"eventType": {"StringValue": "t" * 201}})


def test_event_type_from_attributes_must_be_clean_text():
    with pytest.raises(MalformedMessage, match="eventType"):
        parse_sqs_body(json.dumps(raw_event(eventType=None)), {"eventType": {"StringValue": "x\ud800"}})
