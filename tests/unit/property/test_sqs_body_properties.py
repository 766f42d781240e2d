import json

from hypothesis import given, settings
from hypothesis import strategies as st
from json_strategies import (
    hostile_texts,
    json_object_texts,
    json_objects,
    json_texts,
    json_values,
    mutated,
    wrong_values,
)
from outcomes import allocation_or_invalid, received_or_malformed
from property_settings import examples
from valid_documents import domain_events, event_types, sns_envelopes

SNS_FIELDS = ["MessageId", "Message", "MessageAttributes"]
bodies_as_sent = st.sampled_from([str, lambda text: text.encode("utf-8", "surrogatepass")])


@settings(max_examples=examples(1_000))
@given(st.text(max_size=100) | hostile_texts | json_texts | json_object_texts)
def test_any_text_is_an_event_or_malformed(body):
    received_or_malformed(body)


@settings(max_examples=examples(600))
@given(st.binary(max_size=200) | json_object_texts.map(lambda text: text.encode("utf-8", "surrogatepass")))
def test_any_bytes_are_an_event_or_malformed(body):
    received_or_malformed(body)


@settings(max_examples=examples(800))
@given(json_values | json_objects, bodies_as_sent)
def test_any_json_document_is_an_event_or_malformed(document, send):
    received_or_malformed(send(json.dumps(document)))


@settings(max_examples=examples(800))
@given(mutated(sns_envelopes, SNS_FIELDS), bodies_as_sent)
def test_sns_envelopes_with_any_field_value_are_an_event_or_malformed(envelope, send):
    received = received_or_malformed(send(json.dumps(envelope)))
    if received is not None:
        allocation_or_invalid(received)


@settings(max_examples=examples(400))
@given(
    st.fixed_dictionaries(
        {"MessageId": st.uuids().map(str) | wrong_values},
        optional={"Message": json_object_texts | json_texts, "MessageAttributes": json_values},
    )
)
def test_sns_envelopes_around_hostile_messages_are_an_event_or_malformed(envelope):
    received_or_malformed(json.dumps(envelope))


attribute_maps = json_values | st.dictionaries(
    st.sampled_from(["eventType", "traceparent"]),
    st.fixed_dictionaries({"StringValue": event_types | wrong_values, "DataType": st.just("String")})
    | st.fixed_dictionaries({"Value": event_types | wrong_values})
    | wrong_values,
)


@settings(max_examples=examples(700))
@given(mutated(domain_events, ["eventType", "detailUrl"]), attribute_maps)
def test_raw_delivery_with_any_attributes_is_an_event_or_malformed(event, attributes):
    received = received_or_malformed(json.dumps(event), attributes)
    if received is not None:
        allocation_or_invalid(received)


@settings(max_examples=examples(300))
@given(sns_envelopes, bodies_as_sent)
def test_valid_sns_notifications_are_allocations(envelope, send):
    received = received_or_malformed(send(json.dumps(envelope)))
    assert received is not None
    assert received.event_id == envelope["MessageId"]
    allocation = allocation_or_invalid(received)
    assert allocation is not None


@settings(max_examples=examples(300))
@given(domain_events.map(lambda event: {k: v for k, v in event.items() if k != "eventType"}), event_types)
def test_valid_raw_deliveries_are_allocations(event, event_type):
    received = received_or_malformed(json.dumps(event), {"eventType": {"StringValue": event_type}})
    assert received is not None
    assert received.event_type == event_type
    assert allocation_or_invalid(received) is not None
