"""The project's own local Workload detail API and HMPPS Auth token endpoint, for the demo and the tests.

Runs in-process (``WorkloadStub``) or as ``python -m allocations_local.workload_stub --port 8090``; either way it can be
driven over HTTP through ``/_stub/`` control endpoints, which share ``StubState`` with the Python API.

Fault modes for reliability tests, switched at run time (Python API or ``/_stub/`` endpoint):

* ``failure_mix(error_rate=0.3, hang_rate=0.1, seed=7)`` (``POST /_stub/failure-mix``): a seeded share of detail
  requests answered 5xx, held past the client's read timeout, or sent with a slow body;
* ``slow_body(path, chunk_size, interval)`` (``POST /_stub/slow-body``): headers at once, the body dribbled out;
* ``token_down(seconds, mode="5xx"|"reset")`` (``POST /_stub/token-down``): the token endpoint fails for a period;
* ``injected()`` (``GET /_stub/injected``): what each mode did; ``release_held()`` ends every hold at once.
"""

from __future__ import annotations

import threading
from typing import Any, Self
from urllib.parse import urlsplit

from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET
from allocations_local.workload_stub.faults import FailureMix, SlowBody, TokenDownMode
from allocations_local.workload_stub.server import DETAIL_PREFIX, TOKEN_PATH, StubServer
from allocations_local.workload_stub.state import KINDS, StubState

__all__ = ["KINDS", "TOKEN_PATH", "FailureMix", "SlowBody", "StubState", "WorkloadStub"]

DEFAULT_TOKEN_TTL = 1200


class WorkloadStub:
    """A running stub on ``host:port`` (port 0 picks a free one); also a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str = LOCAL_CLIENT_ID,
        client_secret: str = LOCAL_CLIENT_SECRET,
        token_ttl: int = DEFAULT_TOKEN_TTL,
    ) -> None:
        self.state = StubState(client_id, client_secret, token_ttl)
        self._address = (host, port)
        self._server: StubServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Listen and serve on a background thread."""
        self._server = StubServer(self._address, self.state)
        # A short poll interval lets stop() return in milliseconds instead of the default half second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="workload-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket (held requests are released first)."""
        self.state.release_held()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running stub."""
        if self._server is None:
            raise RuntimeError("the Workload stub is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token_url(self) -> str:
        """The HMPPS Auth token endpoint."""
        return self.base_url + TOKEN_PATH

    def add_detail(self, kind: str, body: dict[str, Any]) -> str:
        """Serve ``body`` at ``/allocation/<kind>/<body["id"]>`` and return its detail URL."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        path = f"{DETAIL_PREFIX}{kind}/{body['id']}"
        self.state.put_detail(path, body)
        return self.base_url + path

    def fail_next(self, path: str, status: int, times: int = 1) -> None:
        """Answer the next ``times`` requests to ``path`` (a path or a full URL) with ``status``."""
        self.state.fail_next(_path(path), status, times)

    def delay(self, path: str, seconds: float) -> None:
        """Wait ``seconds`` before answering each request to ``path`` (a path or a full URL)."""
        self.state.set_delay(_path(path), seconds)

    def requests_to(self, path: str) -> list[dict[str, Any]]:
        """Logged requests (method, path, status, time) to ``path`` (a path or a full URL), oldest first."""
        return self.state.requests(_path(path))

    def token_requests(self) -> int:
        """How many token requests arrived, whatever their answer."""
        return len(self.state.requests(TOKEN_PATH))

    def expire_tokens(self) -> None:
        """Expire every issued token now (clients still think theirs are valid)."""
        self.state.expire_tokens()

    def reset(self) -> None:
        """Forget details, failures, delays, fault modes, their counters and the request log."""
        self.state.reset()

    def failure_mix(  # noqa: PLR0913 - one knob per fault, all keyword-only
        self,
        *,
        error_rate: float = 0.0,
        hang_rate: float = 0.0,
        slow_rate: float = 0.0,
        status: int = 503,
        hang_seconds: float = 30.0,
        chunk_size: int = 16,
        interval: float = 0.05,
        seed: int = 0,
    ) -> None:
        """Inject a seeded mix of failures into detail requests.

        Each request draws once: ``error_rate`` of them are answered ``status``, ``hang_rate`` held ``hang_seconds``
        (make it longer than the client's read timeout) and then answered, ``slow_rate`` sent with a slow body
        (``chunk_size`` bytes every ``interval`` seconds); the rest as usual.
        """
        mix = FailureMix(error_rate, hang_rate, slow_rate, status, hang_seconds, SlowBody(chunk_size, interval))
        self.state.set_failure_mix(mix, seed)

    def clear_failure_mix(self) -> None:
        """Answer detail requests as usual again."""
        self.state.set_failure_mix(None)

    def slow_body(self, path: str, chunk_size: int = 16, interval: float = 0.05) -> None:
        """Send answers to ``path`` (a path, full URL, or prefix ending in ``/``) slowly.

        The headers go at once, then the body ``chunk_size`` bytes at a time, ``interval`` seconds apart.
        """
        self.state.set_slow_body(_path(path), SlowBody(chunk_size, interval))

    def clear_slow_body(self, path: str) -> None:
        """Send the body of ``path`` at once again."""
        self.state.set_slow_body(_path(path), None)

    def token_down(self, seconds: float, mode: TokenDownMode = "5xx", status: int = 503) -> None:
        """Fail every token request for ``seconds`` (0 ends it).

        ``5xx`` answers ``status``; ``reset`` closes the connection without an answer (a client sees a connection
        error). For a refused connection, put a ``faults.support.proxy.TcpProxy`` in front and ``refuse()`` it.
        """
        self.state.set_token_down(seconds, mode, status)

    def injected(self) -> dict[str, int]:
        """How many requests each fault mode hit (``error``, ``hang``, ``slow``, ``ok``, ``token_5xx``, ...)."""
        return self.state.injected()

    def release_held(self) -> None:
        """End every hold and slow body now."""
        self.state.release_held()


def _path(path_or_url: str) -> str:
    return urlsplit(path_or_url).path
