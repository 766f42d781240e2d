"""CPU time per process role over a window (psutil ``cpu_times`` deltas), and the workers' memory.

Memory: every worker process's resident set at each snapshot, and its high-water mark (``VmHWM``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psutil  # type: ignore[import-untyped]
import psycopg

if TYPE_CHECKING:
    from collections.abc import Callable

ROLES = ("worker_main", "worker_pool", "postgres", "redis", "moto", "stub")


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds of one process (not its children); None once it is gone."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return float(times.user + times.system)


def rss_bytes(pid: int) -> int:
    """The process's resident set now, 0 if it is gone."""
    try:
        return int(psutil.Process(pid).memory_info().rss)
    except psutil.Error:
        return 0


def peak_rss_bytes(pid: int) -> int:
    """The process's resident-set high-water mark (``VmHWM``), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def backend_pids(url: str, database: str, exclude: set[int]) -> list[int]:
    """The PostgreSQL backends serving ``database`` now, but the benchmark's own (``exclude``)."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)).fetchall()
        own = conn.execute("SELECT pg_backend_pid()").fetchone()
    skip = exclude | {int(own[0])} if own else exclude
    return [int(pid) for (pid,) in rows if int(pid) not in skip]


@dataclass
class Snapshot:
    """CPU seconds per process id, grouped by role, at one instant; and the workers' resident bytes then."""

    at: float
    cpu: dict[str, dict[int, float]] = field(default_factory=dict)
    worker_rss: int = 0


class CpuMeter:
    """Takes snapshots of every role's processes; ``pids`` is called at each one (pool children, backends change)."""

    def __init__(self, pids: Callable[[], dict[str, list[int]]]) -> None:
        self._pids = pids

    def snapshot(self) -> Snapshot:
        """CPU seconds of every process of every role, now."""
        snap = Snapshot(time.monotonic())
        for role, pids in self._pids().items():
            snap.cpu[role] = {pid: s for pid in pids if (s := cpu_seconds(pid)) is not None}
            if role.startswith("worker"):
                snap.worker_rss += sum(rss_bytes(pid) for pid in pids)
        return snap

    @staticmethod
    def used(start: Snapshot, end: Snapshot) -> dict[str, float]:
        """CPU seconds each role used between two snapshots (a process born in between counts from zero)."""
        used: dict[str, float] = {}
        for role, after in end.cpu.items():
            before = start.cpu.get(role, {})
            used[role] = sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in after.items())
        return used


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]
