"""The Workload stub's HTTP side: keep-alive HTTP/1.1 with TCP_NODELAY, detail, token and ``/_stub/`` routes.

Injected faults are applied here in this order: per-path delay, per-path failure (``fail_next``), then the run-time
fault modes of ``StubState.decide`` (token endpoint down, failure mix, slow bodies).
"""

from __future__ import annotations

import base64
import binascii
import json
import socket
import struct
import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from allocations_local.workload_stub.faults import FailureMix, SlowBody
from allocations_local.workload_stub.state import KINDS

if TYPE_CHECKING:
    from allocations_local.workload_stub.state import StubState

TOKEN_PATH = "/auth/oauth/token"  # noqa: S105 - a URL path, not a password
DETAIL_PREFIX = "/allocation/"
CONTROL_PREFIX = "/_stub/"


class StubServer(ThreadingHTTPServer):
    """A threading HTTP server that hands its handlers the shared state."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: StubState) -> None:
        self.state = state
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about clients that hung up first (a client's read timeout does that); loud about the rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are closed after this many seconds
    _recorded_path: str | None = None
    _slow: SlowBody | None = None

    def setup(self) -> None:
        super().setup()
        # Without it keep-alive requests stall ~40 ms on Nagle's algorithm meeting delayed ACKs.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def state(self) -> StubState:
        return cast("StubServer", self.server).state

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        """Quiet: the request log is at ``/_stub/requests``."""

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._recorded_path = None
        self._slow = None
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url.path.removeprefix(CONTROL_PREFIX), parse_qs(url.query), body)
            return
        # Recorded before the reply is written, so a client that has its answer also sees it in the log.
        self._recorded_path = url.path
        delay = self.state.delay_for(url.path)
        if delay:
            time.sleep(delay)
        status = self.state.take_failure(url.path)
        if status is None:
            decision = self.state.decide(self.command, url.path, TOKEN_PATH)
            if decision.reset:
                self._reset_connection()
                return
            if decision.hold:
                self.state.hold(decision.hold)
            status, self._slow = decision.status, decision.slow
        if status is not None:
            self._send(status, {"status": status, "userMessage": "failure injected by the stub"})
        elif self.command == "POST" and url.path == TOKEN_PATH:
            self._token(body)
        elif self.command == "GET" and url.path.startswith(DETAIL_PREFIX):
            self._detail(url.path)
        else:
            self._send(HTTPStatus.NOT_FOUND, {"status": 404, "userMessage": "not found"})

    def _token(self, body: bytes) -> None:
        form = {key: values[0] for key, values in parse_qs(body.decode("latin-1")).items()}
        if form.get("grant_type") != "client_credentials":
            self._send(HTTPStatus.BAD_REQUEST, {"error": "unsupported_grant_type"})
            return
        client_id, client_secret = _basic_auth(self.headers.get("Authorization", ""))
        token = self.state.issue_token(
            client_id or form.get("client_id"), client_secret if client_id else form.get("client_secret")
        )
        if token is None:
            self._send(HTTPStatus.UNAUTHORIZED, {"error": "invalid_client"})
        else:
            self._send(HTTPStatus.OK, token)

    def _detail(self, path: str) -> None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not self.state.token_valid(token.strip()):
            self._send(HTTPStatus.UNAUTHORIZED, {"error": "invalid_token"}, {"WWW-Authenticate": "Bearer"})
            return
        detail = self.state.detail(path)
        if detail is None:
            self._send(HTTPStatus.NOT_FOUND, {"status": 404, "userMessage": f"No allocation found at {path}"})
        else:
            self._send(HTTPStatus.OK, detail)

    def _control(self, action: str, query: dict[str, list[str]], raw: bytes) -> None:
        try:
            answer = self._control_action(action, query, json.loads(raw) if raw else {})
        except (ValueError, KeyError, TypeError) as error:
            self._send(HTTPStatus.BAD_REQUEST, {"error": f"bad control request: {error!r}"})
            return
        if answer is None:
            self._send(HTTPStatus.NOT_FOUND, {"error": f"no control action {self.command} {CONTROL_PREFIX}{action}"})
        else:
            self._send(*answer)

    def _control_action(self, action: str, query: dict[str, list[str]], body: Any) -> tuple[int, object] | None:
        state = self.state
        match (self.command, action):
            case ("PUT", _) if action.startswith("details/"):
                path = _detail_path(action.removeprefix("details/"), body)
                state.put_detail(path, body)
                return HTTPStatus.CREATED, {"path": path}
            case ("POST", "failures"):
                state.fail_next(str(body["path"]), int(body["status"]), int(body.get("times", 1)))
            case ("POST", "delay"):
                state.set_delay(str(body["path"]), float(body["seconds"]))
            case ("POST", "reset"):
                state.reset()
            case ("POST", "expire-tokens"):
                state.expire_tokens()
            case ("POST", "failure-mix" | "slow-body" | "token-down" | "release-held"):
                self._fault_action(action, body)
            case ("GET", "injected"):
                return HTTPStatus.OK, state.injected()
            case ("GET", "requests"):
                return HTTPStatus.OK, state.requests(query.get("path", [None])[0])
            case _:
                return None
        return HTTPStatus.OK, {}

    def _fault_action(self, action: str, body: Any) -> None:
        state = self.state
        if action == "failure-mix":
            state.set_failure_mix(_failure_mix(body), int(body.get("seed", 0)) if body else 0)
        elif action == "slow-body":
            slow = None if body.get("off") else SlowBody(int(body["chunk_size"]), float(body["interval"]))
            state.set_slow_body(urlsplit(str(body["path"])).path, slow)
        elif action == "token-down":
            mode = body.get("mode", "5xx")
            if mode not in ("5xx", "reset"):
                raise ValueError("token-down mode must be '5xx' or 'reset'")
            state.set_token_down(float(body["seconds"]), mode, int(body.get("status", 503)))
        else:
            state.release_held()

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        if self._recorded_path is not None:
            self.state.record(self.command, self._recorded_path, int(status))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self._slow is None:
            self.wfile.write(payload)
            return
        # Headers first, then the body a chunk at a time: a client's read timeout applies to each wait, not the whole.
        chunk_size, interval = self._slow.chunk_size, self._slow.interval
        for start in range(0, len(payload), chunk_size):
            if start:
                self.state.hold(interval)
            self.wfile.write(payload[start : start + chunk_size])

    def _reset_connection(self) -> None:
        """Drop the connection without an answer: RST on close (SO_LINGER 0), no keep-alive."""
        if self._recorded_path is not None:
            self.state.record(self.command, self._recorded_path, 0)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True


def _failure_mix(body: Any) -> FailureMix | None:
    """The failure mix a ``/_stub/failure-mix`` body describes; an empty body removes it."""
    if not body:
        return None
    return FailureMix(
        error_rate=float(body.get("error_rate", 0.0)),
        hang_rate=float(body.get("hang_rate", 0.0)),
        slow_rate=float(body.get("slow_rate", 0.0)),
        status=int(body.get("status", 503)),
        hang_seconds=float(body.get("hang_seconds", 30.0)),
        slow=SlowBody(int(body.get("chunk_size", 16)), float(body.get("interval", 0.05))),
        prefix=str(body.get("prefix", DETAIL_PREFIX)),
    )


def _detail_path(kind_and_id: str, body: Any) -> str:
    kind, _, detail_id = unquote(kind_and_id).partition("/")
    if kind not in KINDS or not detail_id or "/" in detail_id or not isinstance(body, dict):
        raise ValueError(f"PUT a JSON object to {CONTROL_PREFIX}details/<{'|'.join(KINDS)}>/<id>")
    return f"{DETAIL_PREFIX}{kind}/{detail_id}"


def _basic_auth(header: str) -> tuple[str | None, str | None]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        client_id, _, client_secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return unquote(client_id), unquote(client_secret)
