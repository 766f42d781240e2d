"""``python -m tasks.dashboard [Flower options]``: Flower against ``tasks.app:app`` with the dashboard mounted.

Every Flower option works as usual (``--port``, ``--address``, ``--basic_auth``, ``--auth`` with OAuth,
``--read_only``, ``--url_prefix`` … or their ``FLOWER_*`` variables). The dashboard reads the service settings
(``allocations.config``) for the state database and the SQS queues, and who may act (``tasks.dashboard.access``):
``DASHBOARD_OPERATORS`` (user names or e-mail addresses; everyone else authenticated is a viewer) and, on the local
stack only, ``DASHBOARD_ALLOW_ANONYMOUS_ACTIONS=true``. ``DASHBOARD_CELERY_APP`` names another Celery app
(``module:attribute``), for tests.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import flower.command
from celery.bin.celery import celery
from flower.app import Flower

from allocations.config import load_settings
from tasks.dashboard.mount import mount
from tasks.operations import Operations
from tasks.recovery import RecoveryRunner

CELERY_APP = "tasks.app:app"


class DashboardFlower(Flower):  # type: ignore[misc]  # Flower is untyped
    """Flower's application with the dashboard's handlers added at construction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operations = Operations.from_settings(load_settings())
        mount(self, operations)
        # This process runs the recovery jobs (background re-enqueues at a set rate): tasks/recovery.py says why.
        RecoveryRunner(operations.state.engine, operations.dispatch, requeue_lease=operations.state.lease).start()


def main(argv: list[str] | None = None) -> None:
    """Run ``celery -A <app> flower <argv>`` with the dashboard's application class."""
    # Flower's command builds its application by this module-level name; replacing it keeps all of Flower's option,
    # authentication and banner handling unchanged.
    flower.command.Flower = DashboardFlower
    celery.add_command(flower.command.flower)
    arguments = ["-A", os.environ.get("DASHBOARD_CELERY_APP", CELERY_APP), "flower", *(argv or sys.argv[1:])]
    celery.main(args=arguments, prog_name="celery")


if __name__ == "__main__":
    main()
