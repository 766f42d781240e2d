"""``allocations dead-letters …``: list (with counts), show, re-enqueue and discard by ids or by filter.

Preview and the background recovery are in ``tasks.cli_recovery``, added to this group below.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from allocations.state.operator_view import CountChanged
from tasks.cli_operations import (
    _JSON,
    CLI_ACTOR,
    _bulk_options,
    _confirm,
    _echo_json,
    _filter_options,
    _operations,
    _report,
    _targets,
    where_from,
)
from tasks.cli_output import say
from tasks.cli_recovery import preview_command, recovery
from tasks.operations import to_json, when

if TYPE_CHECKING:
    from collections.abc import Sequence


@click.group("dead-letters")
def dead_letters() -> None:
    """Events that failed for good: list, show, re-enqueue, discard, preview, recover in the background."""


@dead_letters.command("list")
@_filter_options
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0, show_default=True)
@_JSON
@click.pass_context
def list_command(ctx: click.Context, /, *, limit: int, offset: int, as_json: bool, **filters: Any) -> None:
    """Dead letters, newest failure first, with the counts per status and error class."""
    where = where_from(filters)
    operations = _operations(ctx)
    page = operations.list_dead_letters(where, limit=limit, offset=offset)
    if as_json:
        _echo_json({**to_json(page), "counts": to_json(operations.count_dead_letters(where))})
        return
    for d in page.items:
        say(
            f"{d.id:>6}  {d.status:<9}  {when(d.last_failed_at)}  {d.event_type}  {d.crn or '-'}  {d.event_id}  "
            f"{d.error_class}: {d.error_message}"
        )
    counts = operations.count_dead_letters(where)
    if counts.total:
        say("by status: " + ", ".join(f"{k} {v}" for k, v in counts.by_status.items()))
        say("by error class: " + ", ".join(f"{k} {v}" for k, v in counts.by_error_class.items()))
    shown = f"{offset + 1}-{offset + len(page.items)}" if page.items else "none"
    say(f"{page.total} matching, showing {shown}")


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
            say(f"{name}: {value}")
    say("event: " + json.dumps(dead_letter.event, indent=2, sort_keys=True))
    say("traceback:\n" + dead_letter.traceback)
    say("history:")
    for entry in detail.history:
        say(f"  {when(entry.at)}  {entry.action:<14}  {entry.task_id or '-'}  {entry.detail or ''}")


@dead_letters.command("requeue")
@click.argument("ids", type=int, nargs=-1)
@_bulk_options
@_JSON
@click.pass_context
def requeue_command(  # noqa: PLR0913 - one parameter per option
    ctx: click.Context,
    /,
    ids: Sequence[int],
    *,
    every: bool,
    yes: bool,
    expect: int | None,
    as_json: bool,
    **filters: Any,
) -> None:
    """Re-dispatch the stored events of parked dead letters (safe to repeat: a row is dispatched once)."""
    operations = _operations(ctx)
    targets = _targets(ids, every=every, where=where_from(filters))
    confirmed = _confirm(operations, targets, "Re-enqueue", yes=yes, expect=expect)
    try:
        results = operations.requeue(targets, actor=CLI_ACTOR, confirmed=confirmed)
    except CountChanged as error:
        raise click.ClickException(str(error)) from None
    _report(results, "requeued", as_json=as_json)


@dead_letters.command("discard")
@click.argument("ids", type=int, nargs=-1)
@click.option("--reason", required=True, help="Why the event needs no further handling.")
@_bulk_options
@_JSON
@click.pass_context
def discard_command(  # noqa: PLR0913 - one parameter per option
    ctx: click.Context,
    /,
    ids: Sequence[int],
    *,
    reason: str,
    every: bool,
    yes: bool,
    expect: int | None,
    as_json: bool,
    **filters: Any,
) -> None:
    """Set parked dead letters aside for good, with a reason."""
    if not reason.strip():
        raise click.BadParameter("must not be blank", param_hint="--reason")
    operations = _operations(ctx)
    targets = _targets(ids, every=every, where=where_from(filters))
    confirmed = _confirm(operations, targets, "Discard", yes=yes, expect=expect)
    try:
        results = operations.discard(targets, reason, actor=CLI_ACTOR, confirmed=confirmed)
    except CountChanged as error:
        raise click.ClickException(str(error)) from None
    _report(results, "discarded", as_json=as_json)


dead_letters.add_command(preview_command)
dead_letters.add_command(recovery)
