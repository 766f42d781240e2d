"""``allocations run-local``: the whole service on one machine, on embedded defaults.

PostgreSQL and Redis come from DATABASE_URL / CELERY_BROKER_URL when they answer, else embedded ones start; SQS is a
moto server; Workload and HMPPS Auth are the project's stub. A worker and Flower run as child processes with the
same environment contract as production. Sample events are published one by one and their outcomes and the Delius
rows they wrote are printed; then the stack serves until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from allocations.database import make_engine
from allocations.sqs import sqs_client
from allocations.state.store import StateStore
from allocations_local import services
from allocations_local.delius_schema import init_db_with_delius
from allocations_local.demo_data import load_demo_data
from allocations_local.demo_events import Sample, describe_rows, samples
from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LocalStack, service_environment
from allocations_local.processes import ServiceProcess, start_worker
from allocations_local.publishing import publish_allocation
from allocations_local.queues import create_queues
from allocations_local.workload_stub import WorkloadStub

if TYPE_CHECKING:
    from types import FrameType

    from mypy_boto3_sqs import SQSClient
    from sqlalchemy import Engine

    from allocations.state.records import OutcomeRecord

LOCAL_DATABASE = "workforce_allocations_local"
QUEUE = "workforce-allocations-events"
# Short retries, so the demo's failing sample reaches the dead letters within seconds.
DEMO_RETRIES = {"RETRY_FIRST_DELAY": "0.5", "RETRY_MAX_DELAY": "2", "RETRY_MAX_RETRIES": "3"}
OUTCOME_TIMEOUT_SECONDS = 60.0


def run(*, exit_after_demo: bool, flower_port: int, data_dir: str) -> int:
    """Start everything, publish the samples, print what happened, then serve until Ctrl-C."""
    with contextlib.ExitStack() as stack:
        root = Path(data_dir).resolve()
        server_url, stop_postgres = services.start_postgres(os.environ.get("DATABASE_URL"), root / "postgres")
        stack.callback(stop_postgres)
        database_url = _fresh_database(server_url)
        broker_url, stop_redis = services.start_redis(os.environ.get("CELERY_BROKER_URL"), root / "redis")
        stack.callback(stop_redis)
        sqs_endpoint, stop_sqs = services.start_sqs()
        stack.callback(stop_sqs)
        stub = WorkloadStub(client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET).start()
        stack.callback(stub.stop)

        local = LocalStack(database_url, broker_url, sqs_endpoint, QUEUE, f"{QUEUE}-dlq", stub.base_url, stub.token_url)
        env = {**os.environ, **service_environment(local, **DEMO_RETRIES)}
        os.environ.update(env)
        init_db_with_delius(database_url, database_url, env["DELIUS_USERNAME"])
        client = sqs_client(env["AWS_REGION"], sqs_endpoint)
        queue_url, _ = create_queues(client, local.sqs_queue, local.sqs_dlq)
        _say(f"PostgreSQL  {database_url}\nRedis       {broker_url}\nSQS         {queue_url}")
        _say(f"Workload    {stub.base_url}")

        worker = start_worker(env)
        stack.callback(worker.stop)
        flower = _start_flower(env, flower_port)
        stack.callback(flower.stop)
        _say(f"worker ready; Flower at http://127.0.0.1:{flower_port}/ (dead letters: /dead-letters)")

        engine = make_engine(database_url)
        stack.callback(engine.dispose)
        demo = load_demo_data(engine, env["DELIUS_USERNAME"])
        publisher = Publisher(stub, client, queue_url, StateStore(engine), engine)
        tour = samples(demo)
        unexpected = sum(publisher.report(sample) for sample in tour)
        _say(f"\n{len(tour) - unexpected} of {len(tour)} samples ended as expected")
        if exit_after_demo:
            return 1 if unexpected else 0
        _say("serving; press Ctrl-C to stop")
        _wait_for_interrupt()
    return 0


@dataclass(frozen=True)
class Publisher:
    """Publishes samples the way Workload does and reports what the service made of them."""

    stub: WorkloadStub
    client: SQSClient
    queue_url: str
    state: StateStore
    engine: Engine

    def report(self, sample: Sample) -> bool:
        """Publish one sample, wait for its outcome, print it with the rows; True when it was not as expected."""
        received = publish_allocation(
            self.stub, self.client, self.queue_url, event_type=sample.event_type, crn=sample.crn, detail=sample.detail
        )
        outcome = _await_outcome(self.state, received.event_id)
        found = outcome.outcome if outcome else "no outcome yet"
        reason = f" ({outcome.reason})" if outcome and outcome.reason else ""
        _say(f"\n{sample.title}  [{sample.event_type.value}, crn {sample.crn}]\n  outcome: {found}{reason}")
        _say(describe_rows(self.engine, sample))
        return found != sample.expected


def _await_outcome(state: StateStore, event_id: str) -> OutcomeRecord | None:
    deadline = time.monotonic() + OUTCOME_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        outcome = state.final_outcome(event_id)
        if outcome is not None:
            return outcome
        time.sleep(0.1)
    return None


def _fresh_database(server_url: str) -> str:
    """A database of its own for the demo, recreated each run, so the server's other databases are untouched."""
    services.drop_database(services.database_url(server_url, LOCAL_DATABASE))
    return services.create_database(server_url, LOCAL_DATABASE)


def _start_flower(env: dict[str, str], port: int) -> ServiceProcess:
    argv = [sys.executable, "-m", "tasks.dashboard", f"--port={port}", "--address=127.0.0.1"]
    flower = ServiceProcess("flower", argv, env)
    flower.wait_for("Visit me at", timeout=60)
    return flower


def _wait_for_interrupt() -> None:
    stop = threading.Event()

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    stop.wait()
    _say("stopping")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
