import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from allocations.errors import InvalidMessage, WorkloadUnavailable
from allocations.workload.client import WorkloadClient
from allocations.workload.details import (
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)

pytestmark = pytest.mark.integration

COMMON = {"staffCode": "C01T04A", "teamCode": "C01T04", "createdDate": "2025-03-04T14:05:09.118Z", "createdBy": "x"}
BODIES = {
    "person": {"id": "p-1", "crn": "A987654", "allocationReason": "OFFICER_LEFT", **COMMON},
    "event": {"id": "e-1", "eventNumber": 3, "spoStaffCode": "C01T04S", "sensitiveOversightNotes": None, **COMMON},
    "requirements": {"id": "r-1", "eventNumber": 3, "requirementId": 4412089, **COMMON},
    "licence-conditions": {"id": "l-1", "eventNumber": 2, "licenceConditionId": 771, **COMMON},
}


@pytest.mark.parametrize(
    ("kind", "detail_class"),
    [
        ("person", PersonAllocationDetail),
        ("event", EventAllocationDetail),
        ("requirements", RequirementAllocationDetail),
        ("licence-conditions", LicenceConditionAllocationDetail),
    ],
)
def test_each_detail_type_is_fetched_and_parsed(workload_stub, workload_client, kind, detail_class):
    url = workload_stub.add_detail(kind, BODIES[kind])

    detail = workload_client.fetch_detail(url)

    assert type(detail) is detail_class
    assert detail.id == BODIES[kind]["id"]
    assert detail.created_date == datetime(2025, 3, 4, 14, 5, 9, 118000, tzinfo=UTC)


def test_fetch_json_returns_the_body_as_served(workload_stub, workload_client):
    url = workload_stub.add_detail("person", BODIES["person"])

    assert workload_client.fetch_json(url) == BODIES["person"]
    assert workload_client.fetch_detail(url).allocation_reason is AllocationReason.OFFICER_LEFT


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

    detail = workload_client.fetch_detail(url)

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


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2:{port}/allocation/person/p-1",
        "http://localhost:{port}/allocation/person/p-1",
        "http://127.0.0.1:{port}/_stub/reset",
        "http://127.0.0.1:{port}/allocation/../_stub/reset",
        "https://127.0.0.1:{port}/allocation/person/p-1",
    ],
)
def test_disallowed_url_is_refused_without_any_request(workload_stub, workload_client, url):
    port = workload_stub.base_url.rsplit(":", 1)[1]

    with pytest.raises(InvalidMessage, match="detailUrl is not an allowed Workload URL"):
        workload_client.fetch_json(url.format(port=port))

    assert workload_stub.state.requests() == []


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


def test_unreachable_workload_is_transient(workload_stub):
    token_url, base_url = workload_stub.token_url, workload_stub.base_url
    workload_stub.stop()

    with (
        WorkloadClient(token_url, "id", "secret", [base_url], connect_timeout=1, read_timeout=1) as client,
        pytest.raises(WorkloadUnavailable, match="HMPPS Auth unreachable"),
    ):
        client.fetch_json(f"{base_url}/allocation/person/p-1")


@pytest.mark.parametrize(("content", "problem"), [(b"<html>oops</html>", "with JSON"), (b"[1, 2]", "JSON object")])
def test_body_that_is_not_a_json_object_is_invalid(workload_stub, content, problem):
    server = _serve_constant(content)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with (
            WorkloadClient(
                workload_stub.token_url, "allocations-test", "allocations-test-secret", [base_url], read_timeout=2
            ) as client,
            pytest.raises(InvalidMessage, match=problem),
        ):
            client.fetch_json(f"{base_url}/allocation/person/p-1")
    finally:
        server.shutdown()
        server.server_close()


def test_keep_alive_fetches_are_not_stalled_by_nagle(workload_stub, workload_client):
    url = workload_stub.add_detail("person", BODIES["person"])
    workload_client.fetch_json(url)

    started = time.monotonic()
    for _ in range(20):
        workload_client.fetch_json(url)

    # With Nagle and delayed ACKs each request stalls ~40 ms (0.8 s in all); unstalled they take ~1 ms each.
    assert time.monotonic() - started < 0.5


def _serve_constant(content: bytes) -> ThreadingHTTPServer:
    class Constant(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Constant)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


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
