"""Operators' commands: ``allocations outcomes …`` and the helpers of ``dead-letters`` and ``sqs-dlq`` (own modules).

The same operations as the Flower dashboard (``tasks.operations``), straight against the state database, the Celery
broker and SQS. Text for people by default, the API's JSON with ``--json``.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from allocations.config import ConfigurationError, load_settings
from allocations.event_types import EventType
from allocations.state.filters import FilterError, parse_filter
from allocations.state.records import ActionResult, DeadLetterFilter, DeadLetterStatus
from tasks.cli_output import say
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
    say(json.dumps(to_json(value), indent=2))


def _filter_options(function: Any) -> Any:
    """Add the filter options: status, event type, CRN, error class and text, team, staff, failure dates, attempts."""
    options = [
        click.option("--min-attempts", type=int, help="Only rows that took at least this many attempts."),
        click.option("--failed-until", help="Last failed on or before (date or ISO 8601 time)."),
        click.option("--failed-from", help="First failed on or after (date or ISO 8601 time)."),
        click.option("--staff", help="Only errors naming this staff code."),
        click.option("--team", help="Only errors naming this team code (e.g. StaffNotInTeam for N02T02)."),
        click.option("--error-text", help="Only errors whose message contains this (any case)."),
        click.option("--error-class", help="Only this error class (NotFound, StaffNotInTeam …)."),
        click.option("--crn", help="Only this CRN."),
        click.option("--event-type", type=_EVENT_TYPE, help="Only this event type."),
        click.option("--status", type=_STATUS, help="Only this status."),
    ]
    for option in options:
        function = option(function)
    return function


def where_from(options: dict[str, Any]) -> DeadLetterFilter:
    """The filter the options describe (a malformed date or number is a usage error)."""
    try:
        return parse_filter(options)
    except FilterError as error:
        raise click.BadParameter(str(error)) from None


def _bulk_options(function: Any) -> Any:
    """``--all`` with the filter options, and how a bulk action is confirmed (``--yes``, ``--expect N``)."""
    function = _filter_options(function)
    function = click.option("--expect", type=int, help="With --all: refuse if more rows than this match.")(function)
    function = click.option("--yes", is_flag=True, help="With --all: do not ask for confirmation.")(function)
    return click.option("--all", "every", is_flag=True, help="Every parked dead letter matching the filter.")(function)


def _confirm(
    operations: Operations, targets: list[int] | DeadLetterFilter, verb: str, *, yes: bool, expect: int | None
) -> int | None:
    """For ``--all``: the count the action may touch (``--expect``, else the count now, asked at a terminal)."""
    if not isinstance(targets, DeadLetterFilter):
        return None
    if expect is not None:
        return expect
    count = len(operations.state.target_ids(targets))
    if not yes and sys.stdin.isatty():
        click.confirm(f"{verb} {count} dead letter(s) matching the filter?", abort=True)
    return count


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
            say(f"{r.id:>6}  {outcome}")
        say(f"{sum(r.done for r in results)} of {len(results)} {verb}")
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
        say(
            f"{when(o.finished_at)}  {o.outcome:<13}  {o.event_type}  {o.crn or '-'}  {o.event_id}  "
            f"attempts={o.attempts}  task={o.task_id or '-'}{reason}"
        )
    if not found:
        say(f"no outcome recorded for {event_id_or_crn}")
