"""What the Workload stub knows: details, injected failures and delays, issued tokens, the request log.

Beyond the per-path failures and delays, three run-time fault modes for reliability tests: a seeded failure mix for
detail requests (some answered 5xx, some held past the client's read timeout, some with a slow body), slow bodies
per path, and the token endpoint down for a period. ``injected()`` counts what each mode did.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from typing import Any

from allocations_local.workload_stub.faults import HOLD_LIMIT, Decision, FailureMix, SlowBody, TokenDownMode

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
        self._mix: FailureMix | None = None
        self._random = random.Random(0)  # noqa: S311 - reproducible fault injection, not cryptography
        self._slow_bodies: dict[str, SlowBody] = {}
        self._token_down: tuple[float, TokenDownMode, int] | None = None
        self._injected: dict[str, int] = {}
        self._released = threading.Condition(self._lock)
        self._generation = 0

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

    def set_failure_mix(self, mix: FailureMix | None, seed: int = 0) -> None:
        """Apply ``mix`` to detail requests from now on (None removes it), drawing from a ``random.Random(seed)``."""
        with self._lock:
            self._mix = mix
            self._random = random.Random(seed)  # noqa: S311 - reproducible fault injection

    def set_slow_body(self, path: str, slow: SlowBody | None) -> None:
        """Send every answer to ``path`` (a path, or a prefix ending in ``/``) slowly; None removes it."""
        with self._lock:
            if slow is None:
                self._slow_bodies.pop(path, None)
            else:
                self._slow_bodies[path] = slow

    def set_token_down(self, seconds: float, mode: TokenDownMode = "5xx", status: int = 503) -> None:
        """Fail every token request for ``seconds`` (0 ends it).

        ``5xx`` answers ``status``; ``reset`` drops the connection without an answer.
        """
        if mode not in ("5xx", "reset"):
            raise ValueError("token-down mode must be '5xx' or 'reset'")
        if not 0 <= seconds <= HOLD_LIMIT * 6:
            raise ValueError("token-down seconds must be in [0, 3600]")
        with self._lock:
            self._token_down = (time.monotonic() + seconds, mode, status) if seconds > 0 else None

    def decide(self, method: str, path: str, token_path: str) -> Decision:
        """The faults for one request (counted in ``injected()``), after the per-path failures and delays."""
        with self._lock:
            if path == token_path and self._token_down is not None:
                until, mode, status = self._token_down
                if time.monotonic() < until:
                    return self._count(f"token_{mode}", Decision(status=status, reset=mode == "reset"))
                self._token_down = None
            slow = self._slow_for(path)
            mix = self._mix
            if mix is None or method != "GET" or not path.startswith(mix.prefix):
                return self._count("slow", Decision(slow=slow)) if slow else Decision()
            draw = self._random.random()
            if draw < mix.error_rate:
                return self._count("error", Decision(status=mix.status))
            draw -= mix.error_rate
            if draw < mix.hang_rate:
                return self._count("hang", Decision(hold=mix.hang_seconds, slow=slow))
            draw -= mix.hang_rate
            if draw < mix.slow_rate or slow:
                return self._count("slow", Decision(slow=slow or mix.slow))
            return self._count("ok", Decision())

    def _slow_for(self, path: str) -> SlowBody | None:
        if path in self._slow_bodies:
            return self._slow_bodies[path]
        prefixes = [prefix for prefix in self._slow_bodies if prefix.endswith("/") and path.startswith(prefix)]
        return self._slow_bodies[max(prefixes, key=len)] if prefixes else None

    def _count(self, what: str, decision: Decision) -> Decision:
        self._injected[what] = self._injected.get(what, 0) + 1
        return decision

    def injected(self) -> dict[str, int]:
        """How many requests each fault mode decided.

        Keys: ``error``, ``hang``, ``slow``, ``ok`` (the mix let it through), ``token_5xx``, ``token_reset``, and
        ``released`` (holds ended early by ``release_held``).
        """
        with self._lock:
            return dict(self._injected)

    def hold(self, seconds: float) -> bool:
        """Wait up to ``seconds``; return False, early, when ``release_held()`` is called meanwhile."""
        deadline = time.monotonic() + min(seconds, HOLD_LIMIT)
        with self._released:
            generation = self._generation
            while self._generation == generation:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return True
                self._released.wait(remaining)
            self._injected["released"] = self._injected.get("released", 0) + 1
            return False

    def release_held(self) -> None:
        """End every hold now (held requests are then answered; a stopping stub does this first)."""
        with self._released:
            self._generation += 1
            self._released.notify_all()

    def reset(self) -> None:
        """Forget details, failures, delays, fault modes, counters and the request log (issued tokens stay valid)."""
        with self._lock:
            self._details.clear()
            self._failures.clear()
            self._delays.clear()
            self._log.clear()
            self._mix = None
            self._slow_bodies.clear()
            self._token_down = None
            self._injected.clear()
        self.release_held()
