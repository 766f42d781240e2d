"""OpenTelemetry tracing, on only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set: one trace per event, end to end.

The ingest's handling of an SQS message opens the trace; Celery's instrumentation carries it in the task headers
(the ingest's ``send_task``, the per-type task's chain, retries); the fetch and the write are spans of their own,
with the Workload HTTP call (requests' instrumentation), every SQL statement and the COMMIT under them. When the
variable is unset nothing of OpenTelemetry is imported and every function here does nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from celery.signals import worker_init

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"  # OpenTelemetry's own variable, read by its exporter too
SERVICE_NAME = "workforce-allocations-to-delius"
ATTRIBUTE_PREFIX = "allocations."

_lock = threading.Lock()
_provider: TracerProvider | None = None


def enabled() -> bool:
    """Whether this process traces."""
    return _provider is not None


def configure(endpoint: str | None, exporter: SpanExporter | None = None) -> bool:
    """Trace this process when ``endpoint`` is set (OTLP over HTTP) or an ``exporter`` is given; once per process.

    The OTLP exporter reads the endpoint and the other standard ``OTEL_EXPORTER_OTLP_*`` variables itself. A
    prefork child inherits this: the SDK restarts its export thread after the fork.

    Returns:
        True when tracing is on.
    """
    global _provider  # noqa: PLW0603 - one tracer provider per process
    with _lock:
        if _provider is not None or (not endpoint and exporter is None):
            return _provider is not None
        from opentelemetry.instrumentation.celery import CeleryInstrumentor  # noqa: PLC0415 - only when tracing
        from opentelemetry.instrumentation.requests import RequestsInstrumentor  # noqa: PLC0415
        from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
        from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor  # noqa: PLC0415

        # OTEL_SERVICE_NAME, when set, names the service instead.
        named = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME}
        provider = TracerProvider(resource=Resource.create(named))
        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        else:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        CeleryInstrumentor().instrument(tracer_provider=provider)
        RequestsInstrumentor().instrument(tracer_provider=provider)
        _provider = provider
        log.info("tracing on: spans exported %s", "over OTLP" if exporter is None else f"to {type(exporter).__name__}")
        return True


def shutdown() -> None:
    """Flush and stop tracing in this process, and take the Celery and requests instrumentation off."""
    global _provider
    with _lock:
        provider, _provider = _provider, None
    if provider is None:
        return
    from opentelemetry.instrumentation.celery import CeleryInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.requests import RequestsInstrumentor  # noqa: PLC0415

    CeleryInstrumentor().uninstrument()
    RequestsInstrumentor().uninstrument()
    provider.shutdown()


def span(name: str, **attributes: Any) -> AbstractContextManager[Any]:
    """A span around a block (the exception it raises recorded), with ``allocations.*`` attributes; or nothing."""
    if _provider is None:
        return nullcontext()
    return _provider.get_tracer(__name__).start_as_current_span(name, attributes=_attributes(attributes))


def annotate(**attributes: Any) -> None:
    """Set ``allocations.*`` attributes (event id, event type, outcome …) on the current span, when tracing."""
    if _provider is None:
        return
    from opentelemetry import trace  # noqa: PLC0415

    trace.get_current_span().set_attributes(_attributes(attributes))


def instrument_engine(engine: Engine) -> Engine:
    """Trace ``engine``'s statements, and its COMMITs as spans of their own; ``engine`` as it is when not tracing."""
    if _provider is None:
        return engine
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer  # noqa: PLC0415
    from opentelemetry.metrics import NoOpMeterProvider  # noqa: PLC0415

    tracer = _provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
    connections = NoOpMeterProvider().get_meter(__name__).create_up_down_counter("db.client.connections.usage")
    EngineTracer(tracer, engine, connections)
    _trace_commits(engine)
    return engine


def _trace_commits(engine: Engine) -> None:
    # The statement spans end before COMMIT, which is no cursor execution: the dialect's commit is wrapped instead
    # (each engine has a dialect object of its own), so the commit of the allocation's transaction shows and is timed.
    dialect = engine.dialect
    commit = dialect.do_commit
    tracer = _provider.get_tracer(__name__) if _provider is not None else None
    if tracer is None:
        return
    system = {"db.system": dialect.name, "db.operation.name": "COMMIT"}

    def do_commit(dbapi_connection: Any) -> None:
        with tracer.start_as_current_span("COMMIT", attributes=system):
            commit(dbapi_connection)

    setattr(dialect, "do_commit", do_commit)  # noqa: B010 - an instance attribute; mypy refuses assigning a method


def _attributes(values: dict[str, Any]) -> dict[str, str | int | float | bool]:
    return {
        ATTRIBUTE_PREFIX + key: value if isinstance(value, str | int | float | bool) else str(value)
        for key, value in values.items()
        if value is not None
    }


@worker_init.connect
def _trace_the_worker(**_: Any) -> None:
    """In the worker's main process, before the pool forks: its children inherit the provider."""
    configure(os.environ.get(ENDPOINT_VARIABLE, "").strip() or None)
