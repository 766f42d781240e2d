"""Checks a worker makes before it takes any work: time limits that let one event run twice, or sit unnoticed."""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps
from celery.exceptions import WorkerShutdown

from allocations.config import ConfigurationError, check_limits
from tasks.app import app
from tasks.runtime import runtime

log = logging.getLogger("allocations.startup")


class TimeLimitsCheck(bootsteps.StartStopStep):  # type: ignore[misc]
    """Refuses to start a worker whose lease, task time limit, visibility timeout and database timeouts disagree.

    Every worker runs it, whatever else it is told to run (``--no-sqs-ingest``, ``--no-reconcile``).
    """

    def start(self, worker: Any) -> None:  # noqa: ARG002 - the worker is not needed
        """One line per problem in the log, then stop."""
        try:
            check_limits(
                runtime().settings,
                task_time_limit=float(app.conf.task_time_limit or 0),
                visibility_timeout=float(app.conf.broker_transport_options.get("visibility_timeout", 3600)),
            )
        except ConfigurationError as error:
            log.critical("%s", error)
            raise WorkerShutdown(str(error)) from None
