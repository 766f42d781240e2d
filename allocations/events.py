"""SQS message bodies → HMPPS domain events.

Two steps, because they fail differently: ``parse_sqs_body`` only needs to find an event type and an id (a body it
cannot read is malformed and goes to the SQS DLQ); ``AllocationEvent.from_received`` validates what the allocation
needs (a body without ``detailUrl`` or CRN is invalid and is dead-lettered by the task, where operators see it).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from allocations.errors import InvalidMessage
from allocations.event_types import EventType

MAX_BODY_BYTES = 256 * 1024  # SQS's classic maximum message size
MAX_NESTING = 32  # domain events are four levels deep; the limit keeps every later json.dumps far from recursion limits
MAX_EVENT_ID_LENGTH = 200  # the state schema's event_id column
MAX_EVENT_TYPE_LENGTH = 200  # the state schema's event_type column
MAX_CRN_LENGTH = 7  # Delius offender.crn is CHAR(7): a longer CRN can never be found
MAX_DETAIL_URL_LENGTH = 2000  # the state schema's detail_url column

# PostgreSQL's JSON and text refuse NUL, and UTF-8 has no encoding for a surrogate code point on its own.
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


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
        """Validate the payload; raise InvalidMessage, and nothing else, when it cannot lead to an allocation.

        The received event type is authoritative: with SNS raw delivery it is only in a message attribute.
        """
        event_type = EventType.parse(received.event_type)
        if event_type is None:
            raise InvalidMessage(f"Unsupported event type {received.event_type!r}")
        if not isinstance(received.payload, Mapping):
            raise InvalidMessage("Invalid domain event: not a JSON object")
        try:
            body = _DomainEventSchema().load(received.payload)
        except ValidationError as error:
            raise InvalidMessage(f"Invalid domain event: {_describe(error)}") from None
        identifiers = body["personReference"]["identifiers"]
        crn = next((i["value"] for i in identifiers if i["type"] == "CRN"), None)
        if crn is None:
            raise InvalidMessage("No CRN available in person reference")
        if not isinstance(crn, str) or not crn.strip() or len(crn) > MAX_CRN_LENGTH or _UNSAFE_TEXT.search(crn):
            raise InvalidMessage(f"Invalid CRN in person reference: not 1 to {MAX_CRN_LENGTH} characters of text")
        return cls(received.event_id, event_type, body["detailUrl"], crn)


def parse_sqs_body(body: str | bytes, message_attributes: Mapping[str, Any] | None = None) -> ReceivedEvent:
    """Read an SQS body: SNS notification (usual), bare domain event, or SNS raw delivery.

    Raises MalformedMessage, and nothing else, when no domain event with an event type can be found in it, or when it
    could not travel as JSON to Celery and PostgreSQL (too large, too deep, NaN, unpaired surrogates, NUL).
    """
    document = _json_object(_body_text(body), "SQS body")
    if "Message" in document:
        try:
            envelope = _SnsNotificationSchema().load(document)
        except ValidationError as error:
            raise MalformedMessage(f"Invalid SNS notification: {_describe(error)}") from None
        payload = _json_object(envelope["Message"], "SNS Message")
        attributes = envelope.get("MessageAttributes")
        event_id = envelope["MessageId"]
    else:
        payload = document
        attributes = message_attributes
        event_id = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    event_type = _text_or_none(payload.get("eventType")) or _attribute(attributes, "eventType")
    if event_type is None:
        raise MalformedMessage("No eventType in the message or its attributes")
    _check_column("eventType", event_type, MAX_EVENT_TYPE_LENGTH)
    _check_column("MessageId", event_id, MAX_EVENT_ID_LENGTH)
    return ReceivedEvent(event_id=event_id, event_type=event_type, payload=payload)


def _body_text(body: str | bytes) -> str:
    if isinstance(body, bytes | bytearray):
        if len(body) > MAX_BODY_BYTES:
            raise MalformedMessage(f"SQS body is larger than {MAX_BODY_BYTES} bytes")
        try:
            return bytes(body).decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedMessage(f"SQS body is not UTF-8: {error}") from None
    if not isinstance(body, str):
        raise MalformedMessage("SQS body is not text")
    # A character is at least one byte: the cheap test first, the exact one only for bodies that may fit.
    if len(body) > MAX_BODY_BYTES or len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise MalformedMessage(f"SQS body is larger than {MAX_BODY_BYTES} bytes")
    return body


def _attribute(attributes: object, name: str) -> str | None:
    """An SNS (``Value``) or SQS (``StringValue``) message attribute; anything unreadable counts as absent."""
    value = attributes.get(name) if isinstance(attributes, Mapping) else None
    if isinstance(value, Mapping):
        return _text_or_none(value.get("StringValue")) or _text_or_none(value.get("Value"))
    return None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _check_column(name: str, value: str, max_length: int) -> None:
    if not value.strip():
        raise MalformedMessage(f"{name} is blank")
    if len(value) > max_length:
        raise MalformedMessage(f"{name} is longer than {max_length} characters")
    if _UNSAFE_TEXT.search(value):
        raise MalformedMessage(f"{name} holds an unpaired surrogate or NUL")


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise MalformedMessage(f"{what} is nested too deeply") from None
    except ValueError as error:
        raise MalformedMessage(f"{what} is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise MalformedMessage(f"{what} is not a JSON object")
    _check_portable(document, what)
    return document


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of a float's range")
    return number


def _check_portable(document: dict[str, Any], what: str) -> None:
    """Refuse what PostgreSQL's JSON cannot store, or later code could not walk without recursing too deep."""
    pending: list[tuple[object, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_NESTING:
            raise MalformedMessage(f"{what} is nested too deeply (more than {MAX_NESTING} levels)")
        if isinstance(value, dict):
            if any(_UNSAFE_TEXT.search(key) for key in value):
                raise MalformedMessage(f"{what} holds an unpaired surrogate or NUL")
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and _UNSAFE_TEXT.search(value):
            raise MalformedMessage(f"{what} holds an unpaired surrogate or NUL")


def _describe(error: ValidationError) -> str:
    return json.dumps(error.messages, sort_keys=True)


def _writable_text(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")
    if _UNSAFE_TEXT.search(value):
        raise ValidationError("Must not hold an unpaired surrogate or NUL.")


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
    value = fields.Raw(allow_none=True, load_default=None)  # checked only for the CRN: other identifiers are unused


class _PersonReferenceSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    identifiers = fields.List(fields.Nested(_IdentifierSchema), load_default=list)


class _DomainEventSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    detailUrl = fields.String(required=True, validate=[_writable_text, validate.Length(max=MAX_DETAIL_URL_LENGTH)])
    personReference = fields.Nested(_PersonReferenceSchema, load_default=lambda: {"identifiers": []})
