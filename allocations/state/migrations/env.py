"""Alembic's environment: runs the revisions on the connection ``allocations.state.schema`` hands it.

The caller holds the connection inside a transaction (and, on PostgreSQL, an advisory lock): every revision runs
in it, so on PostgreSQL an upgrade is all or nothing. Offline mode (``--sql``) prints the DDL for a DBA to review.
"""

from __future__ import annotations

from alembic import context

from allocations.state.models import SCHEMA, metadata
from allocations.state.schema import in_service_schema


def run() -> None:
    """Run the migrations online, on the given connection, or offline, as SQL for the configured dialect."""
    if context.is_offline_mode():
        dialect_name = context.config.get_main_option("dialect_name")
        context.configure(
            dialect_name=dialect_name,
            target_metadata=metadata,
            version_table_schema=SCHEMA,
            include_schemas=True,
            include_name=in_service_schema,
        )
    else:
        connection = context.config.attributes.get("connection")
        if connection is None:
            raise RuntimeError("run migrations through allocations init-db (allocations.state.schema)")
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=SCHEMA,
            include_schemas=True,
            include_name=in_service_schema,
        )
    with context.begin_transaction():
        context.run_migrations()


run()
