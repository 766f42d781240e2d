"""Dedicated servers for the fault tools' own tests: one PostgreSQL and one Redis for the module, stopped by PID."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from faults.support.postgres_server import PostgresServer
from faults.support.redis_server import RedisServer

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server
