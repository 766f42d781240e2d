"""What a database holds, read back for the init-db tests: tables with their columns, Delius row counts, sequences."""

from __future__ import annotations

from sqlalchemy import func, inspect, select, text

from allocations.database import make_engine
from allocations.delius.models import metadata
from allocations.state.models import SCHEMA


def execute(url: str, *statements: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, object]:
    """Every schema's tables with their columns, and the row count of every Delius table."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            found = inspect(connection)
            schemas = [name for name in found.get_schema_names() if name != "information_schema"]
            tables = {
                f"{schema}.{table}": sorted(column["name"] for column in found.get_columns(table, schema=schema))
                for schema in schemas
                for table in found.get_table_names(schema=schema)
            }
            delius_tables = set(found.get_table_names())
            rows = {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables
                if table.name in delius_tables
            }
            return {"tables": tables, "rows": rows, "sequences": sorted(found.get_sequence_names())}
    finally:
        engine.dispose()


def service_tables(state: dict[str, object]) -> set[str]:
    tables = state["tables"]
    assert isinstance(tables, dict)
    return {name for name in tables if name.startswith(f"{SCHEMA}.")}
