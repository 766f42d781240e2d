"""Engines, and the one call that creates the service's own schema."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, make_url


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


def init_db(state_database_url: str) -> None:
    """Create the service's own schema and its tables; harmless to repeat. Delius's tables are never created here.

    Args:
        state_database_url: The database that holds the service's schema.
    """
    from allocations.state.schema import create_state_schema  # noqa: PLC0415 - keeps import light

    engine = make_engine(state_database_url, pool_size=1)
    try:
        create_state_schema(engine)
    finally:
        engine.dispose()
