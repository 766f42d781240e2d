"""The runner of recovery jobs (``allocations/state/recovery.py``): re-enqueues a job's rows at its rate.

The dashboard process runs it, in one background thread (``RecoveryRunner.start``): the recovery is an operator's
action, and a dashboard is one process per deployment, so the rate set is the rate Delius sees, where a job spread
over the workers' pools would multiply it. The job's state is in the service's schema, so a restarted dashboard (or
another one) resumes it once the previous owner's heartbeat is older than the lease. The CLI only records, reads
and stops jobs; ``allocations dead-letters recovery run`` runs one in the foreground where no dashboard runs.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from allocations.state import actions, recovery
from allocations.state.recovery import Progress

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

    from allocations.state.actions import Dispatch
    from allocations.state.recovery import RecoveryJob

log = logging.getLogger(__name__)

DEFAULT_RATE = 10.0  # rows a second: modest, well under what one worker pool applies
JOB_LEASE = timedelta(seconds=30)  # a job whose owner has not reported for this long is taken over
POLL_SECONDS = 2.0  # how often an idle runner looks for a running job
REPORT_SECONDS = 1.0  # progress, heartbeat and the stop check, at least this often
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*([smh]))?\s*$")
_PER = {"s": 1.0, "m": 60.0, "h": 3600.0}


def parse_rate(text: str) -> float:
    """Rows a second from ``20/s``, ``600/m``, ``5000/h`` or a bare number (per second); above zero."""
    found = _RATE.match(text)
    if found is None or float(found.group(1)) <= 0:
        raise ValueError(f"rate {text!r}: give a positive number of rows per s, m or h, e.g. 20/s")
    return float(found.group(1)) / _PER[found.group(2) or "s"]


def process_owner() -> str:
    """This process, as a job's ``owner``: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class RecoveryRunner:
    """Runs running jobs one at a time, each row through the re-enqueue claim, paced at the job's rate."""

    def __init__(  # noqa: PLR0913 - each is a separate dependency or setting
        self,
        engine: Engine,
        dispatch: Dispatch,
        *,
        requeue_lease: timedelta,
        owner: str | None = None,
        job_lease: timedelta = JOB_LEASE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.dispatch = dispatch
        self.requeue_lease = requeue_lease
        self.owner = owner or process_owner()
        self.job_lease = job_lease
        self.clock = clock
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run in a daemon thread until ``close``."""
        self._thread = threading.Thread(target=self.serve, name="recovery-runner", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop after the current row and hand the job back."""
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def serve(self) -> None:
        """Claim and run jobs until stopped; a failure is logged and the loop goes on after a pause."""
        while not self.stopping.is_set():
            try:
                job = recovery.claim(self.engine, self.owner, self.job_lease)
                if job is not None:
                    self.run(job)
                    continue
            except Exception:
                log.exception("recovery runner failed; trying again")
            self.stopping.wait(POLL_SECONDS)

    def run(self, job: RecoveryJob, *, max_rows: int | None = None) -> None:
        """Re-enqueue the job's rows past its cursor at its rate, reporting about once a second.

        Returns when the job is finished, stopped, owned by another process, when the runner stops, or after
        ``max_rows`` rows (tests and the benchmark use it to abandon a job halfway, as a killed process would).
        """
        interval = 1.0 / job.rate
        batch = max(1, min(500, int(job.rate * REPORT_SECONDS)))
        cursor, sent, started = job.cursor, 0, self.clock()
        actor = f"recovery job {job.id}" + (f" ({job.created_by})" if job.created_by else "")
        while not self.stopping.is_set():
            ids = recovery.next_ids(self.engine, job, cursor, batch)
            if not ids:
                recovery.report(self.engine, job.id, self.owner, Progress(cursor), finished=True)
                return
            counts = {"dispatched": 0, "skipped": 0, "failed": 0}
            for dead_letter_id in ids:
                # A runner that fell behind (a slow database) catches up by at most one report's worth of rows.
                started = max(started, self.clock() - sent * interval - REPORT_SECONDS)
                delay = started + sent * interval - self.clock()
                if delay > 0:
                    time.sleep(delay)
                [result] = actions.requeue(
                    self.engine, [dead_letter_id], self.dispatch, actor, lease=self.requeue_lease
                )
                failed = (result.message or "").startswith("dispatch failed")
                counts["dispatched" if result.done else "failed" if failed else "skipped"] += 1
                sent, cursor = sent + 1, dead_letter_id
                if self.stopping.is_set() or (max_rows is not None and sent >= max_rows):
                    break
            go_on = recovery.report(self.engine, job.id, self.owner, Progress(cursor, **counts))
            if not go_on or (max_rows is not None and sent >= max_rows):
                return
        recovery.release(self.engine, job.id, self.owner)
