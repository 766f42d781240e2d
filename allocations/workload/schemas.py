"""Detail bodies (``GET detailUrl``) → the frozen detail dataclasses; ``allocations/routes.py`` picks the schema."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load

from allocations.errors import InvalidMessage
from allocations.workload.dates import LondonDateTime
from allocations.workload.detail_fields import (
    BIGINT_RANGE,
    CRN_LENGTH,
    EVENT_NUMBER_RANGE,
    STAFF_CODE_LENGTH,
    TEAM_CODE_LENGTH,
    WholeNumber,
    code,
    is_writable,
    not_blank,
    text,
    writable,
)
from allocations.workload.details import (
    AllocationDetail,
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)

UNEXPECTED_RESPONSE = "Unexpected response from allocation service"
_MAX_LOGGED_ID_LENGTH = 200


class _ReasonField(fields.Field[AllocationReason]):
    """Absent, null, blank and unknown reasons all mean an initial allocation."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> AllocationReason:  # noqa: ARG002
        return AllocationReason.parse(value if isinstance(value, str) else None)


class DetailSchema(Schema):
    """Fields every detail carries; subclasses name their dataclass."""

    detail_class: ClassVar[type[AllocationDetail]]
    label: ClassVar[str]

    class Meta:
        """Fields Workload adds that the service does not read are dropped."""

        unknown = EXCLUDE

    id = fields.String(required=True, validate=[not_blank, writable])
    staff_code = code(STAFF_CODE_LENGTH, data_key="staffCode", required=True)
    team_code = code(TEAM_CODE_LENGTH, data_key="teamCode", required=True)
    created_date = LondonDateTime(data_key="createdDate", required=True)
    allocation_reason = _ReasonField(
        data_key="allocationReason", allow_none=True, load_default=AllocationReason.INITIAL_ALLOCATION
    )

    @post_load
    def make_detail(self, data: dict[str, Any], **_: Any) -> AllocationDetail:
        """Build the frozen dataclass; a null reason becomes the initial allocation."""
        data["allocation_reason"] = data.get("allocation_reason") or AllocationReason.INITIAL_ALLOCATION
        return self.detail_class(**data)


class PersonDetailSchema(DetailSchema):
    """``/allocation/person/{id}``."""

    detail_class = PersonAllocationDetail
    label = "person"

    crn = code(CRN_LENGTH, required=True)


class EventDetailSchema(DetailSchema):
    """``/allocation/event/{id}``; the old CADE fields (and their aliases) are ignored."""

    detail_class = EventAllocationDetail
    label = "event"

    event_number = WholeNumber(EVENT_NUMBER_RANGE, data_key="eventNumber", required=True)
    spo_staff_code = code(STAFF_CODE_LENGTH, data_key="spoStaffCode", allow_none=True, load_default=None)
    spo_oversight_notes = text(data_key="spoOversightNotes", allow_none=True, load_default=None)
    sensitive_oversight_notes = fields.Boolean(data_key="sensitiveOversightNotes", allow_none=True, load_default=None)

    @pre_load
    def _blank_spo_is_none(self, data: Any, **_: Any) -> Any:
        """A blank SPO staff code means "no SPO given", as null does (it would be looked up and never found)."""
        code = data.get("spoStaffCode") if isinstance(data, dict) else None
        if isinstance(code, str) and not code.strip():
            return {**data, "spoStaffCode": None}
        return data


class RequirementDetailSchema(DetailSchema):
    """``/allocation/requirements/{id}``."""

    detail_class = RequirementAllocationDetail
    label = "requirement"

    event_number = WholeNumber(EVENT_NUMBER_RANGE, data_key="eventNumber", required=True)
    requirement_id = WholeNumber(BIGINT_RANGE, data_key="requirementId", required=True)


class LicenceConditionDetailSchema(DetailSchema):
    """``/allocation/licence-conditions/{id}``."""

    detail_class = LicenceConditionAllocationDetail
    label = "licence condition"

    event_number = WholeNumber(EVENT_NUMBER_RANGE, data_key="eventNumber", required=True)
    licence_condition_id = WholeNumber(BIGINT_RANGE, data_key="licenceConditionId", required=True)


@functools.cache
def _instance(schema_class: type[DetailSchema]) -> DetailSchema:
    """One instance per schema, reused: building one binds every field again (a schema holds no state per load)."""
    return schema_class()


def load_detail(schema_class: type[DetailSchema], body: Mapping[str, Any]) -> AllocationDetail:
    """Read ``body`` with ``schema_class``; raise InvalidMessage, and nothing else, when it does not validate."""
    try:
        detail: AllocationDetail = _instance(schema_class).load(body)
    except ValidationError as error:
        raise InvalidMessage(
            f"Invalid {schema_class.label} allocation detail: {describe(error.messages)}",
            detail_id=_loggable_id(body.get("id")),
        ) from None
    return detail


def _loggable_id(value: object) -> str | None:
    """The detail's id for the error's properties (stored as JSON), when it is short, storable text."""
    return value if is_writable(value, _MAX_LOGGED_ID_LENGTH) else None


def describe(messages: Mapping[str, Any] | list[Any] | str) -> str:
    """Marshmallow's nested messages as one line: ``createdDate: Not a valid ...; staffCode: Missing ...``."""
    if isinstance(messages, Mapping):
        return "; ".join(f"{key}: {describe(value)}" for key, value in sorted(messages.items()))
    if isinstance(messages, list):
        return " ".join(describe(message) for message in messages)
    return str(messages)
