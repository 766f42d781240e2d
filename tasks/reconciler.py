"""The reconciler: a worker step that dispatches again every pending event whose lease ran out.

An event is pending in the ledger from its receipt until its final outcome. Each attempt leases it; a retry
postpones it. A pending event whose lease has passed has no live attempt (its task was lost by the broker, its
process died, its publish failed), so it is dispatched again. Every worker runs one; concurrent passes skip the
rows another has locked. Re-dispatch is safe: the final outcome is recorded once, in the allocation's transaction.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import bootsteps

from tasks.dispatch import dispatch
from tasks.runtime import runtime

log = logging.getLogger("allocations.reconciler")

BATCH = 100


class Reconciler(bootsteps.StartStopStep):  # type: ignore[misc]
    """Runs ``reconcile`` every RECONCILE_INTERVAL seconds, in a thread of its own.

    Not on the worker's timer: Celery clears that timer whenever it reconnects to the broker (measured: the passes
    stopped after a Redis restart), and the reconciler matters most after exactly such an outage.
    """

    requires = ("tasks.startup:TimeLimitsCheck",)

    def __init__(self, parent: Any, *, reconcile: bool = True, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.enabled = reconcile
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, worker: Any) -> None:  # noqa: ARG002 - the worker is not needed
        """Schedule the passes."""
        settings = runtime().settings
        interval = settings.limits.reconcile_interval
        self.thread = threading.Thread(target=self.run, args=(interval,), name="reconciler", daemon=True)
        self.thread.start()

    def run(self, interval: float) -> None:
        """A pass every ``interval`` seconds until stopped."""
        while not self.stopping.wait(interval):
            try:
                reconcile()
            except Exception:
                log.warning("reconciler pass failed", exc_info=True)

    def stop(self, worker: Any) -> None:  # noqa: ARG002 - the worker is not needed
        """Stop the passes."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(30)
            self.thread = None


def reconcile(limit: int = BATCH) -> int:
    """One pass: dispatch again the pending events whose lease ran out; returns how many were dispatched."""
    state = runtime().state
    try:
        due = state.claim_due(limit)
    except Exception:
        log.warning("reconciler could not read the ledger", exc_info=True)
        return 0
    dispatched = 0
    for received in due:
        try:
            task_id = dispatch(received)
        except Exception:
            log.warning("reconciler could not dispatch event %s", received.event_id, exc_info=True)
            _due_now(received.event_id)
            continue
        dispatched += 1
        log.warning(
            "outcome='redispatched' event_id=%r event_type=%r task_id=%r",
            received.event_id,
            received.event_type,
            task_id,
        )
    return dispatched


def _due_now(event_id: str) -> None:
    try:
        runtime().state.due_now(event_id)
    except Exception:
        log.warning("reconciler could not reschedule event %s", event_id, exc_info=True)
