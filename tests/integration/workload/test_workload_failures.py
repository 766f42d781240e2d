"""Workload answering badly, slowly or not at all: which failures are transient and which make the message invalid."""

import time

import pytest
from served_details import BODIES

from allocations.errors import InvalidMessage, WorkloadUnavailable
from allocations.workload.client import WorkloadClient


def test_server_error_is_transient_and_the_next_fetch_succeeds(workload_stub, workload_client):
    url = workload_stub.add_detail("person", BODIES["person"])
    workload_stub.fail_next(url, 503, times=1)

    with pytest.raises(WorkloadUnavailable, match="HTTP 503"):
        workload_client.fetch_json(url)
    assert workload_client.fetch_json(url)["id"] == "p-1"


def test_bad_request_is_invalid(workload_stub, workload_client):
    url = workload_stub.add_detail("person", BODIES["person"])
    workload_stub.fail_next(url, 400, times=1)

    with pytest.raises(InvalidMessage, match=f"HTTP 400 from {url}"):
        workload_client.fetch_json(url)


def test_unknown_allocation_is_transient_not_found(workload_stub, workload_client):
    url = f"{workload_stub.base_url}/allocation/person/never-published"

    with pytest.raises(WorkloadUnavailable, match="HTTP 404"):
        workload_client.fetch_json(url)


def test_slow_answer_past_the_read_timeout_is_transient(workload_stub, make_workload_client):
    client = make_workload_client(read_timeout=0.2)
    url = workload_stub.add_detail("person", BODIES["person"])
    client.fetch_json(url)
    workload_stub.delay(url, 1.0)

    started = time.monotonic()
    with pytest.raises(WorkloadUnavailable, match="Workload unreachable"):
        client.fetch_json(url)

    assert time.monotonic() - started < 0.9


def test_a_body_dribbled_out_slower_than_the_read_timeout_in_total_is_transient(workload_stub, make_workload_client):
    client = make_workload_client(read_timeout=0.5)
    url = workload_stub.add_detail("person", BODIES["person"])
    workload_stub.slow_body(url, chunk_size=8, interval=0.1)  # each chunk well inside the timeout; the whole, not

    with pytest.raises(WorkloadUnavailable, match="too slowly"):
        client.fetch_json(url)
    workload_stub.clear_slow_body(url)


def test_unreachable_workload_is_transient(workload_stub):
    token_url, base_url = workload_stub.token_url, workload_stub.base_url
    workload_stub.stop()

    with (
        WorkloadClient(token_url, "id", "secret", [base_url], connect_timeout=1, read_timeout=1) as client,
        pytest.raises(WorkloadUnavailable, match="HMPPS Auth unreachable"),
    ):
        client.fetch_json(f"{base_url}/allocation/person/p-1")
