"""The one place an HTTP status from Workload or HMPPS Auth becomes an error class."""

from __future__ import annotations

from http import HTTPStatus

from allocations.errors import AllocationError, InvalidMessage, WorkloadUnavailable

# 404 is transient because Workload publishes just after its save and a replica may not have the row yet.
_TRANSIENT_CLIENT_ERRORS = frozenset({HTTPStatus.NOT_FOUND, HTTPStatus.REQUEST_TIMEOUT, HTTPStatus.TOO_MANY_REQUESTS})


def error_for_status(status: int, url: str) -> AllocationError | None:
    """None for 2xx; WorkloadUnavailable for 404, 408, 429 and 5xx; InvalidMessage for anything else.

    Anything else includes 3xx: redirects are not followed, so a redirect can never lead outside the allow-list.
    """
    if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
        return None
    message = f"HTTP {status} from {url}"
    if status in _TRANSIENT_CLIENT_ERRORS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return WorkloadUnavailable(message, status=status, url=url)
    return InvalidMessage(message, status=status, url=url)
