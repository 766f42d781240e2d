"""The ``allocations`` command: the service's schema, the operators' commands, and installed plugins' commands.

A distribution may add or replace commands through the ``allocations.cli`` entry-point group: each entry point is a
function that receives the command group. The production package names no plugin.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import click

from allocations.database import init_db
from allocations.log_context import configure_logging

PLUGIN_GROUP = "allocations.cli"


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(*, verbose: bool) -> None:
    """Workforce allocations to Delius."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)


@main.command("init-db")
@click.option("--database-url", envvar="DATABASE_URL", required=True, help="Delius database (env DATABASE_URL).")
@click.option("--state-database-url", envvar="STATE_DATABASE_URL", help="Service schema; defaults to the Delius one.")
def init_db_command(database_url: str, state_database_url: str | None) -> None:
    """Create the service's own schema (harmless to repeat).

    Run it before starting workers: prefork children racing on CREATE TABLE fail.
    """
    init_db(state_database_url or database_url)
    click.echo("schemas ready")


def _add_operations() -> None:
    from tasks.cli_operations import dead_letters, outcomes, sqs_dlq  # noqa: PLC0415

    for command in (dead_letters, outcomes, sqs_dlq):
        main.add_command(command)


def _add_plugins() -> None:
    """Let every installed ``allocations.cli`` entry point add or replace commands of ``main``."""
    for entry_point in entry_points(group=PLUGIN_GROUP):
        entry_point.load()(main)


_add_operations()
_add_plugins()


if __name__ == "__main__":
    main()
