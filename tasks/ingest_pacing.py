"""The ingest's pace: it takes events from SQS only while the workers keep up with the tasks already published.

Before each receive the ingest reads how many tasks wait in the Celery queue (one round trip to the broker). While
``INGEST_MAX_BACKLOG`` or more wait, it waits too, in short steps and never longer than ``MAX_PAUSE`` at a time (its
liveness heartbeat keeps beating). With no backlog it receives at once, so an event arriving at an idle pipeline is
not delayed.

What it buys, measured by the benchmark: the events stay on SQS, where every worker instance can take them, instead
of queueing in Redis behind the one ingest that happened to receive them; and each receive takes several at once,
so an event costs a fraction of a ReceiveMessage and a DeleteMessageBatch instead of nearly one of each.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from kombu.exceptions import ChannelError

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from celery import Celery
    from kombu.connection import Connection

log = logging.getLogger("allocations.ingest")

MAX_PAUSE = 1.0  # seconds the ingest waits for the backlog at most, before it receives anyway
STEP = 0.01  # seconds between two readings of the backlog
RETRY_AFTER_ERROR = 5.0  # seconds without asking a broker that could not be read
BROKER_TIMEOUT = 1.0  # seconds a backlog read waits for the broker at most


class Pacer:
    """Waits while ``backlog()`` is at least ``limit`` (a limit of 0 never waits)."""

    def __init__(self, backlog: Callable[[], int], limit: int, max_pause: float = MAX_PAUSE) -> None:
        self.backlog, self.limit, self.max_pause = backlog, limit, max_pause

    def wait(self, stopping: threading.Event) -> float:
        """Wait until the backlog is under the limit, ``max_pause`` passes or ``stopping`` is set; seconds waited."""
        if self.limit <= 0:
            return 0.0
        started = time.monotonic()
        while not stopping.is_set() and self.backlog() >= self.limit:
            waited = time.monotonic() - started
            if waited >= self.max_pause:
                return waited
            stopping.wait(STEP)
        return time.monotonic() - started


class BrokerBacklog:
    """The number of tasks waiting in the Celery queue, read through a broker connection of its own.

    A broker that cannot be read counts as no backlog: the ingest never waits on a broker error (publishing then
    fails, and the reconciler dispatches what was recorded). After an error the broker is not asked again for
    ``RETRY_AFTER_ERROR`` seconds, so an outage costs the ingest one connection attempt per interval, not per receive.
    """

    def __init__(self, app: Celery, queue: str) -> None:
        self.app, self.queue = app, queue
        self.connection: Connection | None = None
        self.quiet_until = 0.0

    def __call__(self) -> int:
        """How many tasks wait in the queue now (0 when the broker cannot say)."""
        if time.monotonic() < self.quiet_until:
            return 0
        try:
            if self.connection is None:
                # Bounded reads: a broker that stops answering (frozen, or its connection silently dropped) must not
                # hold the ingest; kombu's Redis connections otherwise wait for an answer for ever.
                timeouts = {"socket_timeout": BROKER_TIMEOUT, "socket_connect_timeout": BROKER_TIMEOUT}
                self.connection = self.app.connection_for_read(transport_options=timeouts)
            return int(self.connection.default_channel.queue_declare(self.queue, passive=True).message_count)
        except ChannelError:
            return 0  # no such queue yet: nothing was ever published to it
        except Exception:
            log.debug("could not read the task queue's backlog", exc_info=True)
            self.close()
            self.quiet_until = time.monotonic() + RETRY_AFTER_ERROR
            return 0

    def close(self) -> None:
        """Close the connection, if open."""
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                log.debug("could not close the backlog connection", exc_info=True)
