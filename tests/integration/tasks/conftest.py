"""The service's own Celery app and tasks in an in-process worker, on the suite's Redis, PostgreSQL and Workload stub.

Each test gets a worker (``celery_worker``, the classic fixture of ``celery.contrib.pytest``: pytest-celery 1.x
replaces that name with a Docker worker) consuming a task queue of its own, and a runtime built from its own
environment. The worker runs in a thread of the test process with the ``solo`` pool and is stopped when the test ends.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from celery import signals
from celery.contrib.pytest import celery_worker  # noqa: F401 - the in-process worker, not pytest-celery's Docker one
from celery.contrib.testing.app import setup_default_app
from support.polling import wait_until

from allocations.state.store import StateStore
from allocations_local.environment import LocalStack, service_environment
from allocations_local.publishing import DETAIL_KIND, domain_event
from allocations_local.services import unique_name
from allocations_local.workload_stub import WorkloadStub
from tasks import app as service_app
from tasks import runtime as runtime_module
from tasks.dispatch import dispatch

if TYPE_CHECKING:
    from collections.abc import Iterator

    from celery import Celery
    from sqlalchemy import Engine

    from allocations.event_types import EventType
    from allocations.events import ReceivedEvent
    from allocations.state.records import OutcomeRecord

# Retries after a few tens of milliseconds, and few of them; the other limits keep their defaults, which agree with
# the app's task time limit (the worker's start-up check refuses limits that do not).
FAST_RETRIES = {"RETRY_FIRST_DELAY": "0.05", "RETRY_MAX_DELAY": "0.1", "RETRY_MAX_RETRIES": "2"}
# Nothing here talks to SQS: an address where nothing listens.
NO_SQS = "http://127.0.0.1:9"
# Written by Celery's logging set-up into this process's environment; put back as they were after each worker.
CELERY_LOGGING_ENV = ("_MP_FORK_LOGLEVEL_", "_MP_FORK_LOGFILE_", "_MP_FORK_LOGFORMAT_")


@pytest.fixture(scope="module")
def workload_stub() -> Iterator[WorkloadStub]:
    with WorkloadStub() as stub:
        yield stub


@pytest.fixture
def service_env(monkeypatch, database_url, redis_url, workload_stub) -> Iterator[dict[str, str]]:
    """The environment the runtime's settings read, and ``tasks.runtime``'s cached runtime dropped before and after."""
    workload_stub.reset()
    name = unique_name("tasks-sqs")
    stack = LocalStack(
        database_url, redis_url, NO_SQS, name, f"{name}-dlq", workload_stub.base_url, workload_stub.token_url
    )
    environment = service_environment(stack, **FAST_RETRIES)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    runtime_module.reset_runtime()
    yield environment
    runtime_module.reset_runtime()


@pytest.fixture
def task_queue() -> str:
    """A Redis list no other test, session or deployment consumes."""
    return unique_name("inprocess_tasks")


@pytest.fixture
def celery_app(monkeypatch, redis_url, task_queue, service_env) -> Iterator[Celery]:
    """The service's app (``tasks.app.app``), publishing to this test's queue; app state put back afterwards.

    ``service_env`` comes first so that the runtime's environment outlives the worker (and its cached runtime is
    dropped only once the worker has stopped).
    """
    monkeypatch.setitem(service_app.conf, "broker_url", redis_url)
    monkeypatch.setitem(service_app.conf, "task_default_queue", task_queue)
    monkeypatch.setattr(service_app.amqp.queues, "_consume_from", None)  # the worker selects this test's queue
    for name in CELERY_LOGGING_ENV:
        monkeypatch.delenv(name, raising=False)

    def leave_logging_alone(**_: Any) -> None:
        """A receiver of ``setup_logging``: Celery then leaves the root logger's level and handlers as they are."""

    signals.setup_logging.connect(leave_logging_alone, weak=False)
    try:
        with setup_default_app(service_app):
            yield service_app
            with service_app.connection_for_write() as connection:
                # Declared on this channel first, so that deleting it drops its exchange binding too.
                queue = service_app.amqp.queues[task_queue](connection.default_channel)
                queue.declare()
                queue.delete()
    finally:
        signals.setup_logging.disconnect(leave_logging_alone)


@pytest.fixture
def celery_worker_pool() -> str:
    return "solo"


@pytest.fixture
def celery_worker_parameters(task_queue) -> dict[str, Any]:
    """Only this test's queue; no SQS ingest or reconciler thread; no ping task (the app has no result backend)."""
    return {
        "queues": [task_queue],
        "sqs_ingest": False,
        "reconcile": False,
        "perform_ping_check": False,
        "shutdown_timeout": 15.0,
    }


@dataclass
class TaskLog:
    """What the worker ran, from Celery's signals: ``(task name, args)`` as each task started, its end states."""

    started: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    ended: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_prerun(self, task: Any, args: Any = (), **_: Any) -> None:
        with self.lock:
            self.started.append((task.name, tuple(args or ())))

    def on_postrun(self, task: Any, state: str | None = None, **_: Any) -> None:
        with self.lock:
            self.ended.append((task.name, str(state)))

    def names(self) -> list[str]:
        with self.lock:
            return [name for name, _ in self.started]

    def args_of(self, name: str) -> list[tuple[Any, ...]]:
        with self.lock:
            return [args for started, args in self.started if started == name]

    def states_of(self, name: str) -> list[str]:
        with self.lock:
            return [state for ended, state in self.ended if ended == name]


@pytest.fixture
def task_log() -> Iterator[TaskLog]:
    log = TaskLog()
    signals.task_prerun.connect(log.on_prerun, weak=False)
    signals.task_postrun.connect(log.on_postrun, weak=False)
    yield log
    signals.task_prerun.disconnect(log.on_prerun)
    signals.task_postrun.disconnect(log.on_postrun)


@dataclass
class Harness:
    """Send events as their per-type tasks to the running worker, and read the ledger."""

    stub: WorkloadStub
    state: StateStore
    log: TaskLog

    def serve(self, event_type: EventType, crn: str | None, detail: dict[str, Any]) -> ReceivedEvent:
        """Serve ``detail`` from the stub (its ``id`` is its path) and return the domain event announcing it."""
        detail_url = self.stub.add_detail(DETAIL_KIND[event_type], detail)
        return domain_event(event_type, detail_url, crn or "", detail["id"])

    def send(self, received: ReceivedEvent) -> None:
        """Publish ``received`` as the ingest does: its per-type task, the write linked to it."""
        dispatch(received)

    def outcome(self, received: ReceivedEvent, timeout: float = 20.0) -> OutcomeRecord:
        return wait_until(
            lambda: self.state.final_outcome(received.event_id), timeout, 0.02, f"an outcome for {received.event_id}"
        )

    def settle(self, seconds: float = 0.5) -> None:
        """Leave time for a task that should not have been published to show (the worker takes one in milliseconds)."""
        time.sleep(seconds)

    def wait_ended(self, name: str, count: int = 1, timeout: float = 20.0) -> list[str]:
        return wait_until(
            lambda: (states := self.log.states_of(name)) and len(states) >= count and states,
            timeout,
            0.02,
            f"{count} ended {name}",
        )


@pytest.fixture
def harness(celery_worker, workload_stub, engine: Engine, task_log) -> Harness:  # noqa: F811 - a running worker
    return Harness(workload_stub, StateStore(engine), task_log)
