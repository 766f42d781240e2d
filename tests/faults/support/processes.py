"""Crash a Celery prefork worker on purpose: find its pool children, kill one or the main process, start another.

Workers are started with ``allocations_local.processes`` (``start_worker`` or ``ServiceProcess``): the main process
is the child this test process started, in a session of its own, and the pool processes are its direct children.
Children are read from ``/proc`` (``/proc/<pid>/task/*/children``, else every ``/proc/<n>/stat``): Linux only,
no psutil needed. Every kill is by PID, and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from allocations_local.processes import ServiceProcess, start_worker

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "alive",
    "children",
    "kill_main",
    "kill_random_child",
    "pool_children",
    "start_replacement",
    "terminate_main",
    "wait_gone",
]


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent PID) of ``pid``, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces and parentheses
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """Living direct children of ``pid``, sorted."""
    found: set[int] = set()
    tasks = list(Path(f"/proc/{pid}/task").glob("*/children"))
    if tasks:
        for task in tasks:
            with contextlib.suppress(OSError):
                found.update(int(child) for child in task.read_text().split())
    else:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None and stat[1] == pid:
                    found.add(int(entry.name))
    return sorted(child for child in found if alive(child))


def _pid(worker: ServiceProcess | int) -> int:
    return worker if isinstance(worker, int) else worker.process.pid


def pool_children(worker: ServiceProcess | int, count: int | None = None, timeout: float = 15.0) -> list[int]:
    """The worker's pool process PIDs; with ``count``, wait (bounded) until exactly that many are alive."""
    pid = _pid(worker)
    deadline = time.monotonic() + timeout
    while True:
        found = children(pid)
        if count is None or len(found) == count:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"worker {pid} has pool children {found}, not {count}, after {timeout}s")
        time.sleep(0.05)


def kill_random_child(
    worker: ServiceProcess | int, rng: random.Random | None = None, sig: signal.Signals = signal.SIGKILL
) -> int:
    """Send ``sig`` (SIGKILL) to one pool process chosen at random; return its PID."""
    pool = pool_children(worker)
    if not pool:
        raise RuntimeError(f"worker {_pid(worker)} has no pool processes")
    victim = (rng or random.Random()).choice(pool)
    os.kill(victim, sig)
    return victim


def wait_gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    """Wait (bounded) until every PID is gone; return those still alive."""
    deadline = time.monotonic() + timeout
    while True:
        left = [pid for pid in pids if alive(pid)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


def kill_main(worker: ServiceProcess, *, reap_pool: bool = True, timeout: float = 10.0) -> list[int]:
    """SIGKILL the worker's main process (a crash); return the pool PIDs it had.

    Pool processes outlive their parent for a moment (billiard's children notice it gone and exit); with
    ``reap_pool`` those still alive after ``timeout`` are SIGKILLed by PID, so that no stray process remains.
    """
    pool = children(worker.process.pid)
    if worker.process.poll() is None:
        worker.process.kill()
    worker.process.wait(timeout)
    if reap_pool:
        for pid in wait_gone(pool, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_gone(pool, timeout)
    return pool


def terminate_main(worker: ServiceProcess, timeout: float = 30.0) -> int:
    """SIGTERM the main process (Celery's warm shutdown: running tasks finish); wait; return its exit status.

    Pool processes still alive after ``timeout`` are SIGKILLed by PID.
    """
    pool = children(worker.process.pid)
    code = worker.stop(timeout)
    for pid in wait_gone(pool, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return code


def start_replacement(  # noqa: PLR0913 - keyword-only options of a worker
    env: Mapping[str, str],
    *,
    concurrency: int = 2,
    name: str = "replacement",
    extra_args: Sequence[str] = (),
    echo: bool = False,
    timeout: float = 60.0,
) -> ServiceProcess:
    """Start a new worker and wait (bounded) until it is ready.

    Without ``extra_args`` this is ``allocations_local.processes.start_worker``; with them (``--no-sqs-ingest``,
    ``--queues=...``) the same command line plus those arguments.
    """
    if not extra_args:
        return start_worker(env, concurrency=concurrency, echo=echo, name=name)
    argv = [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
            f"--hostname={name}@%h", "--without-mingle", "--without-gossip", *extra_args]  # fmt: skip
    worker = ServiceProcess(name, argv, env, echo=echo)
    try:
        worker.wait_for("ready.", timeout)
    except BaseException:
        worker.kill()
        raise
    return worker
