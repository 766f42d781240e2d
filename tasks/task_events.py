"""Task events published a batch at a time: one Redis publish per ``EVENTS_FLUSH_INTERVAL``, not one per event.

Flower's task pages are built from the worker's task events (received, started, succeeded, failed, retried). Celery
buffers them in the worker's main process but flushes the buffer at the next turn of its event loop, so nearly
every event was a Redis publish of its own: about a fifth of the main process's CPU per allocation, measured by the
benchmark. Here the buffer is flushed a quarter of a second after its first event, or at once when it holds
Celery's ``buffer_limit`` (24); Flower reads a batch (``task.multi``) as the events it holds.

The ``task-sent`` events are off (``task_send_sent_event``): each was an unbuffered publish from the ingest and
from the pool, and Flower shows a task from its ``task-received`` event on.
"""

from __future__ import annotations

import time

from celery.worker.consumer import Consumer

EVENTS_FLUSH_INTERVAL = 0.25  # seconds from a buffered event to its publish, at most (unless the loop stops)


class BatchedEventsConsumer(Consumer):  # type: ignore[misc]
    """The worker's consumer, with its buffered task events flushed on a timer instead of at every loop turn."""

    _events_flush_due: float | None = None

    def on_send_event_buffered(self) -> None:
        """Schedule one flush for the events buffered from now on, unless one is scheduled and still alive.

        A flush that is overdue by a whole interval was dropped with the loop's timers (Celery resets them when it
        reconnects to the broker): another is scheduled, so events never wait for the buffer to fill.
        """
        if not self.hub:
            return
        now = time.monotonic()
        if self._events_flush_due is not None and now < self._events_flush_due + EVENTS_FLUSH_INTERVAL:
            return
        self._events_flush_due = now + EVENTS_FLUSH_INTERVAL
        self.hub.call_later(EVENTS_FLUSH_INTERVAL, self._flush_scheduled_events)

    def _flush_scheduled_events(self) -> None:
        self._events_flush_due = None
        self._flush_events()
