"""Operators' commands: ``allocations dead-letters …``, ``allocations outcomes …`` (``sqs-dlq``: ``cli_sqs_dlq``).

The same operations as the Flower dashboard (``tasks.operations``), straight against the state database, the Celery
broker and SQS. Text for people by default, the API's JSON with ``--json``.
"""

from __future__ import annotations

import getpass
import json
import os
from typing import TYPE_CHECKING, Any

import click

from allocations.config import ConfigurationError, load_settings
from allocations.event_types import EventType
from allocations.state.records import ActionResult, DeadLetterFilter, DeadLetterStatus
from tasks.operations import Operations, to_json, when

if TYPE_CHECKING:
    from collections.abc import Sequence

_STATUS = click.Choice([s.value for s in DeadLetterStatus])
_EVENT_TYPE = click.Choice([t.value for t in EventType])
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def os_user() -> str:
    """The OS user running the command: who acts, in a dead letter's history."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment and none in the password database
        return f"uid {os.getuid()}"


# Who acts, in a dead letter's history: the OS user running the command.
CLI_ACTOR = os_user()


def _operations(ctx: click.Context) -> Operations:
    """The operations the command's context carries (tests pass their own), else the production wiring."""
    operations = ctx.find_object(Operations)
    if operations is None:
        try:
            operations = Operations.from_settings(load_settings())
        except ConfigurationError as error:
            raise click.ClickException(str(error)) from None
        ctx.obj = operations
    return operations


def _echo_json(value: Any) -> None:
    """Print ``value`` as the dashboard's API would send it, indented."""
    click.echo(json.dumps(to_json(value), indent=2))


def _filter_options(function: Any) -> Any:
    """Add ``--status``, ``--event-type`` and ``--crn``."""
    function = click.option("--crn", help="Only this CRN.")(function)
    function = click.option("--event-type", type=_EVENT_TYPE, help="Only this event type.")(function)
    return click.option("--status", type=_STATUS, help="Only this status.")(function)


@click.group("dead-letters")
def dead_letters() -> None:
    """Events that failed for good: list, show, re-enqueue, discard."""


@dead_letters.command("list")
@_filter_options
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0, show_default=True)
@_JSON
@click.pass_context
def list_command(  # noqa: PLR0913 - one parameter per option
    ctx: click.Context,
    *,
    status: str | None,
    event_type: str | None,
    crn: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Dead letters, newest failure first."""
    page = _operations(ctx).list_dead_letters(DeadLetterFilter(status, event_type, crn), limit=limit, offset=offset)
    if as_json:
        _echo_json(page)
        return
    for d in page.items:
        click.echo(
            f"{d.id:>6}  {d.status:<9}  {when(d.last_failed_at)}  {d.event_type}  {d.crn or '-'}  {d.event_id}  "
            f"{d.error_class}: {d.error_message}"
        )
    shown = f"{offset + 1}-{offset + len(page.items)}" if page.items else "none"
    click.echo(f"{page.total} matching, showing {shown}")


@dead_letters.command("show")
@click.argument("dead_letter_id", type=int)
@_JSON
@click.pass_context
def show_command(ctx: click.Context, dead_letter_id: int, *, as_json: bool) -> None:
    """One dead letter: event, error, traceback and history."""
    detail = _operations(ctx).show(dead_letter_id)
    if detail is None:
        raise click.ClickException(f"no dead letter {dead_letter_id}")
    if as_json:
        _echo_json(detail)
        return
    dead_letter = detail.dead_letter
    for name, value in to_json(dead_letter).items():
        if name not in {"event", "traceback"}:
            click.echo(f"{name}: {value}")
    click.echo("event: " + json.dumps(dead_letter.event, indent=2, sort_keys=True))
    click.echo("traceback:\n" + dead_letter.traceback)
    click.echo("history:")
    for entry in detail.history:
        click.echo(f"  {when(entry.at)}  {entry.action:<14}  {entry.task_id or '-'}  {entry.detail or ''}")


@dead_letters.command("requeue")
@click.argument("ids", type=int, nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every parked dead letter matching the filter options.")
@_filter_options
@_JSON
@click.pass_context
def requeue_command(  # noqa: PLR0913 - one parameter per option
    ctx: click.Context,
    ids: Sequence[int],
    status: str | None,
    event_type: str | None,
    crn: str | None,
    *,
    every: bool,
    as_json: bool,
) -> None:
    """Re-dispatch the stored events of parked dead letters (safe to repeat: a row is dispatched once)."""
    targets = _targets(ids, every=every, where=DeadLetterFilter(status, event_type, crn))
    _report(_operations(ctx).requeue(targets, actor=CLI_ACTOR), "requeued", as_json=as_json)


@dead_letters.command("discard")
@click.argument("ids", type=int, nargs=-1)
@click.option("--reason", required=True, help="Why the event needs no further handling.")
@click.option("--all", "every", is_flag=True, help="Every parked dead letter matching the filter options.")
@_filter_options
@_JSON
@click.pass_context
def discard_command(  # noqa: PLR0913 - one parameter per option
    ctx: click.Context,
    ids: Sequence[int],
    *,
    reason: str,
    status: str | None,
    event_type: str | None,
    crn: str | None,
    every: bool,
    as_json: bool,
) -> None:
    """Set parked dead letters aside for good, with a reason."""
    if not reason.strip():
        raise click.BadParameter("must not be blank", param_hint="--reason")
    targets = _targets(ids, every=every, where=DeadLetterFilter(status, event_type, crn))
    _report(_operations(ctx).discard(targets, reason, actor=CLI_ACTOR), "discarded", as_json=as_json)


def _targets(ids: Sequence[int], *, every: bool, where: DeadLetterFilter) -> list[int] | DeadLetterFilter:
    """The given ids, or ``--all`` of the filter's matches; exactly one of the two."""
    if ids and every:
        raise click.UsageError("give ids or --all, not both")
    if not ids and not every:
        raise click.UsageError("give dead letter ids, or --all with filter options")
    return list(ids) if ids else where


def _report(results: list[ActionResult], verb: str, *, as_json: bool) -> None:
    """One line per row and a count (or the JSON); exit 1 when a row is unknown or its dispatch failed."""
    if as_json:
        _echo_json({"results": results})
    else:
        for r in results:
            outcome = f"{verb}" + (f" as task {r.task_id}" if r.task_id else "") if r.done else f"skipped: {r.message}"
            click.echo(f"{r.id:>6}  {outcome}")
        click.echo(f"{sum(r.done for r in results)} of {len(results)} {verb}")
    # Already requeued / resolved rows are a success (repeating is safe); unknown ids and failed dispatches are not.
    if any(not r.done and (r.status == "missing" or (r.message or "").startswith("dispatch failed")) for r in results):
        raise SystemExit(1)


@click.command("outcomes")
@click.argument("event_id_or_crn")
@_JSON
@click.pass_context
def outcomes(ctx: click.Context, event_id_or_crn: str, *, as_json: bool) -> None:
    """Every recorded outcome of an event id, or of the events of a CRN, newest first."""
    found = _operations(ctx).outcomes(event_id_or_crn)
    if as_json:
        _echo_json({"outcomes": found})
        return
    for o in found:
        reason = f"  ({o.reason})" if o.reason else ""
        click.echo(
            f"{when(o.finished_at)}  {o.outcome:<13}  {o.event_type}  {o.crn or '-'}  {o.event_id}  "
            f"attempts={o.attempts}  task={o.task_id or '-'}{reason}"
        )
    if not found:
        click.echo(f"no outcome recorded for {event_id_or_crn}")
