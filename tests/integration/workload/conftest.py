"""A real Workload stub on 127.0.0.1 per test, and clients allowed to read its details."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from allocations.workload.client import WorkloadClient
from allocations_local.workload_stub import WorkloadStub

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CLIENT_ID = "allocations-test"
CLIENT_SECRET = "allocations-test-secret"


@pytest.fixture
def workload_stub() -> Iterator[WorkloadStub]:
    with WorkloadStub(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as stub:
        yield stub


@pytest.fixture
def make_workload_client(workload_stub: WorkloadStub) -> Iterator[Callable[..., WorkloadClient]]:
    """``make_workload_client(secret=..., read_timeout=...)``: a client of the stub, closed after the test."""
    clients: list[WorkloadClient] = []

    def make(*, secret: str = CLIENT_SECRET, read_timeout: float = 5.0) -> WorkloadClient:
        client = WorkloadClient(
            workload_stub.token_url,
            CLIENT_ID,
            secret,
            [f"{workload_stub.base_url}/allocation/"],
            connect_timeout=2.0,
            read_timeout=read_timeout,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def workload_client(make_workload_client: Callable[..., WorkloadClient]) -> WorkloadClient:
    return make_workload_client()
