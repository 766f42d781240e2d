"""The client's HMPPS Auth token: fetched once, shared, renewed before expiry or once when refused."""

import threading
import time

import pytest
from served_details import BODIES

from allocations.errors import InvalidMessage, WorkloadUnavailable
from allocations.routes import parse_detail
from allocations.workload.details import EventAllocationDetail


def test_one_token_serves_many_fetches(workload_stub, workload_client):
    urls = [workload_stub.add_detail(kind, body) for kind, body in BODIES.items()]

    for url in urls * 3:
        workload_client.fetch_json(url)

    assert workload_stub.token_requests() == 1


def test_token_is_renewed_before_it_expires(workload_stub, workload_client):
    workload_stub.state.token_ttl = 1
    url = workload_stub.add_detail("person", BODIES["person"])
    workload_client.fetch_json(url)

    time.sleep(1.0)
    workload_client.fetch_json(url)

    assert workload_stub.token_requests() == 2
    assert [r["status"] for r in workload_stub.requests_to(url)] == [200, 200]


def test_token_refused_after_expiry_is_renewed_once_and_the_fetch_succeeds(workload_stub, workload_client):
    url = workload_stub.add_detail("event", BODIES["event"])
    workload_client.fetch_json(url)
    workload_stub.expire_tokens()

    detail = parse_detail(workload_client.fetch_json(url))

    assert isinstance(detail, EventAllocationDetail)
    assert [r["status"] for r in workload_stub.requests_to(url)] == [200, 401, 200]
    assert workload_stub.token_requests() == 2


def test_detail_refused_with_a_fresh_token_too_is_invalid_after_one_renewal(workload_stub, workload_client):
    url = workload_stub.add_detail("person", BODIES["person"])
    workload_stub.fail_next(url, 401, times=5)

    with pytest.raises(InvalidMessage, match="HTTP 401"):
        workload_client.fetch_json(url)

    assert len(workload_stub.requests_to(url)) == 2
    assert workload_stub.token_requests() == 2


def test_bad_client_secret_is_transient_and_no_detail_is_requested(workload_stub, make_workload_client):
    client = make_workload_client(secret="wrong")
    url = workload_stub.add_detail("person", BODIES["person"])

    with pytest.raises(WorkloadUnavailable, match="HMPPS Auth answered HTTP 401"):
        client.fetch_json(url)

    assert workload_stub.requests_to(url) == []


def test_token_endpoint_outage_is_transient(workload_stub, workload_client):
    url = workload_stub.add_detail("person", BODIES["person"])
    workload_stub.fail_next(workload_stub.token_url, 503, times=1)

    with pytest.raises(WorkloadUnavailable, match="HMPPS Auth answered HTTP 503"):
        workload_client.fetch_json(url)
    assert workload_client.fetch_json(url)["id"] == "p-1"


def test_threads_sharing_a_client_share_one_token(workload_stub, workload_client):
    urls = [workload_stub.add_detail(kind, body) for kind, body in BODIES.items()]
    results = []

    def fetch_all():
        results.extend(workload_client.fetch_json(url)["id"] for url in urls)

    threads = [threading.Thread(target=fetch_all) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(results) == sorted(["p-1", "e-1", "r-1", "l-1"] * 6)
    assert workload_stub.token_requests() == 1
