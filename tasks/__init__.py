"""Celery entry points: the app, the SQS ingest step, the allocation tasks and the Flower extension."""

import click

import tasks.logging_setup  # noqa: F401 - connects LOG_FORMAT=json to Celery's logging signals
from tasks.app import app
from tasks.error_tracking import configure_from_environment
from tasks.health import EventLoopHeartbeat, HealthEndpoint
from tasks.ingest import SqsIngest
from tasks.reconciler import Reconciler
from tasks.startup import TimeLimitsCheck

app.user_options["worker"].add(
    click.Option(
        ["--sqs-ingest/--no-sqs-ingest"],
        default=True,
        show_default=True,
        help="Consume SQS_QUEUE in this worker (turn off for workers that only run tasks).",
    )
)
app.user_options["worker"].add(
    click.Option(
        ["--reconcile/--no-reconcile"],
        default=True,
        show_default=True,
        help="Dispatch again, from the ledger, pending events whose lease ran out.",
    )
)
app.steps["worker"].add(TimeLimitsCheck)
app.steps["worker"].add(SqsIngest)
app.steps["worker"].add(Reconciler)
app.steps["worker"].add(HealthEndpoint)  # HEALTH_PORT: probes and /metrics
app.steps["consumer"].add(EventLoopHeartbeat)

configure_from_environment()  # SENTRY_DSN: the worker, the dashboard and the CLI all import this package

__all__ = ["app"]
