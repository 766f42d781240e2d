"""Create the service's schema and tables; harmless to repeat."""

from __future__ import annotations

from sqlalchemy import Engine, text

from allocations.state.models import SCHEMA, metadata


def create_state_schema(engine: Engine) -> None:
    """``CREATE SCHEMA IF NOT EXISTS`` then the tables that are missing."""
    with engine.begin() as connection:
        # On Oracle a schema is a user the DBA creates; only PostgreSQL (and tests) create it here.
        if connection.dialect.name == "postgresql":
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        metadata.create_all(connection, checkfirst=True)
