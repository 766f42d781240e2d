"""What the Workload stub knows: details, injected failures and delays, issued tokens, the request log."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

KINDS = ("person", "event", "requirements", "licence-conditions")


class StubState:
    """Everything the stub knows; every method is atomic, so handler threads and tests may call it at once."""

    def __init__(self, client_id: str, client_secret: str, token_ttl: int) -> None:
        self.credentials = (client_id, client_secret)
        self.token_ttl = token_ttl
        self._lock = threading.Lock()
        self._details: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, tuple[int, int]] = {}
        self._delays: dict[str, float] = {}
        self._log: list[dict[str, Any]] = []
        self._tokens: dict[str, float] = {}

    def put_detail(self, path: str, body: dict[str, Any]) -> None:
        """Serve ``body`` at ``path`` (``/allocation/<kind>/<id>``)."""
        with self._lock:
            self._details[path] = body

    def detail(self, path: str) -> dict[str, Any] | None:
        """The body registered at ``path``."""
        with self._lock:
            return self._details.get(path)

    def fail_next(self, path: str, status: int, times: int) -> None:
        """Answer the next ``times`` requests to ``path`` with ``status``."""
        with self._lock:
            self._failures[path] = (status, times)

    def take_failure(self, path: str) -> int | None:
        """The status to fail this request to ``path`` with, if any are left."""
        with self._lock:
            status, times = self._failures.get(path, (0, 0))
            if times <= 0:
                return None
            self._failures[path] = (status, times - 1)
            return status

    def set_delay(self, path: str, seconds: float) -> None:
        """Wait ``seconds`` before answering each request to ``path`` (0 removes the delay)."""
        with self._lock:
            self._delays[path] = seconds

    def delay_for(self, path: str) -> float:
        """The delay set for ``path``."""
        with self._lock:
            return self._delays.get(path, 0.0)

    def record(self, method: str, path: str, status: int) -> None:
        """Add one request to the log."""
        with self._lock:
            self._log.append({"method": method, "path": path, "status": status, "time": time.time()})

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        """The request log, oldest first, optionally only for ``path``."""
        with self._lock:
            return [dict(entry) for entry in self._log if path is None or entry["path"] == path]

    def issue_token(self, client_id: str | None, client_secret: str | None) -> dict[str, Any] | None:
        """A new token response for the right credentials, else None."""
        if (client_id, client_secret) != self.credentials:
            return None
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_ttl
        return {"access_token": token, "token_type": "bearer", "expires_in": self.token_ttl}

    def token_valid(self, token: str) -> bool:
        """True when ``token`` was issued here and has not expired."""
        with self._lock:
            return time.monotonic() < self._tokens.get(token, 0.0)

    def expire_tokens(self) -> None:
        """Expire every issued token now, as an auth server does at the end of their lifetime."""
        with self._lock:
            self._tokens.clear()

    def reset(self) -> None:
        """Forget details, failures, delays and the request log (issued tokens stay valid)."""
        with self._lock:
            self._details.clear()
            self._failures.clear()
            self._delays.clear()
            self._log.clear()
