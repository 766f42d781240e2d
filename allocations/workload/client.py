"""Fetches allocation details from Workload with an HMPPS Auth bearer token."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, Self

import requests
from oauthlib.oauth2.rfc6749.tokens import prepare_bearer_headers  # type: ignore[import-untyped]
from prometheus_client import Counter, Histogram

from allocations.errors import InvalidMessage, WorkloadUnavailable
from allocations.workload.allowed_urls import check_allowed, parse_prefixes
from allocations.workload.http_errors import error_for_status
from allocations.workload.token import ClientCredentialsToken

if TYPE_CHECKING:
    from collections.abc import Iterable

    from allocations.config import Settings


# A detail is a few hundred bytes; anything near this is not a detail, and must not cost a worker its memory.
MAX_DETAIL_BYTES = 1024 * 1024

# Labelled, so that a prefork worker's children write them where its main process merges them (tasks/metrics.py).
REQUEST_SECONDS = Histogram(
    "allocations_workload_request_duration_seconds",
    "Workload detail GETs: time to the response headers, by status (or timeout, unreachable, invalid-url).",
    ["status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUEST_ERRORS = Counter(
    "allocations_workload_request_errors", "Workload detail calls that failed, by status or failure.", ["status"]
)


def _observe(status: str, started: float) -> None:
    REQUEST_SECONDS.labels(status=status).observe(time.perf_counter() - started)
    if not status.startswith(("2", "3")):
        REQUEST_ERRORS.labels(status=status).inc()


class WorkloadClient:
    """One keep-alive HTTP session and one cached token per process; every failure is an allocation error."""

    def __init__(  # noqa: PLR0913 - each is a separate setting
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        allowed_urls: Iterable[str],
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
    ) -> None:
        self._prefixes = parse_prefixes(allowed_urls)
        self._timeout = (connect_timeout, read_timeout)
        self._session = requests.Session()
        self._token = ClientCredentialsToken(self._session, token_url, client_id, client_secret, timeout=self._timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkloadClient:
        """The client the service's settings describe."""
        return cls(
            token_url=settings.oauth_token_url,
            client_id=settings.oauth_client_id,
            client_secret=settings.oauth_client_secret,
            allowed_urls=settings.workload_allowed_urls,
            connect_timeout=settings.http_connect_timeout,
            read_timeout=settings.http_read_timeout,
        )

    def fetch_json(self, detail_url: str) -> dict[str, Any]:
        """GET ``detail_url`` and return its JSON object (``allocations.routes.parse_detail`` reads it).

        Raises InvalidMessage for a URL outside the allow-list, a 4xx other than 404/408/429 or a body that is not a
        JSON object; WorkloadUnavailable for 404/408/429/5xx, timeouts, connection and token failures.
        """
        check_allowed(detail_url, self._prefixes)
        token = self._token.current()
        response = self._get(detail_url, token)
        if response.status_code == requests.codes.unauthorized:
            # Once only: a token refused twice in a row is not going to be accepted on a third try.
            response.close()
            response = self._get(detail_url, self._token.renew(token))
        with response:
            error = error_for_status(response.status_code, detail_url)
            if error is not None:
                raise error
            content = self._read_body(response, detail_url)
        try:
            body = json.loads(content)
        except (ValueError, RecursionError):  # RecursionError: nested too deeply to decode; no retry will help
            raise InvalidMessage(f"{detail_url} did not answer with JSON", url=detail_url) from None
        if not isinstance(body, dict):
            raise InvalidMessage(f"{detail_url} did not answer with a JSON object", url=detail_url)
        return body

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _read_body(self, response: requests.Response, url: str) -> bytes:
        """The body, at most MAX_DETAIL_BYTES; one that took longer than the read timeout in all is transient.

        A bigger body is invalid rather than a worker's memory. A body dribbled out too slowly to trip the read
        timeout of any one read fails its attempt (the task's time limit bounds the longest such wait).
        """
        deadline = time.monotonic() + self._timeout[1]
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > MAX_DETAIL_BYTES:
                    raise InvalidMessage(f"{url} answered with more than {MAX_DETAIL_BYTES} bytes", url=url)
                if time.monotonic() > deadline:
                    raise WorkloadUnavailable(f"{url} sent its body too slowly", url=url)
                chunks.append(chunk)
        except requests.RequestException as error:
            raise WorkloadUnavailable(f"Workload body from {url} not received: {error}", url=url) from None
        return b"".join(chunks)

    def _get(self, url: str, token: str) -> requests.Response:
        headers: dict[str, str] = prepare_bearer_headers(token, {"Accept": "application/json"})
        started = time.perf_counter()
        try:
            response = self._session.get(
                url, headers=headers, timeout=self._timeout, allow_redirects=False, stream=True
            )
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):
            _observe("invalid-url", started)
            raise InvalidMessage(f"detailUrl is not a usable URL: {url}", url=url) from None
        except requests.RequestException as error:
            _observe("timeout" if isinstance(error, requests.Timeout) else "unreachable", started)
            raise WorkloadUnavailable(f"Workload unreachable at {url}: {error}", url=url) from None
        _observe(str(response.status_code), started)
        return response
