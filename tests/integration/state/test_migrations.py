"""The service's schema is Alembic's: from nothing or from the pre-Alembic release, upgrades reach the models."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select, text

from allocations.database import make_engine
from allocations.state.migrations import baseline
from allocations.state.models import SCHEMA, dead_letter_table, history_table, ledger_table, metadata
from allocations.state.schema import (
    MIGRATIONS,
    alembic_config,
    current_revision,
    head_revision,
    in_service_schema,
    upgrade_state_schema,
)
from allocations_local import services

AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
PARKED = {
    "event_id": "parked-1",
    "error_class": "NotFound",
    "error_message": "No staff",
    "traceback": "Traceback",
    "attempts": 9,
    "failure_count": 1,
    "status": "parked",
    "first_failed_at": AT,
    "last_failed_at": AT,
    "requeue_count": 0,
    "row_version": 0,
}
EVENT = {"eventType": "person.community.manager.allocated", "detailUrl": "http://127.0.0.1/allocation/1"}


@pytest.fixture
def engine(postgres_server_url):
    url = services.create_database(postgres_server_url, services.unique_name("allocations_migrations"))
    engine = make_engine(url, pool_size=2)
    yield engine
    engine.dispose()
    services.drop_database(url)


def service_tables(engine):
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names(schema=SCHEMA))


def differences(engine):
    """What Alembic's autogenerate finds between the database's service schema and the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_schemas": True, "include_name": in_service_schema, "version_table_schema": SCHEMA},
        )
        return compare_metadata(context, metadata)


def build_pre_alembic_release(engine, *, with_outcome_table):
    """The schema ``create_all`` made before Alembic, with a few rows; the older release's ``outcome`` table too."""
    tables = [*baseline.CURRENT_RELEASE_TABLES, *([baseline.outcome] if with_outcome_table else [])]
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        baseline.metadata.create_all(connection, tables=tables)
        common = {"event_type": EVENT["eventType"], "crn": "X000001", "detail_url": EVENT["detailUrl"]}
        for event_id, state in (("applied-1", "applied"), ("parked-1", "dead-lettered"), ("pending-1", "pending")):
            ledger_row = {"event_id": event_id, "event": EVENT, "state": state, "properties": {}, "attempts": 1}
            counts = {"open_attempts": 0, "dispatch_count": 1, "received_at": AT}
            connection.execute(insert(baseline.event_ledger).values(**common, **ledger_row, **counts))
        dead_letter_id = connection.execute(
            insert(baseline.dead_letter).values(**common, **PARKED, event=EVENT).returning(baseline.dead_letter.c.id)
        ).scalar_one()
        connection.execute(
            insert(baseline.dead_letter_history).values(dead_letter_id=dead_letter_id, action="failed", at=AT)
        )
        if with_outcome_table:
            connection.execute(
                insert(baseline.outcome).values(
                    **common, event_id="old-1", outcome="applied", properties={}, attempts=1, finished_at=AT
                )
            )
    return dead_letter_id


def test_upgrade_from_an_empty_database_creates_the_models_tables_at_head(engine):
    upgrade_state_schema(engine)

    assert current_revision(engine) == head_revision()
    assert service_tables(engine) == {"alembic_version", *(table.name for table in metadata.sorted_tables)}
    assert differences(engine) == []


@pytest.mark.parametrize("with_outcome_table", [False, True], ids=["current-release", "upgraded-older-release"])
def test_upgrade_from_the_pre_alembic_schema_keeps_its_rows_and_drops_outcome(engine, with_outcome_table):
    dead_letter_id = build_pre_alembic_release(engine, with_outcome_table=with_outcome_table)
    assert current_revision(engine) is None

    upgrade_state_schema(engine)

    assert current_revision(engine) == head_revision()
    assert "outcome" not in service_tables(engine)
    assert differences(engine) == []
    with engine.begin() as connection:
        ledger = dict(connection.execute(select(ledger_table.c.event_id, ledger_table.c.state)).all())
        dead_letter = connection.execute(select(dead_letter_table)).one()
        history = [
            tuple(row) for row in connection.execute(select(history_table.c.dead_letter_id, history_table.c.action))
        ]
        # The id sequences survived: a new dead letter gets the next id.
        next_id = connection.execute(
            insert(dead_letter_table)
            .values({**{k: v for k, v in dead_letter._asdict().items() if k != "id"}, "event_id": "parked-2"})
            .returning(dead_letter_table.c.id)
        ).scalar_one()
    assert ledger == {"applied-1": "applied", "parked-1": "dead-lettered", "pending-1": "pending"}
    assert (dead_letter.id, dead_letter.event_id, dead_letter.status, dead_letter.event) == (
        dead_letter_id,
        "parked-1",
        "parked",
        EVENT,
    )
    assert history == [(dead_letter_id, "failed")]
    assert next_id == dead_letter_id + 1


def test_upgrade_is_harmless_to_repeat_and_a_downgrade_to_base_removes_every_table(engine):
    upgrade_state_schema(engine)
    upgrade_state_schema(engine)
    assert current_revision(engine) == head_revision()

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert service_tables(engine) == {"alembic_version"}

    upgrade_state_schema(engine)
    assert differences(engine) == []


def test_each_revision_can_be_reached_one_at_a_time(engine):
    revisions = [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    assert revisions[-3:] == ["0003", "0002", "0001"]
    for revision in reversed(revisions):
        upgrade_state_schema(engine, revision)
        assert current_revision(engine) == revision
    assert differences(engine) == []


def test_at_the_first_revision_the_schema_is_the_pre_alembic_one_with_outcome(engine):
    upgrade_state_schema(engine, "0001")

    assert service_tables(engine) == {"alembic_version", *(table.name for table in baseline.metadata.sorted_tables)}
    assert "outcome" in service_tables(engine)
    assert differences(engine) != []


def test_a_new_revision_written_by_autogenerate_holds_what_the_models_add(engine, tmp_path):
    """The developers' tool: the template renders and autogenerate sees a model change (here: a missing index)."""
    shutil.copytree(MIGRATIONS, tmp_path / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
    upgrade_state_schema(engine)
    with engine.begin() as connection:
        connection.execute(text(f'DROP INDEX "{SCHEMA}".event_ledger_finished_idx'))
        config = alembic_config(connection)
        config.set_main_option("script_location", str(tmp_path / "migrations"))
        script = command.revision(config, "put the index back", autogenerate=True, rev_id="9999")

    written = Path(script.path).read_text().replace('"', "'")
    assert f"down_revision = '{head_revision()}'" in written
    assert "op.create_index('event_ledger_finished_idx'" in written
