"""Latency from sending one SNS-wrapped event to its Delius commit, through a real worker on the local stack.

Run: ``.venv/bin/python benchmarks/pipeline_latency.py [--events 50]``. Uses DATABASE_URL / CELERY_BROKER_URL when
they answer, else embedded PostgreSQL and Redis; SQS is a moto server, Workload the project's stub. Events are sent
one at a time (closed loop, one in flight), so the number is the pipeline's latency, not a queue's backlog.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from allocations.database import make_engine
from allocations.event_types import EventType
from allocations.sqs import sqs_client
from allocations.state.store import StateStore
from allocations_local import services
from allocations_local.delius_schema import init_db_with_delius
from allocations_local.demo_data import load_demo_data
from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LocalStack, service_environment
from allocations_local.processes import start_worker
from allocations_local.publishing import publish_allocation
from allocations_local.queues import create_queues
from allocations_local.workload_stub import WorkloadStub


def main() -> int:
    """Measure and print send → commit latency percentiles."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server, stop = services.start_postgres(os.environ.get("DATABASE_URL"), scratch / "pg")
        stack.callback(stop)
        database_url = services.create_database(server, services.unique_name("latency"))
        stack.callback(services.drop_database, database_url)
        broker, stop_redis = services.start_redis(os.environ.get("CELERY_BROKER_URL"), scratch / "redis")
        stack.callback(stop_redis)
        endpoint, stop_sqs = services.start_sqs()
        stack.callback(stop_sqs)
        stub = stack.enter_context(WorkloadStub(client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET))
        queue = services.unique_name("latency")
        local = LocalStack(database_url, broker, endpoint, queue, f"{queue}-dlq", stub.base_url, stub.token_url)
        env = {**os.environ, **service_environment(local, CELERY_TASK_QUEUE=services.unique_name("tasks"))}
        os.environ.update(env)
        init_db_with_delius(database_url, database_url, env["DELIUS_USERNAME"])
        engine = make_engine(database_url)
        stack.callback(engine.dispose)
        demo = load_demo_data(engine, env["DELIUS_USERNAME"])
        client = sqs_client(env["AWS_REGION"], endpoint)
        queue_url, _ = create_queues(client, queue, f"{queue}-dlq")
        worker = start_worker(env, concurrency=args.concurrency)
        stack.callback(worker.stop)
        state = StateStore(engine)

        latencies: list[float] = []
        ingest: list[float] = []
        start = datetime.now(UTC)
        for n in range(args.events):
            staff = ("N02T01A", "N02T01B")[n % 2]
            detail = {
                "crn": demo.crns[0],
                "staffCode": staff,
                "teamCode": "N02T01",
                "createdDate": (start + timedelta(seconds=n + 1)).isoformat(),
            }
            sent = time.time()
            received = publish_allocation(
                stub, client, queue_url, event_type=EventType.PERSON, crn=demo.crns[0], detail=detail
            )
            while (outcome := state.final_outcome(received.event_id)) is None:
                time.sleep(0.002)
            if outcome.outcome != "applied" or outcome.finished_at is None or outcome.started_at is None:
                sys.stdout.write(f"unexpected outcome {outcome}\n")
                return 1
            latencies.append((outcome.finished_at.timestamp() - sent) * 1000)
            ingest.append((outcome.started_at.timestamp() - sent) * 1000)
    _print("send→commit", latencies)
    _print("send→task start (SQS receive + dispatch)", ingest)
    _print("task start→commit (fetch + write chain)", [t - i for t, i in zip(latencies, ingest, strict=True)])
    return 0


def _print(label: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    sys.stdout.write(
        f"{label:<42} ms over {len(ordered)} events: min {ordered[0]:6.1f}  median {statistics.median(ordered):6.1f}"
        f"  p95 {p95:6.1f}  max {ordered[-1]:6.1f}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
