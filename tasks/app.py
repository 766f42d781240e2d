"""The Celery application: configured from ``celeryconfig``, with the SQS ingest step in its consumer."""

from __future__ import annotations

import click
from celery import Celery

from tasks.ingest import SqsIngest

app = Celery("allocations", include=["tasks.allocation"])
app.config_from_object("celeryconfig")
app.user_options["worker"].add(
    click.Option(
        ["--sqs-ingest/--no-sqs-ingest"],
        default=True,
        show_default=True,
        help="Consume SQS_QUEUE in this worker (turn off for workers that only run tasks).",
    )
)
app.steps["consumer"].add(SqsIngest)
