"""An HMPPS Auth client-credentials token, reused until shortly before it expires."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error  # type: ignore[import-untyped]
from oauthlib.oauth2.rfc6749.parameters import parse_token_response  # type: ignore[import-untyped]

from allocations.errors import WorkloadUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_SAFETY_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class _Token:
    access_token: str
    renew_at: float


class ClientCredentialsToken:
    """Fetches, caches and renews one bearer token; safe to share between the threads of one process.

    Transport is a plain ``requests.Session`` rather than ``requests_oauthlib.OAuth2Session`` because the latter
    refuses plain-http token URLs unless a process-wide environment variable is set, and the local stack is http.
    oauthlib still builds the request body and validates the token response.
    """

    def __init__(  # noqa: PLR0913 - the client-credentials grant's own parameters
        self,
        session: requests.Session,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: tuple[float, float],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._token_url = token_url
        self._auth = (client_id, client_secret)
        self._body: str = BackendApplicationClient(client_id).prepare_request_body(include_client_id=False)
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token: _Token | None = None

    def current(self) -> str:
        """A bearer token valid for a while yet, fetched when there is none or it is about to expire."""
        with self._lock:
            if self._token is None or self._clock() >= self._token.renew_at:
                self._token = self._fetch()
            return self._token.access_token

    def renew(self, rejected: str) -> str:
        """A new token after ``rejected`` was refused (unless another thread already replaced it)."""
        with self._lock:
            if self._token is None or self._token.access_token == rejected:
                self._token = self._fetch()
            return self._token.access_token

    def _fetch(self) -> _Token:
        started = self._clock()
        try:
            response = self._session.post(
                self._token_url,
                data=self._body,
                auth=self._auth,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise WorkloadUnavailable(f"HMPPS Auth unreachable at {self._token_url}: {error}") from None
        if response.status_code != requests.codes.ok:
            raise WorkloadUnavailable(
                f"HMPPS Auth answered HTTP {response.status_code} from {self._token_url}", status=response.status_code
            )
        try:
            token = parse_token_response(response.text)
        except (OAuth2Error, ValueError, Warning) as error:
            raise WorkloadUnavailable(f"HMPPS Auth sent an unusable token response: {error}") from None
        if str(token.get("token_type", "")).lower() != "bearer":
            raise WorkloadUnavailable(f"HMPPS Auth sent a {token.get('token_type')!r} token, not a bearer token")
        return _Token(str(token["access_token"]), started + _usable_seconds(token.get("expires_in")))


def _usable_seconds(expires_in: object) -> float:
    """The token's lifetime less a margin for clock drift and request time; no lifetime means until refused."""
    if not isinstance(expires_in, int | float) or expires_in <= 0:
        return math.inf
    return float(expires_in) - min(MAX_SAFETY_MARGIN_SECONDS, expires_in / 10)
