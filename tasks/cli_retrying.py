"""``allocations retrying list|retry-now|dead-letter-now``: events in backoff, from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tasks import retrying
from tasks.cli_operations import _JSON, CLI_ACTOR, _echo_json, _operations  # the shared CLI helpers
from tasks.cli_output import say
from tasks.dashboard.retrying import PARKED, RETRIED
from tasks.operations import when

if TYPE_CHECKING:
    from allocations.state.retrying import RetryAction


@click.group("retrying")
def retrying_group() -> None:
    """Events in backoff between a failed attempt and their next: list, retry now, dead-letter now."""


@retrying_group.command("list")
@_JSON
@click.pass_context
def list_command(ctx: click.Context, *, as_json: bool) -> None:
    """Events in backoff, the soonest next attempt first."""
    rows = retrying.list_retrying(_operations(ctx))
    if as_json:
        _echo_json({"retrying": rows})
        return
    for row in rows:
        say(
            f"{row.event_id}  {row.event_type}  {row.crn or '-'}  attempts {row.attempts}"
            f"  next {when(row.next_attempt_at)}  last error {row.last_error or '-'}"
        )
    say(f"{len(rows)} in backoff")


@retrying_group.command("retry-now")
@click.argument("event_ids", nargs=-1, required=True)
@_JSON
@click.pass_context
def retry_now_command(ctx: click.Context, event_ids: tuple[str, ...], *, as_json: bool) -> None:
    """Dispatch each event now; its scheduled retry then finds it handled (the ledger writes it once)."""
    results = retrying.retry_now(_operations(ctx), event_ids)
    _report(results, RETRIED, as_json=as_json)


@retrying_group.command("dead-letter-now")
@click.argument("event_ids", nargs=-1, required=True)
@_JSON
@click.pass_context
def dead_letter_now_command(ctx: click.Context, event_ids: tuple[str, ...], *, as_json: bool) -> None:
    """Park each event as a dead letter, dead-lettered by you (the OS user)."""
    results = retrying.dead_letter_now(_operations(ctx), event_ids, CLI_ACTOR)
    _report(results, PARKED, as_json=as_json)


def _report(results: list[RetryAction], verb: str, *, as_json: bool) -> None:
    message = retrying.retry_summary(results, verb)
    if as_json:
        _echo_json({"message": message, "results": results})
    else:
        say(message)
    if not all(r.done for r in results):
        raise SystemExit(1)
