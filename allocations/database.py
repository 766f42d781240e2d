"""Engines, and the one call that migrates the service's own schema and verifies Delius (``init-db``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, make_url

if TYPE_CHECKING:
    from allocations.delius.verify import Missing


def make_engine(
    url: str, *, pool_size: int = 5, statement_timeout: float | None = None, lock_timeout: float | None = None
) -> Engine:
    """An engine for ``url``; create one per worker process (after fork), never share across processes.

    No ``pool_pre_ping``: it costs a round trip per checkout. A connection the server dropped fails its first
    statement instead; SQLAlchemy then invalidates the whole pool, the allocation fails as a transient error and
    its retry gets fresh connections (benchmarks/delius_write.py shows both).
    """
    connect_args: dict[str, object] = {}
    if make_url(url).get_backend_name() == "postgresql":
        # A stuck statement or a lock held by someone else fails the attempt (and it is retried) instead of holding
        # the task past its time limit. Oracle has no session equivalent; there the task time limit bounds it.
        options = [f"-c {name}={int(seconds * 1000)}" for name, seconds in _timeouts(statement_timeout, lock_timeout)]
        connect_args = {"connect_timeout": 5, **({"options": " ".join(options)} if options else {})}
    return create_engine(url, pool_size=pool_size, future=True, connect_args=connect_args)


def _timeouts(statement_timeout: float | None, lock_timeout: float | None) -> list[tuple[str, float]]:
    named = [("statement_timeout", statement_timeout), ("lock_timeout", lock_timeout)]
    return [(name, seconds) for name, seconds in named if seconds]


def init_db(database_url: str, state_database_url: str, delius_username: str) -> list[Missing]:
    """Upgrade the service's own schema to the newest migration, then check what Delius lacks; harmless to repeat.

    Delius is only read: its tables and rows are never created or changed here.

    Args:
        database_url: The Delius database.
        state_database_url: The database that holds the service's schema (often the same).
        delius_username: The service's Delius user, which must exist.

    Returns:
        What Delius lacks (a table, column, sequence or reference row), one entry each; empty when ready.
    """
    from allocations.delius.verify import verify_delius  # noqa: PLC0415 - keeps import light
    from allocations.state.schema import upgrade_state_schema  # noqa: PLC0415

    state = make_engine(state_database_url, pool_size=1)
    try:
        upgrade_state_schema(state)
    finally:
        state.dispose()
    delius = make_engine(database_url, pool_size=1)
    try:
        return verify_delius(delius, delius_username)
    finally:
        delius.dispose()
