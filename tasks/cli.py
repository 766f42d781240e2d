"""The ``allocations`` command: the service's schema, retention, the operators' commands and plugins' commands.

A distribution may add or replace commands through the ``allocations.cli`` entry-point group: each entry point is a
function that receives the command group. The production package names no plugin.
"""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from importlib.metadata import entry_points

import click

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.database import init_db, make_engine
from allocations.log_context import configure_logging
from allocations.state.retention import DEFAULT_BATCH_SIZE, purge
from tasks.cli_output import say

PLUGIN_GROUP = "allocations.cli"


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(*, verbose: bool) -> None:
    """Workforce allocations to Delius."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)


STATE_URL_HELP = "Service schema (env STATE_DATABASE_URL); defaults to the Delius one."


@main.command("init-db")
@click.option("--database-url", envvar="DATABASE_URL", required=True, help="Delius database (env DATABASE_URL).")
@click.option("--state-database-url", envvar="STATE_DATABASE_URL", help=STATE_URL_HELP)
@click.option(
    "--delius-username",
    envvar="DELIUS_USERNAME",
    default=DEFAULT_DELIUS_USERNAME,
    show_default=True,
    help="The Delius user the service writes as (env DELIUS_USERNAME); must exist.",
)
def init_db_command(database_url: str, state_database_url: str | None, delius_username: str) -> None:
    """Upgrade the service's own schema to its newest migration, then verify Delius (never changes Delius).

    Safe to repeat and to run from several release pods at once. Exits 1, one line per missing table, column,
    sequence or reference row, when Delius lacks something the service reads or writes.
    """
    missing = init_db(database_url, state_database_url or database_url, delius_username)
    say("service schema at head")
    if missing:
        for item in missing:
            say(str(item), err=True)
        say(f"Delius is not ready: {len(missing)} missing", err=True)
        sys.exit(1)
    say("Delius verified")


@main.group()
def retention() -> None:
    """Delete old outcomes and old resolved or discarded dead letters (run it from a cron job)."""


@retention.command("purge")
@click.option("--database-url", envvar="DATABASE_URL", required=True, help="Delius database (env DATABASE_URL).")
@click.option("--state-database-url", envvar="STATE_DATABASE_URL", help=STATE_URL_HELP)
@click.option("--days", envvar="RETENTION_DAYS", type=click.IntRange(min=1), default=90, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True)
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
def purge_command(
    *, database_url: str, state_database_url: str | None, days: int, batch_size: int, dry_run: bool
) -> None:
    """Delete outcomes and closed dead letters older than --days (env RETENTION_DAYS); never pending or parked."""
    engine = make_engine(state_database_url or database_url, pool_size=1)
    try:
        report = purge(engine, timedelta(days=days), batch_size=batch_size, dry_run=dry_run)
    finally:
        engine.dispose()
    verb = "would delete" if report.dry_run else "deleted"
    say(
        f"{verb} {report.outcomes} outcomes, {report.dead_letters} dead letters and {report.history} history rows"
        f" older than {report.cutoff.isoformat(timespec='seconds')} ({report.batches} batches)"
    )


def _add_operations() -> None:
    from tasks.cli_dead_letters import dead_letters  # noqa: PLC0415
    from tasks.cli_operations import outcomes  # noqa: PLC0415
    from tasks.cli_retrying import retrying_group  # noqa: PLC0415
    from tasks.cli_sqs_dlq import sqs_dlq  # noqa: PLC0415

    for command in (dead_letters, outcomes, sqs_dlq, retrying_group):
        main.add_command(command)


def _add_plugins() -> None:
    """Let every installed ``allocations.cli`` entry point add or replace commands of ``main``."""
    for entry_point in entry_points(group=PLUGIN_GROUP):
        entry_point.load()(main)


_add_operations()
_add_plugins()


if __name__ == "__main__":
    main()
