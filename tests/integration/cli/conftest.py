from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations_local import delius_schema, services

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def fresh_database_url(postgres_server_url: str) -> Iterator[str]:
    """An empty database of its own, dropped afterwards."""
    url = services.create_database(postgres_server_url, services.unique_name("allocations_init_db"))
    yield url
    services.drop_database(url)


@pytest.fixture
def delius_only_url(fresh_database_url: str) -> str:
    """A database holding Delius (tables and reference data, made by the local package) and nothing of the service."""
    delius_schema.create_delius(fresh_database_url, DEFAULT_DELIUS_USERNAME)
    return fresh_database_url
