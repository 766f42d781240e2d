"""The Workload client: fetching and parsing each detail type, from allowed URLs only, over kept-alive connections."""

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from served_details import BODIES

from allocations.errors import InvalidMessage
from allocations.routes import parse_detail
from allocations.workload.client import WorkloadClient
from allocations.workload.details import (
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)


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

    detail = parse_detail(workload_client.fetch_json(url))

    assert type(detail) is detail_class
    assert detail.id == BODIES[kind]["id"]
    assert detail.created_date == datetime(2025, 3, 4, 14, 5, 9, 118000, tzinfo=UTC)


def test_fetch_json_returns_the_body_as_served(workload_stub, workload_client):
    url = workload_stub.add_detail("person", BODIES["person"])

    assert workload_client.fetch_json(url) == BODIES["person"]
    assert parse_detail(workload_client.fetch_json(url)).allocation_reason is AllocationReason.OFFICER_LEFT


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
