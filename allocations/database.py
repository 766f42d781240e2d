"""Engines, and the one command that creates every schema the service needs."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for ``url``; create one per worker process (after fork), never share across processes.

    No ``pool_pre_ping``: it costs a round trip per checkout. A connection the server dropped fails its first
    statement instead; SQLAlchemy then invalidates the whole pool, the allocation fails as a transient error and
    its retry gets fresh connections (benchmarks/delius_write.py shows both).
    """
    return create_engine(url, pool_size=pool_size, future=True)


def init_db(database_url: str, state_database_url: str, delius_username: str) -> None:
    """Create the Delius schema with its reference data and the service's own schema; harmless to repeat."""
    from allocations.delius.schema import create_delius_schema  # noqa: PLC0415 - keeps import light
    from allocations.state.schema import create_state_schema  # noqa: PLC0415

    delius = make_engine(database_url, pool_size=1)
    state = delius if state_database_url == database_url else make_engine(state_database_url, pool_size=1)
    try:
        create_delius_schema(delius, delius_username)
        create_state_schema(state)
    finally:
        delius.dispose()
        state.dispose()
