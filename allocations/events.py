"""SQS message bodies → HMPPS domain events.

Two steps, because they fail differently: ``parse_sqs_body`` only needs to find an event type and an id (a body it
cannot read is malformed and goes to the SQS DLQ); ``AllocationEvent.from_received`` validates what the allocation
needs (a body without ``detailUrl`` or CRN is invalid and is dead-lettered by the task, where operators see it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from allocations.errors import InvalidMessage
from allocations.event_types import EventType


class MalformedMessage(InvalidMessage):
    """The SQS body is not an SNS notification or domain event at all."""


@dataclass(frozen=True)
class ReceivedEvent:
    """A domain event as received: its stable id, its type and its JSON body, untouched."""

    event_id: str
    event_type: str
    payload: dict[str, Any]

    def to_task_arg(self) -> dict[str, Any]:
        """JSON-able form passed to Celery tasks and stored with dead letters."""
        return {"event_id": self.event_id, "event_type": self.event_type, "payload": self.payload}

    @classmethod
    def from_task_arg(cls, arg: Mapping[str, Any]) -> ReceivedEvent:
        """Inverse of ``to_task_arg``."""
        return cls(str(arg["event_id"]), str(arg["event_type"]), dict(arg["payload"]))


@dataclass(frozen=True)
class AllocationEvent:
    """What an allocation needs from the domain event: where the detail is, and the case reference."""

    event_id: str
    event_type: EventType
    detail_url: str
    crn: str

    @classmethod
    def from_received(cls, received: ReceivedEvent) -> AllocationEvent:
        """Validate the payload; raise InvalidMessage when the detail URL or CRN is missing."""
        event_type = EventType.parse(received.event_type)
        if event_type is None:
            raise InvalidMessage(f"Unsupported event type {received.event_type!r}")
        try:
            body = _DomainEventSchema().load(received.payload)
        except ValidationError as error:
            raise InvalidMessage(f"Invalid domain event: {_describe(error)}") from None
        crns = [i["value"] for i in body.get("personReference", {}).get("identifiers", []) if i["type"] == "CRN"]
        if not crns:
            raise InvalidMessage("No CRN available in person reference")
        return cls(received.event_id, event_type, body["detailUrl"], crns[0])


def parse_sqs_body(body: str | bytes, message_attributes: Mapping[str, Any] | None = None) -> ReceivedEvent:
    """Read an SQS body: SNS notification (usual), bare domain event, or SNS raw delivery.

    Raises MalformedMessage when no domain event with an event type can be found in it.
    """
    document = _json_object(body, "SQS body")
    if "Message" in document:
        try:
            envelope = _SnsNotificationSchema().load(document)
        except ValidationError as error:
            raise MalformedMessage(f"Invalid SNS notification: {_describe(error)}") from None
        payload = _json_object(envelope["Message"], "SNS Message")
        attribute = envelope.get("MessageAttributes", {}).get("eventType", {})
        event_type = payload.get("eventType") or attribute.get("Value")
        event_id = envelope["MessageId"]
    else:
        payload = document
        event_type = payload.get("eventType") or _sqs_attribute(message_attributes or {}, "eventType")
        event_id = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    if not isinstance(event_type, str) or not event_type:
        raise MalformedMessage("No eventType in the message or its attributes")
    return ReceivedEvent(event_id=event_id, event_type=event_type, payload=payload)


def _sqs_attribute(attributes: Mapping[str, Any], name: str) -> str | None:
    value = attributes.get(name)
    if isinstance(value, Mapping):
        value = value.get("StringValue") or value.get("Value")
    return value if isinstance(value, str) else None


def _json_object(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (ValueError, TypeError) as error:
        raise MalformedMessage(f"{what} is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise MalformedMessage(f"{what} is not a JSON object")
    return document


def _describe(error: ValidationError) -> str:
    return json.dumps(error.messages, sort_keys=True)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


class _SnsNotificationSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    MessageId = fields.String(required=True)
    Message = fields.String(required=True)
    MessageAttributes = fields.Dict(keys=fields.String(), values=fields.Dict())


class _IdentifierSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True)
    value = fields.String(required=True)


class _PersonReferenceSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    identifiers = fields.List(fields.Nested(_IdentifierSchema), load_default=list)


class _DomainEventSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    eventType = fields.String(required=True)
    detailUrl = fields.String(required=True, validate=_not_blank)
    personReference = fields.Nested(_PersonReferenceSchema, load_default=dict)
