"""Real services for the whole suite: PostgreSQL and Redis (the environment's, else embedded), moto SQS.

Each test session gets a fresh database with every schema created once; tests that write use the
``clean_database`` fixture (see tests/integration/conftest.py) to start from reference data only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from allocations.config import DEFAULT_BROKER_URL, DEFAULT_DELIUS_USERNAME
from allocations.database import init_db
from allocations.local import services

DELIUS_USERNAME = DEFAULT_DELIUS_USERNAME


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, stop = services.start_postgres(os.environ.get("DATABASE_URL"), tmp_path_factory.mktemp("pg") / "data")
    yield url
    stop()


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh database holding the Delius schema, its reference data and the service's own schema."""
    url = services.create_database(postgres_server_url, services.unique_name("allocations_test"))
    init_db(url, url, DELIUS_USERNAME)
    yield url
    services.drop_database(url)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, stop = services.start_redis(
        os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL), tmp_path_factory.mktemp("redis")
    )
    yield url
    stop()


@pytest.fixture(scope="session")
def sqs_endpoint() -> Iterator[str]:
    """A moto SQS server on 127.0.0.1 (real SQS JSON protocol over HTTP)."""
    url, stop = services.start_sqs()
    yield url
    stop()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parent.parent / "artifacts"
    path.mkdir(exist_ok=True)
    return path
