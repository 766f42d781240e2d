"""The service's own schema, upgraded by its Alembic migrations under a database lock; harmless to repeat.

Several release pods may run ``allocations init-db`` at once: the first to take the lock upgrades, the others wait
for it and then find the schema at head. Alembic is configured here, in code; no ``alembic.ini`` is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from allocations.state.models import SCHEMA

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType
    from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any 64-bit key the service owns: "wfa" "mig" in ASCII. Only another init-db takes it.
MIGRATION_LOCK_KEY = 0x776661_6D6967


def alembic_config(connection: Connection | None = None, *, dialect_name: str | None = None) -> Config:
    """Alembic's configuration for the service's migrations.

    Args:
        connection: The connection the revisions run on (in its transaction); ``None`` for offline SQL.
        dialect_name: For offline SQL (``command.upgrade(config, "head", sql=True)``): the dialect to print for.

    Returns:
        A configuration naming the packaged migrations, with ``connection`` in its attributes.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if dialect_name:
        config.set_main_option("dialect_name", dialect_name)
    config.attributes["connection"] = connection
    return config


def upgrade_state_schema(engine: Engine, revision: str = "head") -> None:
    """Upgrade the service's schema to ``revision`` in one transaction holding the migration lock.

    Args:
        engine: The database that holds (or is to hold) the ``workforce_allocations`` schema.
        revision: The revision to reach; ``head`` but in tests.
    """
    with engine.begin() as connection:
        lock_migrations(connection)
        if connection.dialect.name == "postgresql":
            # On Oracle a schema is a user the DBA creates; only PostgreSQL creates it here.
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        command.upgrade(alembic_config(connection), revision)


def lock_migrations(connection: Connection) -> None:
    """Wait for, then hold until the transaction ends, the lock that makes one migration run at a time.

    On PostgreSQL a transaction-level advisory lock. Oracle has no transactional DDL, so there the same would be
    ``DBMS_LOCK.REQUEST`` with ``release_on_commit => FALSE`` on a handle from ``DBMS_LOCK.ALLOCATE_UNIQUE``,
    released by ``DBMS_LOCK.RELEASE`` after the upgrade (it needs ``EXECUTE`` on ``DBMS_LOCK``); not done yet: on
    Oracle, run one release at a time.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))


def in_service_schema(name: str | None, type_: NameFilterType, _parents: NameFilterParentNames) -> bool:
    """Alembic's name filter: autogenerate looks at the service's schema only, never at Delius's tables beside it."""
    return type_ != "schema" or name == SCHEMA


def current_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at; ``None`` before the first upgrade."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection, opts={"version_table_schema": SCHEMA}).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this release."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations are shipped")
    return head
