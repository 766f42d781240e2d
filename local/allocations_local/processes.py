"""Start the service's own processes (worker, Flower) as children, wait until they are ready, stop them cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def stop_process_group(process: subprocess.Popen[Any], timeout: float = 20.0) -> None:
    """SIGTERM ``process`` (Celery's warm shutdown), then SIGKILL its process group if it lingers past ``timeout``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)


class ProcessFailed(Exception):
    """A child process exited or did not become ready in time; the message holds its last output."""


class ServiceProcess:
    """A child process whose combined output is kept (and optionally echoed) line by line."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], *, echo: bool = False) -> None:
        self.name = name
        self.argv = list(argv)
        self.lines: list[str] = []
        self._echo = echo
        self._changed = threading.Condition()
        self.process = subprocess.Popen(  # noqa: S603 - argv is the project's own command line
            self.argv,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name=f"{name}-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None  # noqa: S101 - set by Popen above
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
            if self._echo:
                sys.stdout.write(f"[{self.name}] {line}")
        self.process.stdout.close()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        """Block until a line containing ``text`` appears; raise ProcessFailed on exit or timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(text in line for line in self.lines):
                if self.process.poll() is not None:
                    raise ProcessFailed(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ProcessFailed(f"{self.name} not ready after {timeout}s:\n{self.tail()}")
                self._changed.wait(min(remaining, 0.5))

    def output(self) -> str:
        """Everything the process printed so far."""
        with self._changed:
            return "\n".join(self.lines)

    def tail(self, count: int = 40) -> str:
        """The last ``count`` lines of output."""
        with self._changed:
            return "\n".join(self.lines[-count:])

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM (Celery's warm shutdown), then SIGKILL the process group if it lingers."""
        stop_process_group(self.process, timeout)
        self._reader.join(timeout)
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL the whole process group at once (a crash, for tests of at-least-once delivery)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._reader.join(5)


def start_worker(
    env: Mapping[str, str], *, concurrency: int = 2, echo: bool = False, name: str = "worker"
) -> ServiceProcess:
    """A Celery worker consuming the SQS events queue and running the allocation tasks."""
    argv = [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
            f"--hostname={name}@%h", "--without-mingle", "--without-gossip"]  # fmt: skip
    worker = ServiceProcess(name, argv, env, echo=echo)
    worker.wait_for("ready.")
    return worker
