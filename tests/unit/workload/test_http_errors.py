import pytest

from allocations.errors import InvalidMessage, WorkloadUnavailable
from allocations.workload.http_errors import error_for_status

URL = "https://workload.example/allocation/person/1"


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_success_statuses_are_no_error(status):
    assert error_for_status(status, URL) is None


@pytest.mark.parametrize("status", [404, 408, 429, 500, 502, 503, 504, 599])
def test_not_found_timeouts_throttling_and_server_errors_are_transient(status):
    error = error_for_status(status, URL)

    assert type(error) is WorkloadUnavailable
    assert error.message == f"HTTP {status} from {URL}"
    assert error.properties == {"status": status, "url": URL}


@pytest.mark.parametrize("status", [400, 401, 403, 405, 409, 410, 422, 301, 302, 100])
def test_other_statuses_are_invalid_at_once(status):
    error = error_for_status(status, URL)

    assert type(error) is InvalidMessage
    assert str(status) in error.message
    assert URL in error.message
