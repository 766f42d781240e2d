"""The service's Celery app with pause points, for fault tests that kill a process at a named instant.

A worker started with ``-A pausing_app`` runs the service unchanged, except that at each point named in
``FAULT_PAUSE_POINTS`` it pauses (with probability ``FAULT_PAUSE_RATE``, for ``FAULT_PAUSE_SECONDS``) after
appending ``<pid> <point>`` to ``FAULT_PAUSE_LOG``. The test reads that line and kills the process mid-pause.

Points: ``fetching`` (a pool process, before the Workload GET), ``in-transaction`` (a pool process, every statement
of the allocation run, COMMIT not yet sent), ``after-commit`` (a pool process, committed, its task not yet acked),
``ingest-publish`` (the worker's main process, the event recorded in the ledger, its task not yet published).
"""

from __future__ import annotations

import os
import random
import time
from functools import wraps
from typing import Any

import tasks.ingest_batch
from allocations.delius.steps.unit_of_work import UnitOfWork
from allocations.workload.client import WorkloadClient
from tasks import app

POINTS = frozenset(p for p in os.environ.get("FAULT_PAUSE_POINTS", "").split(",") if p)
RATE = float(os.environ.get("FAULT_PAUSE_RATE", "0"))
SECONDS = float(os.environ.get("FAULT_PAUSE_SECONDS", "1"))
LOG = os.environ.get("FAULT_PAUSE_LOG", "")


def pause(point: str) -> None:
    """Announce the point and hold it, when it is one the test asked for and the dice say so."""
    if point in POINTS and LOG and random.random() < RATE:
        with open(LOG, "a", encoding="utf-8") as log:  # noqa: PTH123 - one short append
            log.write(f"{os.getpid()} {point}\n")
        time.sleep(SECONDS)


def _before(point: str, function: Any) -> Any:
    @wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        pause(point)
        return function(*args, **kwargs)

    return paused


_commit = UnitOfWork.commit


def _commit_with_pauses(self: UnitOfWork, outcome: Any) -> None:
    pause("in-transaction")
    _commit(self, outcome)
    pause("after-commit")


WorkloadClient.fetch_json = _before("fetching", WorkloadClient.fetch_json)  # type: ignore[method-assign]
UnitOfWork.commit = _commit_with_pauses  # type: ignore[method-assign]
tasks.ingest_batch.dispatch = _before("ingest-publish", tasks.ingest_batch.dispatch)

__all__ = ["app"]
