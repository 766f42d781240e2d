import subprocess
import sys

import pytest
import requests

from allocations_local.workload_stub import WorkloadStub

PERSON = {
    "id": "p-9",
    "crn": "X123456",
    "staffCode": "C01T04A",
    "teamCode": "C01T04",
    "createdDate": "2025-03-04T14:05:09.118Z",
}


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def _token(http, stub, **form):
    return http.post(
        stub.token_url,
        data={"grant_type": "client_credentials", **form},
        auth=None if form else ("allocations-test", "allocations-test-secret"),
        timeout=5,
    )


def _bearer(http, stub):
    return {"Authorization": f"Bearer {_token(http, stub).json()['access_token']}"}


def test_token_endpoint_issues_bearer_tokens_for_basic_or_form_credentials(http, workload_stub):
    by_basic = _token(http, workload_stub)
    by_form = _token(http, workload_stub, client_id="allocations-test", client_secret="allocations-test-secret")

    for response in (by_basic, by_form):
        assert response.status_code == 200
        assert response.json()["token_type"] == "bearer"
        assert response.json()["expires_in"] == 1200
    assert by_basic.json()["access_token"] != by_form.json()["access_token"]
    assert workload_stub.token_requests() == 2


def test_token_endpoint_refuses_wrong_credentials_and_other_grants(http, workload_stub):
    wrong = _token(http, workload_stub, client_id="allocations-test", client_secret="nope")
    grant = http.post(workload_stub.token_url, data={"grant_type": "password"}, timeout=5)

    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid_client"})
    assert (grant.status_code, grant.json()) == (400, {"error": "unsupported_grant_type"})


def test_detail_needs_a_valid_unexpired_bearer_token(http, workload_stub):
    url = workload_stub.add_detail("person", PERSON)
    headers = _bearer(http, workload_stub)

    anonymous = http.get(url, timeout=5)
    forged = http.get(url, headers={"Authorization": "Bearer forged"}, timeout=5)
    valid = http.get(url, headers=headers, timeout=5)
    workload_stub.expire_tokens()
    expired = http.get(url, headers=headers, timeout=5)

    assert [anonymous.status_code, forged.status_code, valid.status_code, expired.status_code] == [401, 401, 200, 401]
    assert valid.json() == PERSON


def test_control_endpoints_drive_the_stub_over_http(http, workload_stub):
    base = workload_stub.base_url
    path = "/allocation/person/p-9"
    headers = _bearer(http, workload_stub)

    put = http.put(f"{base}/_stub/details/person/p-9", json=PERSON, timeout=5)
    served = http.get(base + path, headers=headers, timeout=5)
    failed = http.post(f"{base}/_stub/failures", json={"path": path, "status": 503, "times": 2}, timeout=5)
    statuses = [http.get(base + path, headers=headers, timeout=5).status_code for _ in range(3)]
    delayed = http.post(f"{base}/_stub/delay", json={"path": path, "seconds": 0.3}, timeout=5)
    slow = http.get(base + path, headers=headers, timeout=5)
    log = http.get(f"{base}/_stub/requests", timeout=5).json()
    only_path = http.get(f"{base}/_stub/requests", params={"path": path}, timeout=5).json()

    assert (put.status_code, put.json()) == (201, {"path": path})
    assert served.json() == PERSON
    assert failed.status_code == delayed.status_code == 200
    assert statuses == [503, 503, 200]
    assert slow.elapsed.total_seconds() >= 0.3
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/auth/oauth/token", 200),
        ("GET", path, 200),
        ("GET", path, 503),
        ("GET", path, 503),
        ("GET", path, 200),
        ("GET", path, 200),
    ]
    assert all(isinstance(e["time"], float) for e in log)
    assert only_path == log[1:]

    reset = http.post(f"{base}/_stub/reset", timeout=5)
    gone = http.get(base + path, headers=headers, timeout=5)

    assert reset.status_code == 200
    assert gone.status_code == 404
    assert http.get(f"{base}/_stub/requests", timeout=5).json() == [
        {"method": "GET", "path": path, "status": 404, "time": workload_stub.requests_to(path)[0]["time"]}
    ]


def test_token_expiry_can_be_forced_over_http(http, workload_stub):
    url = workload_stub.add_detail("person", PERSON)
    headers = _bearer(http, workload_stub)

    expire = http.post(f"{workload_stub.base_url}/_stub/expire-tokens", timeout=5)

    assert expire.status_code == 200
    assert http.get(url, headers=headers, timeout=5).status_code == 401


@pytest.mark.parametrize(
    ("call", "body", "status"),
    [
        ("PUT /_stub/details/people/p-1", PERSON, 400),
        ("PUT /_stub/details/person/p-1", [1, 2], 400),
        ("PUT /_stub/details/person/", PERSON, 400),
        ("POST /_stub/failures", {"path": "/allocation/person/p-1"}, 400),
        ("POST /_stub/delay", {"seconds": "soon"}, 400),
        ("POST /_stub/explode", {}, 404),
        ("GET /_stub/reset", None, 404),
    ],
)
def test_bad_control_requests_are_refused(http, workload_stub, call, body, status):
    method, path = call.split()

    response = http.request(method, workload_stub.base_url + path, json=body, timeout=5)

    assert response.status_code == status
    assert "error" in response.json()
    assert workload_stub.state.requests() == []


def test_python_api_refuses_unknown_kinds(workload_stub):
    with pytest.raises(ValueError, match="kind must be one of"):
        workload_stub.add_detail("people", PERSON)


def test_unknown_paths_are_not_found(http, workload_stub):
    assert http.get(f"{workload_stub.base_url}/health", timeout=5).status_code == 404


def test_stub_runs_as_its_own_process_and_stops_on_sigterm(http):
    process = subprocess.Popen(
        [sys.executable, "-m", "allocations_local.workload_stub", "--host", "127.0.0.1", "--port", "0",
         "--client-id", "cli", "--client-secret", "cli-secret", "--token-ttl", "60"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        banner = process.stdout.readline()
        base_url = banner.split(" listening on ")[1].split()[0]
        token = http.post(
            f"{base_url}/auth/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("cli", "cli-secret"),
            timeout=5,
        )
        assert token.json()["expires_in"] == 60
    finally:
        process.terminate()
        code = process.wait(timeout=10)
        process.stdout.close()
    assert code == 0


def test_stub_stops_and_frees_its_port():
    stub = WorkloadStub().start()
    base_url = stub.base_url
    stub.stop()

    with pytest.raises(requests.ConnectionError):
        requests.get(base_url, timeout=2)
    with pytest.raises(RuntimeError, match="not running"):
        _ = stub.base_url
