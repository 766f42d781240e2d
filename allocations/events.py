"""HMPPS domain events: as received (any payload), and as an allocation needs them (validated).

``ReceivedEvent`` is what the ingest read from SQS (``allocations/sqs_body.py``); its ``reference`` is what the
records can show of it whatever its payload holds. ``AllocationEvent.from_received`` validates what an allocation
needs: an event without ``detailUrl`` or CRN is invalid, and is dead-lettered by the task where operators see it.
Both read the CRN with the same function, ``first_crn``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from allocations.errors import InvalidMessage
from allocations.event_types import EventType

MAX_CRN_LENGTH = 7  # Delius offender.crn is CHAR(7): a longer CRN can never be found
MAX_DETAIL_URL_LENGTH = 2000  # the state schema's detail_url column

# PostgreSQL's JSON and text refuse NUL, and UTF-8 has no encoding for a surrogate code point on its own.
UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class EventReference:
    """What the records show about an event: its CRN and detail URL, each None when the payload has no usable one."""

    crn: str | None = None
    detail_url: str | None = None


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

    @property
    def reference(self) -> EventReference:
        """The payload's CRN and detail URL when they are text; never raises, whatever the payload holds."""
        crn = first_crn(self.payload)
        detail_url = self.payload.get("detailUrl") if isinstance(self.payload, Mapping) else None
        return EventReference(
            crn if isinstance(crn, str) else None, detail_url if isinstance(detail_url, str) else None
        )


def first_crn(payload: object) -> object:
    """The value of the first ``CRN`` identifier in ``personReference``, as it is; None when there is none."""
    reference = payload.get("personReference") if isinstance(payload, Mapping) else None
    identifiers = reference.get("identifiers") if isinstance(reference, Mapping) else None
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, Mapping) and identifier.get("type") == "CRN":
            return identifier.get("value")
    return None


@dataclass(frozen=True)
class AllocationEvent:
    """What an allocation needs from the domain event: where the detail is, and the case reference."""

    event_id: str
    event_type: EventType
    detail_url: str
    crn: str

    @property
    def reference(self) -> EventReference:
        """The validated CRN and detail URL, for the records."""
        return EventReference(self.crn, self.detail_url)

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
            body = _DOMAIN_EVENT.load(received.payload)
        except ValidationError as error:
            raise InvalidMessage(f"Invalid domain event: {describe_validation(error)}") from None
        crn = first_crn(received.payload)
        if crn is None:
            raise InvalidMessage("No CRN available in person reference")
        if not isinstance(crn, str) or not crn.strip() or len(crn) > MAX_CRN_LENGTH or UNSAFE_TEXT.search(crn):
            raise InvalidMessage(f"Invalid CRN in person reference: not 1 to {MAX_CRN_LENGTH} characters of text")
        return cls(received.event_id, event_type, body["detailUrl"], crn)


def describe_validation(error: ValidationError) -> str:
    """Marshmallow's messages as one stable line of JSON."""
    return json.dumps(error.messages, sort_keys=True)


def _writable_text(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")
    if UNSAFE_TEXT.search(value):
        raise ValidationError("Must not hold an unpaired surrogate or NUL.")


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


_DOMAIN_EVENT = _DomainEventSchema()  # reused: a schema holds no state per load
