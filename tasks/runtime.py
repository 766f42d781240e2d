"""Per-process resources (settings, engines, Workload client), created lazily after the worker forks."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from celery.signals import worker_process_init

from allocations.config import Settings, load_settings
from allocations.database import make_engine
from allocations.state.store import StateStore
from allocations.workload.client import WorkloadClient

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class Runtime:
    """What the tasks of one process share. Never inherited across a fork."""

    settings: Settings

    @cached_property
    def delius(self) -> Engine:
        """Engine for the Delius database."""
        return make_engine(self.settings.database_url)

    @cached_property
    def state(self) -> StateStore:
        """The service's own schema: outcomes and dead letters."""
        if self.settings.state_database_url == self.settings.database_url:
            return StateStore(self.delius)
        return StateStore(make_engine(self.settings.state_database_url))

    @cached_property
    def workload(self) -> WorkloadClient:
        """Workload detail client with its OAuth2 token."""
        return WorkloadClient.from_settings(self.settings)


_lock = threading.Lock()
_runtime: Runtime | None = None


def runtime() -> Runtime:
    """This process's runtime, created on first use."""
    global _runtime  # noqa: PLW0603 - one runtime per process is the point
    with _lock:
        if _runtime is None:
            _runtime = Runtime(load_settings())
        return _runtime


@worker_process_init.connect
def _forget_parent_runtime(**_: object) -> None:
    global _runtime  # noqa: PLW0603
    _runtime = None
