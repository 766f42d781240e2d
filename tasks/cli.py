"""The ``allocations`` command: schema creation, the local stack, and the operators' commands."""

from __future__ import annotations

import logging
import sys

import click

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.database import init_db


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(*, verbose: bool) -> None:
    """Workforce allocations to Delius."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(name)s %(message)s")


@main.command("init-db")
@click.option("--database-url", envvar="DATABASE_URL", required=True, help="Delius database (env DATABASE_URL).")
@click.option("--state-database-url", envvar="STATE_DATABASE_URL", help="Service schema; defaults to the Delius one.")
@click.option("--delius-username", envvar="DELIUS_USERNAME", default=DEFAULT_DELIUS_USERNAME, show_default=True)
def init_db_command(database_url: str, state_database_url: str | None, delius_username: str) -> None:
    """Create the Delius schema with reference data and the service's own schema (harmless to repeat).

    Run it before starting workers: prefork children racing on CREATE TABLE fail.
    """
    init_db(database_url, state_database_url or database_url, delius_username)
    click.echo("schemas ready")


@main.command("run-local")
@click.option("--exit-after-demo", is_flag=True, help="Stop once the sample events are handled (for scripts).")
@click.option("--flower-port", default=5555, show_default=True)
@click.option("--data-dir", default=".local", show_default=True, help="Where embedded PostgreSQL and Redis keep data.")
def run_local(*, exit_after_demo: bool, flower_port: int, data_dir: str) -> None:
    """Run the whole service locally: embedded services, Workload stub, worker, Flower and sample events."""
    from allocations.local.stack import run  # noqa: PLC0415 - needs the 'local' extra

    sys.exit(run(exit_after_demo=exit_after_demo, flower_port=flower_port, data_dir=data_dir))


def _add_operations() -> None:
    from tasks.cli_operations import dead_letters, outcomes, sqs_dlq  # noqa: PLC0415

    for command in (dead_letters, outcomes, sqs_dlq):
        main.add_command(command)


_add_operations()


if __name__ == "__main__":
    main()
