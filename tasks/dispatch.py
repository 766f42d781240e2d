"""Sending an event's per-type task (named by the registry): used by the SQS ingest, the reconciler and re-enqueue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allocations.routes import route_for
from tasks.app import app

if TYPE_CHECKING:
    from kombu.messaging import Producer

    from allocations.events import ReceivedEvent


class UnsupportedEventType(Exception):
    """No task handles this event type."""


def task_name(event_type: str) -> str | None:
    """The task for ``event_type``, or None when the service does not handle it."""
    route = route_for(event_type)
    return None if route is None else route.task_name


def dispatch(received: ReceivedEvent, producer: Producer | None = None) -> str:
    """Send the per-event-type task for ``received``; returns the new task id once the broker has it."""
    name = task_name(received.event_type)
    if name is None:
        raise UnsupportedEventType(f"No task for event type {received.event_type!r}")
    options: dict[str, Any] = {"producer": producer} if producer is not None else {}
    return str(app.send_task(name, args=[received.to_task_arg()], **options).id)
