"""A real worker whose Redis, PostgreSQL and SQS endpoint are each reached through a proxy a test can cut.

The SQS endpoint is a moto server process of this module's own, so that a test can also freeze it (SIGSTOP): its
TCP connections stay open and nothing answers, as with an endpoint that hangs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from faults.support.postgres_server import PostgresServer
from faults.support.proxy import TcpProxy
from faults.support.redis_server import RedisServer
from sqlalchemy import make_url
from support.limits import FAST_LIMITS
from support.network import free_port
from support.polling import wait_until

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.sqs import sqs_client
from allocations_local.delius_schema import init_db_with_delius
from allocations_local.environment import LocalStack, service_environment
from allocations_local.queues import create_queues
from allocations_local.services import unique_name

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class MotoProcess:
    """A moto SQS server process on 127.0.0.1."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def moto_process(sqs_endpoint) -> Iterator[MotoProcess]:  # the session's SQS fixture sets the AWS credentials
    port = free_port()
    server = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    moto = MotoProcess(process, port)

    def answers() -> bool:
        try:
            sqs_client("eu-west-2", moto.endpoint).list_queues()
        except Exception:  # noqa: BLE001 - not listening yet
            return False
        return True

    try:
        wait_until(answers, 30, 0.2, "the moto server")
        yield moto
    finally:
        moto.thaw()
        process.terminate()
        process.wait(10)


@dataclass
class Cuttable:
    """The worker's three dependencies, each behind a proxy; the worker's health port."""

    broker: TcpProxy
    database: TcpProxy
    sqs: TcpProxy
    moto: MotoProcess
    env: dict[str, str]
    port: int


@pytest.fixture(scope="module")
def tcp_database_url(database_url: str) -> Iterator[str]:
    """The session's database when it is reached over TCP; else (an embedded server on a unix socket) a dedicated
    PostgreSQL on 127.0.0.1 with the same schemas, since only a TCP connection can go through a proxy."""
    if make_url(database_url).host:
        yield database_url
        return
    with PostgresServer() as server:
        url = server.create_database(unique_name("health"))
        init_db_with_delius(url, url, DEFAULT_DELIUS_USERNAME)
        yield url


@pytest.fixture(scope="module")
def tcp_redis_url(redis_url: str) -> Iterator[str]:
    """The session's Redis when it is reached over TCP; else a dedicated Redis on 127.0.0.1."""
    if redis_url.startswith("redis://"):
        yield redis_url
        return
    with RedisServer(appendfsync="no") as server:
        yield server.url


@pytest.fixture(scope="module")
def cuttable(tcp_database_url, tcp_redis_url, moto_process) -> Iterator[Cuttable]:
    database_url, redis_url = tcp_database_url, tcp_redis_url
    redis_address = make_url(redis_url)
    database_address = make_url(database_url)
    with (
        TcpProxy(str(redis_address.host), int(redis_address.port or 6379)) as broker,
        TcpProxy(str(database_address.host), int(database_address.port or 5432)) as database,
        TcpProxy("127.0.0.1", moto_process.port) as sqs,
    ):
        name = unique_name("health")
        create_queues(sqs_client("eu-west-2", moto_process.endpoint), name, f"{name}-dlq", visibility_timeout=1)
        stack = LocalStack(
            database.url_for(database_url),
            f"redis://127.0.0.1:{broker.port}/{redis_address.database or 0}",
            f"http://127.0.0.1:{sqs.port}",
            name,
            f"{name}-dlq",
            "http://127.0.0.1:9",
            "http://127.0.0.1:9/token",
        )
        port = free_port()
        env = {**os.environ, **service_environment(
            stack, CELERY_TASK_QUEUE=unique_name("tasks"), HEALTH_PORT=str(port), HEALTH_HOST="127.0.0.1",
            HEALTH_CHECK_TIMEOUT="1", INGEST_STALL_AFTER="8", **FAST_LIMITS,
        )}  # fmt: skip
        yield Cuttable(broker, database, sqs, moto_process, env, port)
