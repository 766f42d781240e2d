"""A TCP proxy on 127.0.0.1 with fault controls, optionally aware of the PostgreSQL wire protocol.

``TcpProxy(host, port).start()`` listens on an ephemeral 127.0.0.1 port and forwards every connection to
``host:port``. Controls, callable from the test thread at any time:

* ``refuse(seconds=None)`` / ``accept()``: the listening socket is closed (new connections get ECONNREFUSED) and
  existing connections are reset, until ``accept()`` (or for ``seconds``); the port stays the same;
* ``reset_all()``: reset (RST) every open connection now;
* with ``postgres=True``: ``reset_next_commits(n, when)`` / ``reset_commits(before=p, after=q, seed=s)`` reset a
  connection at its COMMIT, either *before* forwarding it (the commit never happens) or *after* the server answered it
  (the commit happened; the client sees a broken connection instead of the answer). ``resets`` counts what was done.

A COMMIT is a simple Query ('Q') whose SQL is ``COMMIT``/``END`` (psycopg 3 under SQLAlchemy commits that way), or a
Bind ('B') of a statement whose Parse ('P') text is one. An SSLRequest or GSSENCRequest is answered 'N' (no TLS) so
that the stream stays readable; a CancelRequest connection is forwarded untouched.

Each connection is served by one thread that polls both sockets every 50 ms: stopping takes at most that long.
"""

from __future__ import annotations

import contextlib
import random
import re
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Literal, Self

from sqlalchemy.engine import make_url

When = Literal["before", "after"]

POLL = 0.05
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
COMMIT_SQL = re.compile(r"^\s*(COMMIT|END)(\s+(WORK|TRANSACTION))?\s*;?\s*$", re.IGNORECASE)
CAPTURE_LIMIT = 2000


def is_commit(sql: str) -> bool:
    """True when ``sql`` is a plain COMMIT (or END) statement."""
    return COMMIT_SQL.match(sql) is not None


def _rst(sock: socket.socket | None) -> None:
    """Close ``sock`` with an RST (SO_LINGER 0) rather than a FIN."""
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@dataclass
class ProxyStats:
    """Counters of what the proxy saw and did."""

    connections: int = 0
    refused: int = 0
    resets: int = 0
    commits_seen: int = 0
    commit_resets: dict[str, int] = field(default_factory=lambda: {"before": 0, "after": 0, "after_unanswered": 0})


