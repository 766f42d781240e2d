"""One event traced from the ingest's handling of its SQS message to the Delius commit, through both tasks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from allocations.event_types import EventType
from allocations.sqs import sns_notification
from tasks.ingest_batch import Settle, handle

PER_TYPE = "allocations.person_allocated"
WRITE = "allocations.write_allocation"


@pytest.fixture
def world(delius):
    return delius.person_moving_teams()


def test_one_trace_links_the_ingest_the_fetch_its_http_call_the_write_and_its_commit(spans, harness, world):
    case, team, staff = world
    detail = {
        "id": "5d7e0f7a-9b1c-4a1e-8f00-1c2d3e4f5a6b",
        "crn": case.crn,
        "staffCode": staff.code,
        "teamCode": team.code,
        "createdDate": "2025-06-04T13:05:09.118Z",
        "allocationReason": "OFFICER_LEFT",
    }
    received = harness.serve(EventType.PERSON, case.crn, detail)

    assert handle(sns_notification(received), None) is Settle.ACK
    assert harness.outcome(received).outcome == "applied"
    harness.wait_ended(WRITE)

    finished = spans.get_finished_spans()
    by_name = {}
    for span in finished:
        by_name.setdefault(span.name, []).append(span)
    ingest = by_name["allocations.ingest"][0]
    fetch = by_name[PER_TYPE][0]
    write = by_name[WRITE][0]
    detail_url = received.payload["detailUrl"]
    http = [s for s in finished if s.kind.name == "CLIENT" and detail_url in _url(s)]
    commits = [s for s in by_name["COMMIT"] if s.parent is not None and _ancestor(finished, s, write)]
    assert http
    assert commits
    trace_ids = {s.context.trace_id for s in (ingest, fetch, http[0], write, commits[0])}
    assert len(trace_ids) == 1
    assert _ancestor(finished, http[0], fetch)
    assert _ancestor(finished, fetch, ingest)
    assert _ancestor(finished, write, ingest)
    for span in (ingest, fetch, write):
        assert span.attributes["allocations.event_id"] == received.event_id
    assert ingest.attributes["allocations.event_type"] == EventType.PERSON.value
    assert ingest.attributes["allocations.outcome"] == "dispatched"
    assert write.attributes["allocations.outcome"] == "applied"
    assert write.attributes["allocations.event_type"] == EventType.PERSON.value


def _url(span):
    """The request's URL, under the old or the new HTTP semantic conventions."""
    return str(span.attributes.get("url.full", span.attributes.get("http.url", "")))


def _ancestor(spans, span, ancestor):
    """Whether ``ancestor`` is ``span``'s parent, or its parent's, and so on."""
    parents = {s.context.span_id: s for s in spans}
    while span.parent is not None:
        if span.parent.span_id == ancestor.context.span_id:
            return True
        span = parents.get(span.parent.span_id)
        if span is None:
            return False
    return False


# redis-py imports OpenTelemetry's API and metrics SDK for its own (off by default) observability: what must stay
# out are the tracing SDK, the instrumentations, the exporter and Sentry.
NOT_LOADED = ("sentry_sdk", "opentelemetry.sdk.trace", "opentelemetry.instrumentation", "opentelemetry.exporter")


def test_with_neither_variable_set_nothing_is_initialised_and_neither_sdk_is_imported():
    code = (
        "import os, sys\n"
        "for name in ('SENTRY_DSN', 'OTEL_EXPORTER_OTLP_ENDPOINT'): os.environ.pop(name, None)\n"
        "import tasks, tasks.tracing, tasks.error_tracking, tasks.allocation, tasks.ingest\n"
        "from celery.signals import worker_init\n"
        "worker_init.send(sender=None)\n"
        "assert not tasks.tracing.enabled()\n"
        "assert not tasks.error_tracking.configure_from_environment()\n"
        f"print(sorted(m for m in sys.modules if m.startswith({NOT_LOADED!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)

    assert result.stdout.strip() == "[]"


def test_with_the_endpoint_set_the_worker_traces_over_otlp():
    code = (
        "import os\n"
        "os.environ['OTEL_EXPORTER_OTLP_ENDPOINT'] = 'http://127.0.0.1:9'\n"
        "import tasks, tasks.tracing\n"
        "from celery.signals import worker_init\n"
        "worker_init.send(sender=None)\n"
        "import sys\n"
        "provider = tasks.tracing._provider\n"
        "print(tasks.tracing.enabled(), 'opentelemetry.exporter.otlp.proto.http.trace_exporter' in sys.modules,\n"
        "      provider.resource.attributes['service.name'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)

    assert result.stdout.split() == ["True", "True", "workforce-allocations-to-delius"]


def test_with_sentry_dsn_set_sentry_starts_with_its_celery_integration():
    code = (
        "import os, sys\n"
        "os.environ['SENTRY_DSN'] = 'http://public@127.0.0.1:9/1'\n"
        "import tasks\n"
        "import sentry_sdk\n"
        "client = sentry_sdk.get_client()\n"
        "print(client.is_active(), 'celery' in client.integrations)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)

    assert result.stdout.split() == ["True", "True"]
