"""Real services for the whole suite: PostgreSQL and Redis (the environment's, else embedded), moto SQS.

Each test session gets a fresh database with every schema created once; tests that write Delius rows use the
``delius`` fixture, which empties every table but the reference data first.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from factories import DeliusBuilder
from sqlalchemy import Engine, text

from allocations.config import DEFAULT_BROKER_URL, DEFAULT_DELIUS_USERNAME
from allocations.database import make_engine
from allocations.delius.models import metadata
from allocations_local import services
from allocations_local.delius_schema import REFERENCE_TABLES, init_db_with_delius

if TYPE_CHECKING:
    from collections.abc import Iterator

DELIUS_USERNAME = DEFAULT_DELIUS_USERNAME
CASE_TABLES = sorted(set(metadata.tables) - REFERENCE_TABLES)
TESTS = Path(__file__).resolve().parent
# Each folder's tests carry its marker, so ``-m integration`` or ``-m "not faults"`` selects by folder.
FOLDER_MARKERS = {
    "integration": "integration",
    "e2e": "e2e",
    "browser": "browser",
    "faults": "faults",
    "benchmarks": "benchmark",
}


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook deselects by ``-m``
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.resolve().relative_to(TESTS).parts[0]
        if folder in FOLDER_MARKERS:
            item.add_marker(FOLDER_MARKERS[folder])


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """The environment's PostgreSQL, else an embedded one.

    Its data lives outside pytest's temporary directories: pytest deletes old ones while a concurrent session (a
    second terminal) may still be running its server there.
    """
    with tempfile.TemporaryDirectory(prefix="allocations-pg-") as scratch:
        url, stop = services.start_postgres(os.environ.get("DATABASE_URL"), Path(scratch) / "data")
        yield url
        stop()


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh database holding the Delius schema, its reference data and the service's own schema."""
    url = services.create_database(postgres_server_url, services.unique_name("allocations_test"))
    init_db_with_delius(url, url, DELIUS_USERNAME)
    yield url
    services.drop_database(url)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The environment's Redis, else an embedded one; CELERY_BROKER_URL names it for every Celery app in the run."""
    url, stop = services.start_redis(
        os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL), tmp_path_factory.mktemp("redis")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CELERY_BROKER_URL", url)
        yield url
    stop()


@pytest.fixture(scope="session")
def sqs_endpoint() -> Iterator[str]:
    """A moto SQS server on 127.0.0.1 (real SQS JSON protocol over HTTP); it accepts any credentials."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "local")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "local")
        url, stop = services.start_sqs()
        yield url
        stop()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parent.parent / "artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def delius(engine: Engine) -> DeliusBuilder:
    """Delius emptied of everything but reference data, and a builder of scenario rows."""
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(CASE_TABLES)} CASCADE"))
    return DeliusBuilder(engine, DELIUS_USERNAME)
