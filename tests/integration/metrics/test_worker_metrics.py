"""Each metric moves when its event happens, read from a real prefork worker's /metrics (children's samples merged)."""

from __future__ import annotations

import os
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.network import free_port
from support.polling import wait_until

from allocations.event_types import EventType
from allocations.events import ReceivedEvent
from allocations.sqs import send_event, sqs_client
from allocations.state.store import StateStore
from allocations_local.environment import LocalStack, service_environment
from allocations_local.processes import ServiceProcess
from allocations_local.publishing import DETAIL_KIND, domain_event
from allocations_local.queues import create_queues
from allocations_local.services import unique_name
from allocations_local.workload_stub import WorkloadStub

LIMITS = {"RETRY_FIRST_DELAY": "0.1", "RETRY_MAX_DELAY": "0.2", "RETRY_MAX_RETRIES": "2", "TASK_TIME_LIMIT": "10",
          "RECONCILE_AFTER": "25", "DB_STATEMENT_TIMEOUT": "5", "DB_LOCK_TIMEOUT": "3"}  # fmt: skip
START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


class Scraper:
    def __init__(self, port):
        self.port = port

    def samples(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10) as response:
            text = response.read().decode()
        return [sample for family in text_string_to_metric_families(text) for sample in family.samples]

    def value(self, name, **labels):
        """The sum of ``name``'s samples whose labels include ``labels``; None when there is none."""
        found = [s.value for s in self.samples() if s.name == name and labels.items() <= s.labels.items()]
        return sum(found) if found else None

    def wait(self, name, at_least, **labels):
        return wait_until(lambda: (v := self.value(name, **labels)) is not None and v >= at_least and v, 60, 0.2,
                          f"{name}{labels} >= {at_least}")  # fmt: skip


@pytest.fixture(scope="module")
def stub():
    with WorkloadStub() as running:
        yield running


@pytest.fixture(scope="module")
def setup(database_url, redis_url, sqs_endpoint, stub):
    name = unique_name("metrics")
    client = sqs_client("eu-west-2", sqs_endpoint)
    queue_url, _ = create_queues(client, name, f"{name}-dlq", visibility_timeout=3)  # see tests/e2e/conftest.py
    stack = LocalStack(database_url, redis_url, sqs_endpoint, name, f"{name}-dlq", stub.base_url, stub.token_url)
    port = free_port()
    env = {**os.environ, **service_environment(stack, CELERY_TASK_QUEUE=unique_name("tasks"), HEALTH_PORT=str(port),
                                               HEALTH_HOST="127.0.0.1", **LIMITS)}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the worker makes its own
    argv = [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--loglevel=INFO", "--concurrency=2",
            "--hostname=metrics@%h", "--without-mingle", "--without-gossip"]  # fmt: skip
    worker = ServiceProcess("metrics", argv, env)
    worker.wait_for("ready.")
    yield client, queue_url, Scraper(port), worker
    worker.stop()


def with_occurred_at(received, seconds_ago):
    occurred = (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat()
    return ReceivedEvent(received.event_id, received.event_type, {**received.payload, "occurredAt": occurred})


def test_an_applied_allocation_moves_outcomes_attempts_send_to_commit_and_workload_latency(delius, engine, setup, stub):
    client, queue_url, scraper, _ = setup
    provider = delius.provider(code="N02", description="North East")
    old_team, new_team = delius.team(provider, code="N02OLD"), delius.team(provider, code="N02NEW")
    old_staff, new_staff = delius.staff(old_team, code="N02OLDA"), delius.staff(new_team, code="N02NEWA")
    case = delius.case(old_team, old_staff, START)
    detail = {"id": "applied-1", "crn": case.crn, "staffCode": new_staff.code, "teamCode": new_team.code,
              "createdDate": "2025-06-04T13:05:09.118Z", "allocationReason": "OFFICER_LEFT"}  # fmt: skip
    detail_url = stub.add_detail(DETAIL_KIND[EventType.PERSON], detail)
    received = with_occurred_at(domain_event(EventType.PERSON, detail_url, case.crn, "applied-1"), 2)
    assert scraper.value("allocations_outcomes_total", outcome="applied") is None

    send_event(client, queue_url, received)

    assert scraper.wait("allocations_outcomes_total", 1, outcome="applied", event_type=EventType.PERSON.value)
    assert StateStore(engine).final_outcome(received.event_id).outcome == "applied"
    assert scraper.value("allocations_attempt_duration_seconds_count") >= 2  # the fetch, then the write
    assert scraper.value("allocations_attempt_duration_seconds_count", task="write_allocation") >= 1
    assert scraper.value("allocations_send_to_commit_seconds_count", outcome="applied") == 1
    assert scraper.value("allocations_send_to_commit_seconds_sum", outcome="applied") >= 2
    assert scraper.value("allocations_workload_request_duration_seconds_count", status="200") >= 1
    assert scraper.value("allocations_ingest_last_poll_age_seconds") < 60
    assert scraper.value("allocations_event_loop_last_tick_age_seconds") < 60


def test_a_failing_workload_moves_retries_errors_dead_letters_and_the_parked_gauges(setup, stub):
    client, queue_url, scraper, _ = setup
    detail_url = stub.add_detail(DETAIL_KIND[EventType.PERSON], {"id": "failing-1", "crn": "X999999"})
    stub.fail_next(detail_url, 500, times=10)

    send_event(client, queue_url, domain_event(EventType.PERSON, detail_url, "X999999", "failing-1"))

    assert scraper.wait("allocations_outcomes_total", 1, outcome="dead-lettered")
    assert scraper.value("allocations_retries_total", error_class="WorkloadUnavailable") == 2
    assert scraper.value("allocations_outcomes_total", outcome="retrying") == 2
    assert scraper.value("allocations_workload_request_errors_total", status="500") == 3
    assert scraper.wait("allocations_dead_letters_parked", 1)
    assert scraper.value("allocations_dead_letter_oldest_parked_age_seconds") >= 0
    assert scraper.value("allocations_metrics_source_up", source="database") == 1


def test_an_unreadable_message_moves_the_sqs_dlq_depth_and_its_oldest_age(setup):
    client, queue_url, scraper, _ = setup
    assert scraper.value("allocations_sqs_messages", queue="dlq", state="visible") == 0

    client.send_message(QueueUrl=queue_url, MessageBody="not an event")

    assert scraper.wait("allocations_sqs_messages", 1, queue="dlq", state="visible")
    assert scraper.wait("allocations_sqs_dlq_oldest_message_age_seconds", 0.001)
    assert scraper.value("allocations_metrics_source_up", source="sqs") == 1
