"""Which task handles which event type, and sending it: used by the SQS ingest and by re-enqueue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allocations.event_types import EventType
from tasks.app import app

if TYPE_CHECKING:
    from kombu.messaging import Producer

    from allocations.events import ReceivedEvent

TASK_FOR_EVENT_TYPE = {
    EventType.PERSON: "allocations.person_allocated",
    EventType.EVENT: "allocations.event_allocated",
    EventType.REQUIREMENT: "allocations.requirement_allocated",
    EventType.LICENCE_CONDITION: "allocations.licence_condition_allocated",
}


class UnsupportedEventType(Exception):
    """No task handles this event type."""


def task_name(event_type: str) -> str | None:
    """The task for ``event_type``, or None when the service does not handle it."""
    member = EventType.parse(event_type)
    return TASK_FOR_EVENT_TYPE[member] if member else None


def dispatch(received: ReceivedEvent, producer: Producer | None = None) -> str:
    """Send the per-event-type task for ``received``; returns the new task id once the broker has it."""
    name = task_name(received.event_type)
    if name is None:
        raise UnsupportedEventType(f"No task for event type {received.event_type!r}")
    options: dict[str, Any] = {"producer": producer} if producer is not None else {}
    return str(app.send_task(name, args=[received.to_task_arg()], **options).id)
