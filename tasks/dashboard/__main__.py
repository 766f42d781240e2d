"""``python -m tasks.dashboard [Flower options]``: Flower against ``tasks.app:app`` with the dashboard mounted.

Every Flower option works as usual (``--port``, ``--address``, ``--basic_auth``, ``--auth`` with OAuth,
``--read_only``, ``--url_prefix`` … or their ``FLOWER_*`` variables). The dashboard reads the service settings
(``allocations.config``) for the state database and the SQS queues. ``DASHBOARD_CELERY_APP`` names another Celery
app (``module:attribute``), for tests.
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

CELERY_APP = "tasks.app:app"


class DashboardFlower(Flower):  # type: ignore[misc]  # Flower is untyped
    """Flower's application with the dashboard's handlers added at construction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mount(self, Operations.from_settings(load_settings()))


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
