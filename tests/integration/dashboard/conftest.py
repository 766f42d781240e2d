from __future__ import annotations

import sys
from dataclasses import dataclass

import boto3
import pytest
import redis
import requests
from celery import Celery
from click.testing import CliRunner
from sqlalchemy import text
from support.network import free_port

from allocations.database import make_engine
from allocations.events import ReceivedEvent
from allocations.sqs_dlq import SqsDlq
from allocations.state.ledger import Attempt
from allocations.state.operator_view import OperatorView
from allocations.state.recording import Failure
from allocations.state.store import StateStore
from allocations_local.environment import LocalStack, service_environment
from allocations_local.processes import ServiceProcess
from allocations_local.queues import create_queues
from allocations_local.services import unique_name
from tasks.cli import main
from tasks.dispatch import task_name
from tasks.operations import Operations

USER, PASSWORD = "operator", "s3cret-pass"


@dataclass
class Dashboard:
    base_url: str
    task_queue: str
    broker: redis.Redis
    process: ServiceProcess

    def session(self, *, auth: bool = True) -> requests.Session:
        session = requests.Session()
        if auth:
            session.auth = (USER, PASSWORD)
        return session

    def token(self, session: requests.Session) -> str:
        session.get(f"{self.base_url}/api/dead-letters", params={"limit": 1}, timeout=10).raise_for_status()
        return session.cookies["_xsrf"]

    def queued(self) -> int:
        return int(self.broker.llen(self.task_queue))


def broker_client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url.replace("redis+socket://", "unix://"))


@pytest.fixture(scope="session")
def stack(database_url, redis_url, sqs_endpoint) -> LocalStack:
    name = unique_name("dashboard")
    workload = "http://127.0.0.1:9"
    return LocalStack(database_url, redis_url, sqs_endpoint, name, f"{name}-dlq", workload, f"{workload}/token")


def start_dashboard(stack: LocalStack, **environment: str) -> Dashboard:
    task_queue = unique_name("dashboard_tasks")
    settings = {"FLOWER_BASIC_AUTH": f"{USER}:{PASSWORD}", "DASHBOARD_OPERATORS": USER, **environment}
    env = service_environment(stack, CELERY_TASK_QUEUE=task_queue, **settings)
    for local_only in ("FLOWER_UNAUTHENTICATED_API", "DASHBOARD_ALLOW_ANONYMOUS_ACTIONS"):
        if local_only not in environment:
            env.pop(local_only)
    if not env["FLOWER_BASIC_AUTH"]:  # FLOWER_BASIC_AUTH="": a Flower without authentication
        del env["FLOWER_BASIC_AUTH"]
    port = free_port()
    argv = [sys.executable, "-m", "tasks.dashboard", f"--port={port}", "--address=127.0.0.1"]
    process = ServiceProcess("flower", argv, env)
    process.wait_for("Visit me at", timeout=60)
    return Dashboard(f"http://127.0.0.1:{port}", task_queue, broker_client(stack.broker_url), process)


@pytest.fixture(scope="session")
def dashboard(stack, sqs_queues):
    running = start_dashboard(stack)
    yield running
    running.process.stop()


@pytest.fixture(scope="session")
def read_only_dashboard(stack, sqs_queues):
    running = start_dashboard(stack, FLOWER_READ_ONLY="true")
    yield running
    running.process.stop()


def local_sqs_client(endpoint: str):
    # moto accepts any credentials; passing them keeps this process's environment untouched.
    return boto3.client(
        "sqs", region_name="eu-west-2", endpoint_url=endpoint, aws_access_key_id="local", aws_secret_access_key="local"
    )


@pytest.fixture(scope="session")
def sqs_queues(stack):
    client = local_sqs_client(stack.sqs_endpoint)
    return client, *create_queues(client, stack.sqs_queue, stack.sqs_dlq)


@pytest.fixture
def store(database_url):
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE workforce_allocations.event_ledger, workforce_allocations.dead_letter_history,"
                " workforce_allocations.dead_letter"
            )
        )
    yield StateStore(engine)
    engine.dispose()


def received(event_id: str, crn: str = "X123456", event_type: str = "person.community.manager.allocated"):
    return ReceivedEvent(
        event_id=event_id,
        event_type=event_type,
        payload={
            "eventType": event_type,
            "detailUrl": f"http://127.0.0.1:9/allocation/person/{event_id}",
            "personReference": {"identifiers": [{"type": "CRN", "value": crn}]},
        },
    )


@pytest.fixture
def park(store):
    def park_event(event_id: str, crn: str = "X123456", event_type: str = "person.community.manager.allocated") -> int:
        event = received(event_id, crn, event_type)
        store.dead_letter(
            Attempt(event, 9, f"task-{event_id}", None),
            Failure(
                "StaffNotInTeam",
                "Staff N01A001 is not a member of team N01T01",
                "Traceback (most recent call last):\nStaffNotInTeam: not a member",
            ),
        )
        return next(
            d.id for d in store.operator_view.list_dead_letters(None, limit=500).items if d.event_id == event_id
        )

    return park_event


@pytest.fixture
def cli(store, redis_url, sqs_queues, stack):
    queue = unique_name("cli_tasks")
    celery = Celery("cli-test", broker=redis_url, set_as_current=False)
    celery.conf.task_default_queue = queue
    broker = celery.connection_for_write()

    def dispatch(received: ReceivedEvent) -> str:
        return str(celery.send_task(task_name(received.event_type), args=[received.to_task_arg()]).id)

    client = sqs_queues[0]
    state = OperatorView(store.engine, lease=store.lease)
    operations = Operations(state, dispatch, SqsDlq(client, stack.sqs_queue, stack.sqs_dlq))

    def run(*args: str):
        return CliRunner().invoke(main, list(args), obj=operations, catch_exceptions=False)

    run.queued = lambda: int(broker_client(redis_url).llen(queue))
    yield run
    broker.release()
