"""The local package's ``allocations`` commands, added through the ``allocations.cli`` entry-point group.

``run-local`` runs the whole stack; ``init-db`` gains ``--create-delius``, which creates the Delius tables and loads
their reference data before the service's own schema is migrated and Delius verified as usual.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from allocations_local import delius_schema

CREATE_DELIUS_HELP = "First create the Delius tables and load their reference data (local stack and tests only)."


def register(cli: click.Group) -> None:
    """Add ``run-local`` to ``cli`` and replace its ``init-db`` with one that can create Delius first.

    Args:
        cli: The ``allocations`` command group.
    """
    cli.add_command(run_local)
    cli.add_command(with_create_delius(cli.commands["init-db"]))


@click.command("run-local")
@click.option("--exit-after-demo", is_flag=True, help="Stop once the sample events are handled (for scripts).")
@click.option("--flower-port", default=5555, show_default=True)
@click.option("--data-dir", default=".local", show_default=True, help="Where embedded PostgreSQL and Redis keep data.")
def run_local(*, exit_after_demo: bool, flower_port: int, data_dir: str) -> None:
    """Run the whole service locally: embedded services, Workload stub, worker, Flower and sample events."""
    from allocations_local.stack import run  # noqa: PLC0415 - keeps the other commands' start-up light

    sys.exit(run(exit_after_demo=exit_after_demo, flower_port=flower_port, data_dir=data_dir))


def with_create_delius(init_db: click.Command) -> click.Command:
    """``init_db`` with ``--create-delius`` added; its own options and work unchanged.

    Args:
        init_db: The production ``init-db`` command (it takes ``--database-url``, the Delius database, and
            ``--delius-username``).

    Returns:
        A command of the same name that, given ``--create-delius``, creates Delius before running ``init_db``.
    """
    create_option = click.Option(["--create-delius"], is_flag=True, help=CREATE_DELIUS_HELP)

    def callback(*, create_delius: bool, **options: Any) -> None:
        if create_delius:
            delius_schema.create_delius(options["database_url"], options["delius_username"])
            click.echo("Delius ready")
        click.get_current_context().invoke(init_db, **options)

    return click.Command(
        init_db.name,
        callback=callback,
        params=[*init_db.params, create_option],
        help=init_db.help,
        short_help=init_db.short_help,
    )
