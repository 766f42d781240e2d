"""The in-process worker of tests/integration/tasks (its fixtures imported here), with tracing to memory."""

from __future__ import annotations

import pytest
from integration.tasks.conftest import (  # noqa: F401 - fixtures, registered for this folder
    celery_app,
    celery_worker,
    celery_worker_parameters,
    celery_worker_pool,
    harness,
    service_env,
    task_log,
    task_queue,
    workload_stub,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tasks import tracing


@pytest.fixture
def spans(service_env):  # noqa: F811 - the imported fixture, requested
    """Tracing on in this process, spans kept in memory; the runtime (and its engines) built after, so traced."""
    exporter = InMemorySpanExporter()
    assert tracing.configure(None, exporter)
    yield exporter
    tracing.shutdown()
