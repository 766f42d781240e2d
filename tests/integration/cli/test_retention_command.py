"""``allocations retention purge``: RETENTION_DAYS decides the age; --dry-run only counts."""

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, select, text

from allocations.state.models import SCHEMA, ledger_table
from tasks.cli import main

EVENT_IDS = ("retention-cli-old", "retention-cli-pending", "retention-cli-recent")


@pytest.fixture
def ledger(engine):
    at = datetime.now(UTC)
    common = {"event_type": "person.community.manager.allocated", "event": {}, "properties": {}, "received_at": at}
    rows = [
        {**common, "event_id": EVENT_IDS[0], "state": "applied", "finished_at": at - timedelta(days=40)},
        {**common, "event_id": EVENT_IDS[1], "state": "pending", "finished_at": None},
        {**common, "event_id": EVENT_IDS[2], "state": "applied", "finished_at": at - timedelta(days=20)},
    ]
    with engine.begin() as connection:
        # Only these rows: other tests leave old ones behind in the session's database.
        connection.execute(text(f"TRUNCATE {SCHEMA}.event_ledger, {SCHEMA}.dead_letter_history, {SCHEMA}.dead_letter"))
        connection.execute(insert(ledger_table), rows)

    def present():
        with engine.connect() as connection:
            return set(
                connection.scalars(select(ledger_table.c.event_id).where(ledger_table.c.event_id.in_(EVENT_IDS)))
            )

    yield present
    with engine.begin() as connection:
        connection.execute(delete(ledger_table).where(ledger_table.c.event_id.in_(EVENT_IDS)))


def purge(database_url, *options):
    env = {"RETENTION_DAYS": "30", "STATE_DATABASE_URL": None}
    return CliRunner().invoke(main, ["retention", "purge", "--database-url", database_url, *options], env=env)


def test_dry_run_says_what_would_go_and_deletes_nothing(ledger, database_url):
    result = purge(database_url, "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("would delete 1 outcomes, 0 dead letters and 0 history rows older than ")
    assert ledger() == set(EVENT_IDS)


def test_purge_deletes_what_is_older_than_retention_days(ledger, database_url):
    result = purge(database_url, "--batch-size", "1")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("deleted 1 outcomes, 0 dead letters and 0 history rows older than ")
    assert ledger() == {"retention-cli-pending", "retention-cli-recent"}


def test_retention_days_must_be_a_positive_number(database_url):
    result = CliRunner().invoke(
        main, ["retention", "purge", "--database-url", database_url], env={"RETENTION_DAYS": "0"}
    )

    assert result.exit_code == 2
    assert "RETENTION_DAYS" in result.output or "--days" in result.output
