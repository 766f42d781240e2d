"""Prometheus metrics of the worker: what its tasks count, and the one exposition its health port serves.

Counters and histograms are incremented where each thing happens (``tasks/failure.py`` for outcomes, retries and
attempts; ``allocations/workload/client.py`` for Workload calls), in whichever process runs the task. A prefork
worker's tasks run in child processes, so the worker uses prometheus-client's multiprocess mode: at ``worker_init``
(before the pool forks) the main process names a directory (``PROMETHEUS_MULTIPROC_DIR``, else a private temporary
one), empties it, and every process writes its samples there; ``/metrics`` in the main process merges them. A child
that exits is marked dead. Gauges (dead letters, queue depths, heartbeats) are not kept in processes at all: they
are read when Prometheus scrapes (``tasks/metrics_collector.py``).

Every metric here has labels: prometheus-client creates a labelled metric's values on first use, so values created
after ``worker_init`` follow the mode chosen there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery import concurrency
from celery.concurrency.prefork import TaskPool
from celery.signals import worker_init, worker_process_shutdown, worker_shutdown
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess, values

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import Collector

log = logging.getLogger("allocations.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# From a few milliseconds (a duplicate) to the task time limit, and beyond it for events that waited for retries.
ATTEMPT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
SEND_TO_COMMIT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600)

OUTCOMES = Counter(
    "allocations_outcomes",
    "Ends of attempts by event type and outcome (applied, duplicate, ignored, retrying, dead-lettered, already-final).",
    ["event_type", "outcome"],
)
RETRIES = Counter("allocations_retries", "Attempts retried with backoff, by event type and error class.",
                  ["event_type", "error_class"])  # fmt: skip
ATTEMPT_SECONDS = Histogram(
    "allocations_attempt_duration_seconds",
    "Run time of one attempt of a subtask (fetch_detail, write_allocation), however it ended.",
    ["task"],
    buckets=ATTEMPT_BUCKETS,
)
SEND_TO_COMMIT_SECONDS = Histogram(
    "allocations_send_to_commit_seconds",
    "From the domain event's occurredAt (set by Workload when it publishes) to its outcome's commit.",
    ["event_type", "outcome"],
    buckets=SEND_TO_COMMIT_BUCKETS,
)


def outcome(name: str, event_type: str | None) -> None:
    """Count one end of an attempt."""
    OUTCOMES.labels(event_type=event_type or "unknown", outcome=name).inc()


def retry(event_type: str | None, error_class: str) -> None:
    """Count one retry."""
    RETRIES.labels(event_type=event_type or "unknown", error_class=error_class).inc()


def committed(event_type: str, outcome_name: str, payload: Mapping[str, Any]) -> None:
    """Observe send-to-commit for an event whose payload carries a readable ``occurredAt``; others are not timed."""
    occurred = payload.get("occurredAt") if isinstance(payload, dict) else None
    try:
        sent = datetime.fromisoformat(str(occurred))
    except ValueError:
        return
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    seconds = (datetime.now(UTC) - sent).total_seconds()
    SEND_TO_COMMIT_SECONDS.labels(event_type=event_type, outcome=outcome_name).observe(max(0.0, seconds))


@contextlib.contextmanager
def attempt(task_name: str | None) -> Iterator[None]:
    """Time one attempt of a subtask, whether it returns or raises (a retry raises)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        name = (task_name or "unknown").rpartition(".")[2]
        ATTEMPT_SECONDS.labels(task=name).observe(time.perf_counter() - started)


def multiprocess_dir() -> Path | None:
    """The directory of multiprocess samples, when this process writes there."""
    path = os.environ.get(MULTIPROC_ENV)
    return Path(path) if path else None


def exposition(*collectors: Collector) -> bytes:
    """The text format of every metric: this process's (or all processes' merged) and ``collectors``' at scrape."""
    registry = CollectorRegistry()
    if multiprocess_dir() is None:
        registry.register(_ThisProcess())
    else:
        multiprocess.MultiProcessCollector(registry)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)


class _ThisProcess:
    """The default registry's metrics, as one collector of a registry built per scrape."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


@worker_init.connect
def _prepare_multiprocess(sender: Any = None, **_: object) -> None:
    """Before a prefork pool forks: an empty samples directory, and values written there from now on."""
    try:
        pool = concurrency.get_implementation(sender.pool_cls)
        prefork = isinstance(pool, type) and issubclass(pool, TaskPool)
    except Exception:  # noqa: BLE001 - an unknown pool is counted in-process
        prefork = False
    if not prefork:
        return
    configured = multiprocess_dir()
    if configured is None:
        configured = Path(tempfile.mkdtemp(prefix="allocations-metrics-"))
        os.environ[MULTIPROC_ENV] = str(configured)
        _created.append(configured)
    configured.mkdir(parents=True, exist_ok=True)
    for stale in configured.glob("*.db"):  # a previous run's samples would be merged into this one's
        stale.unlink(missing_ok=True)
    values.ValueClass = values.get_value_class()
    log.info("metrics: prefork worker, samples of every process in %s", configured)


@worker_process_shutdown.connect
def _child_exit(pid: int | None = None, **_: object) -> None:
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid or os.getpid())


@worker_shutdown.connect
def _remove_private_dir(**_: object) -> None:
    for path in _created:
        shutil.rmtree(path, ignore_errors=True)
    _created.clear()


_created: list[Path] = []
