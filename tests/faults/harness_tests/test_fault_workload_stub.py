import time

import pytest
import requests

from allocations_local.workload_stub import WorkloadStub

CLIENT = ("faults-client", "faults-secret")
DETAIL = {"id": "p-1", "crn": "X123456", "staffCode": "C01T04A", "teamCode": "C01T04", "notes": "x" * 120}


@pytest.fixture
def stub():
    with WorkloadStub(client_id=CLIENT[0], client_secret=CLIENT[1]) as stub:
        yield stub


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def _headers(http, stub):
    token = http.post(stub.token_url, data={"grant_type": "client_credentials"}, auth=CLIENT, timeout=5)
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _outcomes(stub, url, headers, count, read_timeout):
    outcomes = []
    with requests.Session() as http:
        for _ in range(count):
            try:
                outcomes.append(http.get(url, headers=headers, timeout=(2, read_timeout)).status_code)
            except requests.Timeout:
                outcomes.append("timeout")
    return outcomes


def test_failure_mix_ratio_over_200_requests_is_within_bounds_and_reproducible(stub, http):
    url = stub.add_detail("person", DETAIL)
    headers = _headers(http, stub)

    stub.failure_mix(error_rate=0.3, hang_rate=0.1, hang_seconds=1.0, seed=11)
    first = _outcomes(stub, url, headers, 200, read_timeout=0.1)
    counted = stub.injected()
    stub.release_held()
    stub.failure_mix(error_rate=0.3, hang_rate=0.1, hang_seconds=1.0, seed=11)
    second = _outcomes(stub, url, headers, 50, read_timeout=0.1)
    stub.release_held()

    assert 40 <= first.count(503) <= 80
    assert 8 <= first.count("timeout") <= 35
    assert first.count(200) + first.count(503) + first.count("timeout") == 200
    assert counted == {"error": first.count(503), "hang": first.count("timeout"), "ok": first.count(200)}
    assert second == first[:50]


def test_slow_body_sends_headers_at_once_and_dribbles_the_body(stub, http):
    url = stub.add_detail("person", DETAIL)
    headers = _headers(http, stub)
    stub.slow_body(url, chunk_size=40, interval=0.1)

    started = time.monotonic()
    response = http.get(url, headers=headers, stream=True, timeout=(2, 0.5))
    headers_after = time.monotonic() - started
    body = response.json()
    total = time.monotonic() - started

    assert response.status_code == 200
    assert body == DETAIL
    assert headers_after < 0.1
    assert total >= 0.4  # about 200 bytes in five chunks, four waits
    assert stub.injected() == {"slow": 1}

    stub.clear_slow_body(url)
    assert http.get(url, headers=headers, timeout=2).elapsed.total_seconds() < 0.1


def test_token_endpoint_down_for_a_period_then_back(stub, http):
    stub.token_down(0.4)
    down = http.post(stub.token_url, data={"grant_type": "client_credentials"}, auth=CLIENT, timeout=5)
    time.sleep(0.5)
    back = http.post(stub.token_url, data={"grant_type": "client_credentials"}, auth=CLIENT, timeout=5)

    stub.token_down(5, mode="reset")
    with pytest.raises(requests.ConnectionError):
        requests.post(stub.token_url, data={"grant_type": "client_credentials"}, auth=CLIENT, timeout=5)
    stub.token_down(0)

    assert (down.status_code, back.status_code) == (503, 200)
    assert stub.injected() == {"token_5xx": 1, "token_reset": 1}
    assert [entry["status"] for entry in stub.requests_to(stub.token_url)] == [503, 200, 0]


def test_fault_modes_over_http_control_endpoints(stub, http):
    url = stub.add_detail("person", DETAIL)
    headers = _headers(http, stub)
    base = stub.base_url

    mix = http.post(f"{base}/_stub/failure-mix", json={"error_rate": 1.0, "status": 502, "seed": 1}, timeout=5)
    failed = http.get(url, headers=headers, timeout=5)
    cleared = http.post(f"{base}/_stub/failure-mix", json={}, timeout=5)
    served = http.get(url, headers=headers, timeout=5)
    slow = http.post(f"{base}/_stub/slow-body", json={"path": url, "chunk_size": 50, "interval": 0.01}, timeout=5)
    slowly = http.get(url, headers=headers, timeout=5)
    down = http.post(f"{base}/_stub/token-down", json={"seconds": 5}, timeout=5)
    token = http.post(stub.token_url, data={"grant_type": "client_credentials"}, auth=CLIENT, timeout=5)
    injected = http.get(f"{base}/_stub/injected", timeout=5).json()
    bad = http.post(f"{base}/_stub/failure-mix", json={"error_rate": 0.8, "hang_rate": 0.5}, timeout=5)
    bad_mode = http.post(f"{base}/_stub/token-down", json={"seconds": 1, "mode": "sometimes"}, timeout=5)
    reset = http.post(f"{base}/_stub/reset", timeout=5)

    assert [r.status_code for r in (mix, cleared, slow, down, reset)] == [200] * 5
    assert (failed.status_code, served.status_code, slowly.json(), token.status_code) == (502, 200, DETAIL, 503)
    assert injected == {"error": 1, "slow": 1, "token_5xx": 1}
    assert (bad.status_code, bad_mode.status_code) == (400, 400)
    assert stub.injected() == {}


def test_stop_releases_held_requests_at_once():
    stub = WorkloadStub(client_id=CLIENT[0], client_secret=CLIENT[1]).start()
    url = stub.add_detail("person", DETAIL)
    with requests.Session() as http:
        headers = _headers(http, stub)
        stub.failure_mix(hang_rate=1.0, hang_seconds=60)
        with pytest.raises(requests.Timeout):
            http.get(url, headers=headers, timeout=(2, 0.2))
    started = time.monotonic()
    stub.stop()

    assert time.monotonic() - started < 1
    assert stub.injected()["hang"] == 1
