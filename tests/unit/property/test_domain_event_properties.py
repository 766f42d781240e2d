from hypothesis import given, settings
from hypothesis import strategies as st
from json_strategies import json_objects, json_values, mutated, texts, wrong_values
from outcomes import allocation_or_invalid
from property_settings import examples
from valid_documents import domain_events, event_types

from allocations.events import ReceivedEvent

EVENT_FIELDS = ["eventType", "detailUrl", "personReference", "version", "occurredAt", "additionalInformation"]


def with_identifier(event, identifier):
    return {**event, "personReference": {"identifiers": [identifier, *event["personReference"]["identifiers"]]}}


@settings(max_examples=examples(800))
@given(event_types | texts, json_objects)
def test_any_payload_is_an_allocation_or_invalid(event_type, payload):
    allocation_or_invalid(ReceivedEvent("id", event_type, payload))


@settings(max_examples=examples(600))
@given(event_types, mutated(domain_events, EVENT_FIELDS))
def test_domain_events_with_one_wrong_field_are_an_allocation_or_invalid(event_type, payload):
    allocation_or_invalid(ReceivedEvent("id", event_type, payload))


@settings(max_examples=examples(600))
@given(
    event_types,
    domain_events,
    st.fixed_dictionaries({"type": st.just("CRN") | wrong_values, "value": wrong_values}) | json_values,
)
def test_domain_events_with_a_wrong_identifier_are_an_allocation_or_invalid(event_type, event, identifier):
    allocation_or_invalid(ReceivedEvent("id", event_type, with_identifier(event, identifier)))
