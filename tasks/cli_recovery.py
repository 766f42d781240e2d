"""``allocations dead-letters preview ID…`` and ``allocations dead-letters recovery start|status|stop|run``."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import click

from allocations.state import recovery as jobs
from tasks.cli_operations import _JSON, CLI_ACTOR, _echo_json, _filter_options, _operations, where_from
from tasks.cli_output import say
from tasks.operations import when
from tasks.recovery import DEFAULT_RATE, RecoveryRunner, parse_rate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from allocations.state.recovery import RecoveryJob
    from tasks.operations import DeadLetterPreview


@click.command("preview")
@click.argument("ids", type=int, nargs=-1, required=True)
@_JSON
@click.pass_context
def preview_command(ctx: click.Context, ids: Sequence[int], *, as_json: bool) -> None:
    """What re-enqueueing each dead letter would do now: the rows it would write, or the error it would hit.

    The detail is fetched again from Workload; the allocation runs in a Delius transaction that is rolled back.
    """
    found = _operations(ctx).preview(list(ids))
    if as_json:
        _echo_json({"previews": found})
    else:
        for item in found:
            _print_preview(item)
    if any(item.preview is None for item in found):
        raise SystemExit(1)


def _print_preview(item: DeadLetterPreview) -> None:
    preview = item.preview
    if preview is None:
        say(f"{item.id:>6}  no such dead letter")
        return
    if preview.error_class:
        say(f"{item.id:>6}  would {preview.verdict}: {preview.error_class}: {preview.error_message}")
        return
    say(f"{item.id:>6}  would {preview.verdict}" + (f" ({preview.reason})" if preview.reason else ""))
    for row in preview.rows:
        say(f"        {row.action} {row.table} {json.dumps(row.values, sort_keys=True, default=str)}")


@click.group("recovery")
def recovery() -> None:
    """Bulk re-enqueue in the background at a set rate (run by the dashboard process), its progress, stop."""


@recovery.command("start")
@_filter_options
@click.option("--rate", default=f"{DEFAULT_RATE:g}/s", show_default=True, help="Rows per s, m or h (e.g. 20/s).")
@_JSON
@click.pass_context
def start_command(ctx: click.Context, /, *, rate: str, as_json: bool, **filters: Any) -> None:
    """Start re-enqueueing every parked dead letter the filter covers, at --rate."""
    try:
        per_second = parse_rate(rate)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--rate") from None
    job = _operations(ctx).start_recovery(where_from(filters), per_second, actor=CLI_ACTOR)
    _show(job, as_json=as_json)


@recovery.command("status")
@click.argument("job_id", type=int, required=False)
@click.option("--follow", is_flag=True, help="Print the progress every 2 s until the job ends (at most an hour).")
@_JSON
@click.pass_context
def status_command(ctx: click.Context, job_id: int | None, *, follow: bool, as_json: bool) -> None:
    """One job's progress, or the newest jobs'."""
    operations = _operations(ctx)
    if job_id is None:
        found = operations.recovery_jobs()
        if as_json:
            _echo_json({"jobs": found})
        for job in [] if as_json else found:
            _show(job, as_json=False)
        return
    for _ in range(1800 if follow else 1):
        current = operations.recovery_job(job_id)
        if current is None:
            raise click.ClickException(f"no recovery job {job_id}")
        _show(current, as_json=as_json)
        if current.status != jobs.RUNNING or not follow:
            return
        time.sleep(2)


@recovery.command("stop")
@click.argument("job_id", type=int)
@_JSON
@click.pass_context
def stop_command(ctx: click.Context, job_id: int, *, as_json: bool) -> None:
    """Stop a running job; rows it has not reached stay parked."""
    job = _operations(ctx).stop_recovery(job_id, actor=CLI_ACTOR)
    if job is None:
        raise click.ClickException(f"no recovery job {job_id}")
    _show(job, as_json=as_json)


@recovery.command("run")
@click.argument("job_id", type=int)
@click.pass_context
def run_command(ctx: click.Context, job_id: int) -> None:
    """Run a job in this process (where no dashboard runs), until it ends; Ctrl-C hands it back."""
    operations = _operations(ctx)
    job = operations.recovery_job(job_id)
    if job is None or job.status != jobs.RUNNING:
        raise click.ClickException(f"no running recovery job {job_id}")
    runner = RecoveryRunner(operations.state.engine, operations.dispatch, requeue_lease=operations.state.lease)
    claimed = jobs.claim(operations.state.engine, runner.owner, runner.job_lease)
    if claimed is None or claimed.id != job_id:
        raise click.ClickException(f"recovery job {job_id} is run by another process")
    try:
        runner.run(claimed)
    finally:
        jobs.release(operations.state.engine, job_id, runner.owner)
    latest = operations.recovery_job(job_id)
    if latest is not None:
        _show(latest, as_json=False)


def _show(job: RecoveryJob, *, as_json: bool) -> None:
    if as_json:
        _echo_json({"job": job, "done": job.done})
        return
    where = " ".join(f"{k}={v}" for k, v in job.filter.items()) or "all parked"
    say(
        f"job {job.id}  {job.status}  {job.done}/{job.total} done (dispatched {job.dispatched}, skipped {job.skipped},"
        f" failed {job.failed})  at {job.rate:g}/s  filter: {where}  started {when(job.created_at)}"
        + (f"  ended {when(job.finished_at)}" if job.finished_at else "")
    )
