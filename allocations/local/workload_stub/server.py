"""The Workload stub's HTTP side: keep-alive HTTP/1.1 with TCP_NODELAY, detail, token and ``/_stub/`` routes."""

from __future__ import annotations

import base64
import binascii
import json
import socket
import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from allocations.local.workload_stub.state import KINDS

if TYPE_CHECKING:
    from allocations.local.workload_stub.state import StubState

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
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url.path.removeprefix(CONTROL_PREFIX), parse_qs(url.query), body)
            return
        # Recorded before the reply is written, so a client that has its answer also sees it in the log.
        self._recorded_path = url.path
        delay = self.state.delay_for(url.path)
        if delay:
            time.sleep(delay)
        status = self.state.take_failure(url.path)
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
            case ("GET", "requests"):
                return HTTPStatus.OK, state.requests(query.get("path", [None])[0])
            case _:
                return None
        return HTTPStatus.OK, {}

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
        self.wfile.write(payload)


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
