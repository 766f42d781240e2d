"""A real worker process against real PostgreSQL, Redis, a moto SQS endpoint and the Workload stub.

One worker, queue pair and stub per test module (a worker takes seconds to start); each test builds its own
Delius rows with the ``delius`` fixture and uses fresh event ids and detail ids.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from support.limits import FAST_LIMITS
from support.polling import wait_until

from allocations.database import make_engine
from allocations.sqs import send_event, sqs_client
from allocations.state.store import StateStore
from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LocalStack, service_environment
from allocations_local.processes import ServiceProcess, start_worker
from allocations_local.publishing import publish_allocation
from allocations_local.queues import create_queues
from allocations_local.services import unique_name
from allocations_local.workload_stub import WorkloadStub

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_sqs import SQSClient
    from sqlalchemy import Engine

    from allocations.event_types import EventType
    from allocations.events import ReceivedEvent
    from allocations.state.records import OutcomeRecord


@dataclass
class Pipeline:
    """Everything a test needs to drive events through the real worker and read what happened."""

    stack: LocalStack
    env: dict[str, str]
    stub: WorkloadStub
    engine: Engine
    state: StateStore
    queue_url: str
    dlq_url: str

    def publish(self, event_type: EventType, crn: str, detail: dict[str, Any]) -> ReceivedEvent:
        """Serve the detail from the stub and send its SNS-wrapped event, as Workload does."""
        return publish_allocation(self.stub, self.sqs(), self.queue_url, event_type=event_type, crn=crn, detail=detail)

    def send(self, received: ReceivedEvent) -> None:
        send_event(self.sqs(), self.queue_url, received)

    def send_raw(self, body: str) -> None:
        self.sqs().send_message(QueueUrl=self.queue_url, MessageBody=body)

    def sqs(self) -> SQSClient:
        return sqs_client("eu-west-2", self.stack.sqs_endpoint)

    def wait_for_dlq(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Receive ``count`` messages from the SQS DLQ (redriven there by the queue's RedrivePolicy)."""
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(messages) < count and time.monotonic() < deadline:
            response = self.sqs().receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            messages += response.get("Messages", [])
        return messages

    def outcome(self, received: ReceivedEvent, timeout: float = 60.0) -> OutcomeRecord:
        """The event's final outcome, once it has one."""
        return wait_until(
            lambda: self.state.final_outcome(received.event_id), timeout, 0.1, f"an outcome for {received.event_id}"
        )


@pytest.fixture(scope="module")
def workload_stub() -> Iterator[WorkloadStub]:
    stub = WorkloadStub(client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET)
    stub.start()
    yield stub
    stub.stop()


@pytest.fixture(scope="module")
def pipeline(database_url, redis_url, sqs_endpoint, workload_stub) -> Iterator[Pipeline]:
    name = unique_name("events")
    stack = LocalStack(
        database_url, redis_url, sqs_endpoint, name, f"{name}-dlq", workload_stub.base_url, workload_stub.token_url
    )
    env = {**os.environ, **service_environment(stack, CELERY_TASK_QUEUE=unique_name("tasks"), **FAST_LIMITS)}
    client = sqs_client("eu-west-2", sqs_endpoint)
    # Short, so a rejected body reaches the DLQ within seconds (three receives), yet long enough that a busy machine
    # never shows a message again before the ingest has recorded it and deleted it with its receive's batch.
    queue_url, dlq_url = create_queues(client, stack.sqs_queue, stack.sqs_dlq, visibility_timeout=3)
    engine = make_engine(database_url)
    yield Pipeline(stack, env, workload_stub, engine, StateStore(engine), queue_url, dlq_url)
    engine.dispose()


@pytest.fixture(scope="module")
def worker(pipeline: Pipeline) -> Iterator[ServiceProcess]:
    process = start_worker(pipeline.env, concurrency=2)
    yield process
    process.stop()
