"""SQS message bodies → received domain events: an SNS notification (usual), a bare event, or SNS raw delivery.

Reading a body only needs an event type and an id. A body that has neither can never become an event: it is
malformed, and the queue's RedrivePolicy moves it to the SQS DLQ. What the allocation itself needs is checked
later, by ``AllocationEvent.from_received``, so that such an event is dead-lettered where operators see it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from allocations.errors import InvalidMessage
from allocations.events import UNSAFE_TEXT, ReceivedEvent, describe_validation

MAX_BODY_BYTES = 256 * 1024  # SQS's classic maximum message size
MAX_NESTING = 32  # domain events are four levels deep; the limit keeps every later json.dumps far from recursion limits
MAX_EVENT_ID_LENGTH = 200  # the state schema's event_id column
MAX_EVENT_TYPE_LENGTH = 200  # the state schema's event_type column


class MalformedMessage(InvalidMessage):
    """The SQS body is not an SNS notification or domain event at all."""


def parse_sqs_body(body: str | bytes, message_attributes: Mapping[str, Any] | None = None) -> ReceivedEvent:
    """Read an SQS body: SNS notification (usual), bare domain event, or SNS raw delivery.

    Raises MalformedMessage, and nothing else, when no domain event with an event type can be found in it, or when it
    could not travel as JSON to Celery and PostgreSQL (too large, too deep, NaN, unpaired surrogates, NUL).
    """
    document = _json_object(_body_text(body), "SQS body")
    if "Message" in document:
        try:
            envelope = _SNS_NOTIFICATION.load(document)
        except ValidationError as error:
            raise MalformedMessage(f"Invalid SNS notification: {describe_validation(error)}") from None
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
    if UNSAFE_TEXT.search(value):
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
            if any(UNSAFE_TEXT.search(key) for key in value):
                raise MalformedMessage(f"{what} holds an unpaired surrogate or NUL")
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and UNSAFE_TEXT.search(value):
            raise MalformedMessage(f"{what} holds an unpaired surrogate or NUL")


class _SnsNotificationSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    MessageId = fields.String(required=True)
    Message = fields.String(required=True)
    MessageAttributes = fields.Dict(keys=fields.String(), values=fields.Dict())


_SNS_NOTIFICATION = _SnsNotificationSchema()  # reused: a schema holds no state per load
