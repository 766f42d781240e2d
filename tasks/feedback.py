"""What an operator's action did, in one sentence: the page's notice, ``message`` in the API's JSON, the CLI's line.

"Re-enqueued 3 dead letters: #12, #15, #18; 1 was not parked (#20 already requeued)".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocations.sqs_dlq import RedriveResult
    from allocations.state.records import ActionResult

LISTED = 20  # ids named in one sentence; the rest are counted


def action_summary(results: list[ActionResult], verb: str) -> str:
    """``verb`` (past tense, e.g. "Re-enqueued") and the ids it was done to, then why the others were not."""
    done = [r for r in results if r.done]
    missing = [r for r in results if not r.done and r.status == "missing"]
    failed = [r for r in results if not r.done and (r.message or "").startswith("dispatch failed")]
    other = [r for r in results if not r.done and r not in missing and r not in failed]
    sentence = f"{verb} {_count(len(done), 'dead letter')}" + (f": {_ids(done)}" if done else "")
    parts = [sentence]
    if other:
        was = "was" if len(other) == 1 else "were"
        parts.append(f"{len(other)} {was} not parked ({_ids(other, why=True)})")
    if missing:
        parts.append(f"{len(missing)} not found ({_ids(missing)})")
    if failed:
        parts.append(f"{len(failed)} could not be dispatched ({_ids(failed, why=True)})")
    if not results:
        return f"{verb} nothing: no dead letter matched"
    return "; ".join(parts)


def redrive_summary(result: RedriveResult, waiting: int | None = None) -> str:
    """What a move back to the events queue did; ``waiting``: the DLQ's depth afterwards, when known."""
    if result.method == "move-task":
        return f"Started an SQS move task for every message (handle {result.task_handle}); its progress is listed below"
    asked = f" (at most {result.requested} asked)" if result.requested is not None else ""
    left = f"; {_count(waiting, 'message')} still waiting" if waiting is not None else ""
    return f"Moved {_count(result.moved or 0, 'message')} back to the events queue{asked}{left}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _ids(results: list[ActionResult], *, why: bool = False) -> str:
    named = [f"#{r.id}" + (f" {r.message}" if why and r.message else "") for r in results[:LISTED]]
    more = f" and {len(results) - LISTED} more" if len(results) > LISTED else ""
    return ", ".join(named) + more
