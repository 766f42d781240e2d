import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from json_strategies import json_objects, json_values, mutated
from outcomes import detail_or_invalid
from property_settings import examples
from valid_documents import event_details, licence_condition_details, person_details, requirement_details

from allocations.workload.details import (
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)

COMMON_FIELDS = ["id", "staffCode", "teamCode", "createdDate", "allocationReason"]
KINDS = {
    "person": (person_details, PersonAllocationDetail, ["crn"]),
    "event": (
        event_details,
        EventAllocationDetail,
        ["eventNumber", "spoStaffCode", "spoOversightNotes", "sensitiveOversightNotes"],
    ),
    "requirement": (requirement_details, RequirementAllocationDetail, ["eventNumber", "requirementId"]),
    "licence condition": (
        licence_condition_details,
        LicenceConditionAllocationDetail,
        ["eventNumber", "licenceConditionId"],
    ),
}
TYPE_KEYS = st.sampled_from(["crn", "requirementId", "licenceConditionId", "eventNumber"])


@settings(max_examples=examples(600))
@given(json_values | json_objects)
def test_any_json_value_is_a_detail_or_invalid(body):
    detail_or_invalid(body)


@settings(max_examples=examples(600))
@given(st.builds(lambda body, key, value: {**body, key: value}, json_objects, TYPE_KEYS, json_values))
def test_any_object_with_a_type_key_is_a_detail_or_invalid(body):
    detail_or_invalid(body)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=examples(100))
@given(data=st.data())
def test_valid_details_of_each_kind_parse(kind, data):
    details, detail_class, _ = KINDS[kind]
    assert isinstance(detail_or_invalid(data.draw(details)), detail_class)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=examples(500))
@given(data=st.data())
def test_details_of_each_kind_with_one_wrong_field_are_a_detail_or_invalid(kind, data):
    details, _, fields = KINDS[kind]
    detail_or_invalid(data.draw(mutated(details, COMMON_FIELDS + fields)))