class TcpProxy:
    """A proxy from ``127.0.0.1:<port>`` to ``target_host:target_port``; a context manager too."""

    def __init__(  # noqa: PLR0913 - keyword-only knobs
        self,
        target_host: str,
        target_port: int,
        *,
        postgres: bool = False,
        listen_host: str = "127.0.0.1",
        connect_timeout: float = 5.0,
        reply_timeout: float = 10.0,
    ) -> None:
        self.target = (target_host, target_port)
        self.postgres = postgres
        self.host = listen_host
        self.connect_timeout = connect_timeout
        self.reply_timeout = reply_timeout  # how long the after-variant waits for the server's answer to COMMIT
        self.stats = ProxyStats()
        self.captured: list[tuple[str, str]] = []  # (message type, SQL or statement name), client to server
        self._port = 0
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._stopping = threading.Event()
        self._want_listening = True
        self._listening_changed = threading.Condition(self._lock)
        self._listening = False
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._next: list[When] = []
        self._before = 0.0
        self._after = 0.0
        self._random = random.Random(0)

    # lifecycle -------------------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind an ephemeral port and serve on a background thread."""
        listener = self._bind()
        self._port = listener.getsockname()[1]
        self._listening = True
        self._thread = threading.Thread(target=self._serve, args=(listener,), name=f"proxy-{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, reset every connection and join every thread."""
        self._stopping.set()
        if self._timer is not None:
            self._timer.cancel()
        if self._thread is not None:
            self._thread.join(5)
        self.reset_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the proxy listens on (the same across ``refuse()``/``accept()``)."""
        if not self._port:
            raise RuntimeError("the proxy is not started")
        return self._port

    @property
    def address(self) -> str:
        """``host:port`` of the proxy."""
        return f"{self.host}:{self.port}"

    def url_for(self, database_url: str) -> str:
        """``database_url`` (SQLAlchemy) rewritten to connect through the proxy (a unix-socket ``host`` is dropped)."""
        url = make_url(database_url).difference_update_query(["host", "port"])
        return url.set(host=self.host, port=self.port).render_as_string(hide_password=False)

    # controls --------------------------------------------------------------------------------------------------

    def refuse(self, seconds: float | None = None) -> None:
        """Refuse new connections and reset the open ones, until ``accept()`` or for ``seconds``."""
        with self._listening_changed:
            self._want_listening = False
            self._wait_listening(want=False)
        self.reset_all()
        if seconds is not None:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(seconds, self.accept)
            self._timer.daemon = True
            self._timer.start()

    def accept(self) -> None:
        """Accept connections again (on the same port)."""
        with self._listening_changed:
            self._want_listening = True
            self._wait_listening(want=True)

    def reset_all(self) -> int:
        """Reset every open connection (client and server side); return how many there were."""
        with self._lock:
            links = list(self._links)
        for link in links:
            link.reset_requested = True
        for link in links:
            link.thread.join(5)
        return len(links)

    def reset_next_commits(self, count: int, when: When = "before") -> None:
        """Reset the connection at each of the next ``count`` COMMITs (``before`` or ``after`` forwarding it)."""
        self._require_postgres()
        with self._lock:
            self._next = [when] * count

    def reset_commits(self, *, before: float = 0.0, after: float = 0.0, seed: int = 0) -> None:
        """From now on, reset at a COMMIT with probability ``before`` (not committed) or ``after`` (committed)."""
        self._require_postgres()
        if before < 0 or after < 0 or before + after > 1:
            raise ValueError("probabilities must be >= 0 and add up to at most 1")
        with self._lock:
            self._before, self._after = before, after
            self._random = random.Random(seed)

    def stop_commit_faults(self) -> None:
        """Forward every COMMIT again."""
        with self._lock:
            self._next = []
            self._before = self._after = 0.0

    @property
    def resets(self) -> dict[str, int]:
        """COMMIT resets done, by variant.

        ``before``: not forwarded; ``after``: the server's answer was seen and dropped; ``after_unanswered``: the
        server did not answer within ``reply_timeout``.
        """
        with self._lock:
            return dict(self.stats.commit_resets)

    # internals -------------------------------------------------------------------------------------------------

    def _require_postgres(self) -> None:
        if not self.postgres:
            raise RuntimeError("COMMIT faults need TcpProxy(..., postgres=True)")

    def _wait_listening(self, *, want: bool) -> None:
        deadline = time.monotonic() + 5
        while self._listening != want and self._thread is not None and self._thread.is_alive():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the proxy did not {'listen' if want else 'stop listening'} within 5 s")
            self._listening_changed.wait(remaining)

    def _bind(self) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self._port))
        listener.listen(128)
        return listener

    def _set_listening(self, *, value: bool) -> None:
        with self._listening_changed:
            self._listening = value
            self._listening_changed.notify_all()

    def _serve(self, first: socket.socket) -> None:
        listener: socket.socket | None = first
        try:
            while not self._stopping.is_set():
                if not self._want_listening:
                    if listener is not None:
                        listener.close()
                        listener = None
                        self._set_listening(value=False)
                    time.sleep(POLL / 5)
                    continue
                if listener is None:
                    listener = self._bind()
                    self._set_listening(value=True)
                ready, _, _ = select.select([listener], [], [], POLL)
                if ready:
                    self._accept_one(listener)
        finally:
            if listener is not None:
                listener.close()
            self._set_listening(value=False)

    def _accept_one(self, listener: socket.socket) -> None:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        if not self._want_listening:
            with self._lock:
                self.stats.refused += 1
            _rst(client)
            return
        link = _Link(self, client)
        with self._lock:
            self.stats.connections += 1
            self._links.add(link)
        link.thread.start()

    def _forget(self, link: _Link) -> None:
        with self._lock:
            self._links.discard(link)

    def _decide(self) -> When | None:
        with self._lock:
            self.stats.commits_seen += 1
            if self._next:
                return self._next.pop(0)
            if self._before or self._after:
                draw = self._random.random()
                if draw < self._before:
                    return "before"
                if draw < self._before + self._after:
                    return "after"
            return None

    def _count(self, what: str) -> None:
        with self._lock:
            if what == "reset":
                self.stats.resets += 1
            else:
                self.stats.commit_resets[what] += 1

    def _capture(self, kind: str, text: str) -> None:
        with self._lock:
            if len(self.captured) < CAPTURE_LIMIT:
                self.captured.append((kind, text))


class _Link:
    """One proxied connection, served by its own thread."""

    def __init__(self, proxy: TcpProxy, client: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server: socket.socket | None = None
        self.reset_requested = False
        self.thread = threading.Thread(target=self._run, name="proxy-link", daemon=True)
        # PostgreSQL state: frontend and backend buffers, prepared COMMIT statements, answers owed.
        self._from_client = bytearray()
        self._from_server = bytearray()
        self._startup = True
        self._raw = not proxy.postgres
        self._commit_statements: set[str] = set()
        self._owed = 0  # ReadyForQuery messages the server still owes (one per Query and per Sync)
        self._after_pending = False  # an after-variant COMMIT was bound; act at the next Sync
        self._swallow_deadline: float | None = None  # set while dropping the server's answer to a COMMIT

    def _run(self) -> None:
        try:
            self.server = socket.create_connection(self.proxy.target, timeout=self.proxy.connect_timeout)
            for sock in (self.client, self.server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(30)
            self._pump()
        except OSError:
            pass
        finally:
            _rst(self.client)
            _rst(self.server)
            self.proxy._forget(self)

    def _pump(self) -> None:
        assert self.server is not None
        while not self.proxy._stopping.is_set():
            if self.reset_requested:
                self.proxy._count("reset")
                return
            if self._swallow_deadline is not None and time.monotonic() > self._swallow_deadline:
                self.proxy._count("after_unanswered")
                return
            ready, _, _ = select.select([self.client, self.server], [], [], POLL)
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                keep_going = self._from_client_data(data) if sock is self.client else self._from_server_data(data)
                if not keep_going:
                    return

    # client to server ------------------------------------------------------------------------------------------

    def _from_client_data(self, data: bytes) -> bool:
        assert self.server is not None
        if self._swallow_deadline is not None:
            return True  # the connection is about to be reset: nothing more reaches the server
        if self._raw:
            self.server.sendall(data)
            return True
        self._from_client.extend(data)
        while True:
            message = self._next_client_message()
            if message is None:
                return True
            if not self._client_message(*message):
                return False

    def _next_client_message(self) -> tuple[int | None, bytes] | None:
        buffer = self._from_client
        if self._startup:
            if len(buffer) < 8:
                return None
            length = struct.unpack("!I", buffer[:4])[0]
            if len(buffer) < length:
                return None
            raw = bytes(buffer[:length])
            del buffer[:length]
            return None, raw
        if len(buffer) < 5:
            return None
        length = struct.unpack("!I", buffer[1:5])[0]
        if len(buffer) < 1 + length:
            return None
        raw = bytes(buffer[: 1 + length])
        del buffer[: 1 + length]
        return raw[0], raw

    def _client_message(self, kind: int | None, raw: bytes) -> bool:  # noqa: C901, PLR0911, PLR0912, PLR0915 - one branch per message type
        assert self.server is not None
        if kind is None:  # startup phase: no type byte
            code = struct.unpack("!I", raw[4:8])[0]
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                self.client.sendall(b"N")
                return True
            self._startup = False
            if code == CANCEL_REQUEST:
                self._raw = True
                self.server.sendall(raw + bytes(self._from_client))
                self._from_client.clear()
                return True
            self.server.sendall(raw)
            return True
        body = raw[5:]
        letter = chr(kind)
        if letter == "Q":
            sql = body.rstrip(b"\0").decode("utf-8", "replace")
            self.proxy._capture("Q", sql)
            if is_commit(sql):
                when = self.proxy._decide()
                if when == "before":
                    self.proxy._count("before")
                    return False
                self.server.sendall(raw)
                self._owed += 1
                if when == "after":
                    self._swallow_deadline = time.monotonic() + self.proxy.reply_timeout
                return True
            self._owed += 1
        elif letter == "P":
            name, _, rest = body.partition(b"\0")
            sql = rest.partition(b"\0")[0].decode("utf-8", "replace")
            statement = name.decode("utf-8", "replace")
            self.proxy._capture("P", sql)
            if is_commit(sql):
                self._commit_statements.add(statement)
            else:
                self._commit_statements.discard(statement)
        elif letter == "B":
            _portal, _, rest = body.partition(b"\0")
            statement = rest.partition(b"\0")[0].decode("utf-8", "replace")
            self.proxy._capture("B", statement)
            if statement in self._commit_statements:
                when = self.proxy._decide()
                if when == "before":
                    self.proxy._count("before")
                    return False
                if when == "after":
                    self._after_pending = True
        elif letter == "C" and body[:1] == b"S":
            self._commit_statements.discard(body[1:].rstrip(b"\0").decode("utf-8", "replace"))
        elif letter == "S":
            self.server.sendall(raw)
            self._owed += 1
            if self._after_pending:
                self._after_pending = False
                self._swallow_deadline = time.monotonic() + self.proxy.reply_timeout
            return True
        self.server.sendall(raw)
        return True

    # server to client ------------------------------------------------------------------------------------------

    def _from_server_data(self, data: bytes) -> bool:
        if self._raw:
            self.client.sendall(data)
            return True
        self._from_server.extend(data)
        buffer = self._from_server
        while len(buffer) >= 5:
            length = struct.unpack("!I", buffer[1:5])[0]
            if len(buffer) < 1 + length:
                break
            raw = bytes(buffer[: 1 + length])
            del buffer[: 1 + length]
            if raw[0] == ord("Z"):
                self._owed = max(0, self._owed - 1)
            if self._swallow_deadline is None:
                self.client.sendall(raw)
            elif self._owed == 0:
                self.proxy._count("after")
                return False
        return True
