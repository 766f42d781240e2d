"""Heartbeats of the worker's two consumers, read by the liveness probe and the metrics.

The SQS ingest beats on every receive call; the task consumer (Celery's event loop in the worker's main process)
beats on every turn of its loop. A consumer may announce a pause it means to take (the ingest's reconnect backoff,
the task consumer's broker reconnect): it is not stalled while the pause lasts.
"""

from __future__ import annotations

import math
import threading
import time


class Heartbeat:
    """When a consumer last showed it was alive, and for how long it said it would be quiet after that."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: float | None = None
        self._quiet_until: float | None = None

    def beat(self, pause: float = 0.0) -> None:
        """Alive now; quiet for up to ``pause`` seconds (``math.inf``: until the next beat) without being stalled."""
        now = time.monotonic()
        with self._lock:
            self._at = now
            self._quiet_until = now + pause

    def pause(self) -> None:
        """Quiet until the next beat (waiting on something another check watches, such as the broker)."""
        self.beat(math.inf)

    def reset(self) -> None:
        """Never beaten (the consumer is not running)."""
        with self._lock:
            self._at = self._quiet_until = None

    def age(self) -> float | None:
        """Seconds since the last beat; None before the first."""
        with self._lock:
            return None if self._at is None else time.monotonic() - self._at

    def overdue(self) -> float | None:
        """Seconds past the end of the last beat's announced quiet (0 while within it); None before the first beat."""
        with self._lock:
            if self._quiet_until is None:
                return None
            return max(0.0, time.monotonic() - self._quiet_until)


# One of each per process: the worker's main process runs both consumers.
INGEST = Heartbeat()
EVENT_LOOP = Heartbeat()
