"""Per-process resources (settings, engines, Workload client), created lazily after the worker forks."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from celery.signals import worker_process_init

from allocations.config import Settings, load_settings
from allocations.database import make_engine
from allocations.delius.context import Delius
from allocations.state.store import StateStore
from allocations.workload.client import WorkloadClient
from tasks.tracing import instrument_engine

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class Runtime:
    """What the tasks of one process share. Never inherited across a fork."""

    settings: Settings

    @cached_property
    def delius(self) -> Delius:
        """The Delius database, written as the service user."""
        return Delius.connect(self._engine(self.settings.database_url), self.settings.delius_username)

    @property
    def shared_database(self) -> bool:
        """The service's schema is in the Delius database: outcomes are written in the allocation's transaction."""
        return self.settings.state_database_url == self.settings.database_url

    @cached_property
    def state(self) -> StateStore:
        """The service's own schema: the event ledger and dead letters."""
        engine = self.delius.engine if self.shared_database else self._engine(self.settings.state_database_url)
        return StateStore(engine, lease=timedelta(seconds=self.settings.limits.lease))

    def _engine(self, url: str) -> Engine:
        limits = self.settings.limits
        engine = make_engine(url, statement_timeout=limits.statement_timeout, lock_timeout=limits.lock_timeout)
        return instrument_engine(engine)  # statements and COMMITs as spans, when tracing

    @cached_property
    def workload(self) -> WorkloadClient:
        """Workload detail client with its OAuth2 token."""
        return WorkloadClient.from_settings(self.settings)

    def close(self) -> None:
        """Release what this runtime opened: its engines' connections and its HTTP session."""
        opened = vars(self)  # the cached properties built so far
        if "workload" in opened:
            self.workload.close()
        engines = [self.delius.engine] if "delius" in opened else []
        if "state" in opened and self.state.engine not in engines:
            engines.append(self.state.engine)
        for engine in engines:
            engine.dispose()


_lock = threading.Lock()
_runtime: Runtime | None = None


def runtime() -> Runtime:
    """This process's runtime, created on first use."""
    global _runtime  # noqa: PLW0603 - one runtime per process is the point
    with _lock:
        if _runtime is None:
            _runtime = Runtime(load_settings())
        return _runtime


def reset_runtime() -> None:
    """Close and forget this process's runtime: the next ``runtime()`` reads the settings again."""
    global _runtime
    with _lock:
        built, _runtime = _runtime, None
    if built is not None:
        built.close()


@worker_process_init.connect
def _forget_parent_runtime(**_: object) -> None:
    global _runtime, _lock  # noqa: PLW0603
    # The parent's threads (ingest, reconciler) may have held the lock at the fork: a new one for this process.
    _lock = threading.Lock()
    if _runtime is not None:
        # The parent's pooled connections are the parent's: drop them here without closing their sockets.
        for name in ("delius", "state"):
            if name in vars(_runtime):
                engine = _runtime.delius.engine if name == "delius" else _runtime.state.engine
                engine.dispose(close=False)
    _runtime = None
