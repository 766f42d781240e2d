"""Sending an event's tasks: its per-type task (named by the registry), the write linked to it.

Used by the SQS ingest, the reconciler and re-enqueue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allocations.routes import route_for
from tasks.app import app

WRITE_TASK = "allocations.write_allocation"

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
    """Send ``received``'s chain (its per-type task, then the write); returns the per-type task's id once sent."""
    name = task_name(received.event_type)
    if name is None:
        raise UnsupportedEventType(f"No task for event type {received.event_type!r}")
    arg = received.to_task_arg()
    options: dict[str, Any] = {"producer": producer} if producer is not None else {}
    first = app.signature(name, args=[arg], link=app.signature(WRITE_TASK, args=[arg]))
    return str(first.apply_async(**options).id)
