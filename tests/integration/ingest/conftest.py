"""Fixtures of the ingest tests: a fresh runtime, and an events queue with its DLQ and its own task queue."""

import pytest

from allocations.sqs import sqs_client
from allocations_local.environment import LocalStack, service_environment
from allocations_local.queues import create_queues
from allocations_local.services import unique_name
from tasks import app
from tasks import runtime as runtime_module


@pytest.fixture
def fresh_runtime(monkeypatch):
    """The ingest's per-process runtime, built from this test's environment and dropped after it."""
    runtime_module.reset_runtime()
    yield
    runtime_module.reset_runtime()


@pytest.fixture
def queues(request, sqs_endpoint, redis_url, database_url, monkeypatch, fresh_runtime):  # noqa: PLR0913, PLR0917
    """Events queue and DLQ; a module's ``VISIBILITY_TIMEOUT`` (default 3 s: rejects reach the DLQ within seconds)."""
    name = unique_name("ingest")
    stack = LocalStack(
        database_url, redis_url, sqs_endpoint, name, f"{name}-dlq", "http://127.0.0.1:9", "http://127.0.0.1:9/t"
    )
    for key, value in service_environment(stack).items():
        monkeypatch.setenv(key, value)
    client = sqs_client("eu-west-2", sqs_endpoint)
    visibility = getattr(request.module, "VISIBILITY_TIMEOUT", 3)
    url, dlq_url = create_queues(client, name, f"{name}-dlq", visibility_timeout=visibility)
    task_queue = unique_name("tasks")
    saved = {key: app.conf[key] for key in ("broker_url", "task_default_queue")}
    app.conf.update(broker_url=redis_url, task_default_queue=task_queue)
    yield client, url, dlq_url, task_queue
    app.conf.update(saved)
