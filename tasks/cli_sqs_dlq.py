"""``allocations sqs-dlq …``: the SQS DLQ of poison messages: peek, redrive (all or at most N), move tasks, cancel.

The same operations as the dashboard's SQS DLQ page (``tasks.operations``); text by default, the API's JSON with
``--json``.
"""

from __future__ import annotations

import click

from allocations.sqs_dlq import MoveTasksUnsupported
from tasks.cli_operations import _JSON, _echo_json, _operations
from tasks.cli_output import say
from tasks.feedback import redrive_summary
from tasks.operations import when


@click.group("sqs-dlq")
def sqs_dlq() -> None:
    """The SQS DLQ of poison messages: peek, redrive, moves, cancel."""


@sqs_dlq.command("peek")
@click.option("--max", "max_messages", default=10, show_default=True, help="How many messages to show.")
@click.option("--bodies", is_flag=True, help="Also print each body (escaped, cut at 4,000 characters).")
@_JSON
@click.pass_context
def peek_command(ctx: click.Context, max_messages: int, *, bodies: bool, as_json: bool) -> None:
    """Depth, the first messages (left on the queue) and the move tasks."""
    peek = _operations(ctx).peek_dlq(max_messages)
    if as_json:
        _echo_json(peek)
        return
    depth = peek.depth
    say(f"{depth.queue_url}: {depth.visible} waiting, {depth.in_flight} in flight")
    for m in peek.messages:
        about = f"{m.event_type} {m.event_id}" if m.event_id else f"unreadable: {m.problem}"
        say(f"  {m.message_id}  receives={m.receive_count}  {about}")
        if bodies:
            notes = [note for note, on in (("escaped", m.body_escaped), ("truncated", m.body_truncated)) if on]
            say(f"    body ({m.body_size} bytes{', ' if notes else ''}{', '.join(notes)}): {m.body}")
    for move in peek.moves or []:
        say(f"  move {move.status}: {move.moved} of {move.to_move or '?'} moved, {when(move.started_at)}")


@sqs_dlq.command("redrive")
@click.option("--max", "max_messages", type=click.IntRange(min=1), help="Move at most this many (default: all).")
@_JSON
@click.pass_context
def redrive_command(ctx: click.Context, max_messages: int | None, *, as_json: bool) -> None:
    """Move the DLQ's messages back to the events queue (--max: never more than that many)."""
    operations = _operations(ctx)
    result = operations.redrive_dlq(max_messages)
    waiting = operations.dlq_status().visible if result.method != "move-task" else None
    message = redrive_summary(result, waiting)
    if as_json:
        _echo_json({"result": result, "message": message})
    else:
        say(message)


@sqs_dlq.command("moves")
@_JSON
@click.pass_context
def moves_command(ctx: click.Context, *, as_json: bool) -> None:
    """The DLQ's recent move tasks (StartMessageMoveTask), newest first."""
    moves = _operations(ctx).dlq_moves()
    if as_json:
        _echo_json({"moves": moves})
        return
    if moves is None:
        say("this SQS endpoint has no message move tasks")
        return
    for move in moves:
        progress = f"{move.moved} of {move.to_move if move.to_move is not None else '?'} moved"
        failure = f"  ({move.failure_reason})" if move.failure_reason else ""
        say(f"{move.status:<10}  {progress}  started {when(move.started_at)}  {move.task_handle or '-'}{failure}")
    if not moves:
        say("no move tasks")


@sqs_dlq.command("cancel")
@click.argument("task_handle")
@click.pass_context
def cancel_command(ctx: click.Context, task_handle: str) -> None:
    """Cancel a running move task."""
    try:
        moved = _operations(ctx).cancel_dlq_move(task_handle)
    except MoveTasksUnsupported as error:
        raise click.ClickException(str(error)) from None
    say(f"cancelled the move task {task_handle}: {moved} message(s) had been moved")
