"""Alembic migrations of the service's own schema (``workforce_allocations``), run by ``allocations init-db``.

Alembic is configured in code (``allocations.state.schema.alembic_config``): there is no ``alembic.ini``.
"""
