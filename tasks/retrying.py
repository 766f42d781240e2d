"""The Retrying operations (events in backoff; retry now, dead-letter now) shared by the dashboard and the CLI.

"Retry now" sends the event's chain at once (``tasks.dispatch.dispatch``, through ``Operations.dispatch``); the
copy Celery holds with its countdown still fires later and finds the event final (``already-final``) or, if the
event is still pending, runs one more attempt: the ledger's lease and its one conditional finish keep every
allocation written once. "Dead-letter now" parks the event as a dead letter whose history names the operator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocations.state import retrying

if TYPE_CHECKING:
    from collections.abc import Iterable

    from allocations.state.retrying import RetryAction, Retrying
    from tasks.operations import Operations

LISTED = 20  # event ids named in one sentence; the rest are counted


def list_retrying(operations: Operations, limit: int = 200) -> list[Retrying]:
    """Events in backoff, the soonest next attempt first."""
    return retrying.list_retrying(operations.state.engine, limit)


def retry_now(operations: Operations, event_ids: Iterable[str]) -> list[RetryAction]:
    """Dispatch each event in backoff at once; one result per event id."""
    state = operations.state
    return [
        retrying.retry_now(state.engine, event_id, operations.dispatch, lease=state.lease)
        for event_id in dict.fromkeys(event_ids)
    ]


def dead_letter_now(operations: Operations, event_ids: Iterable[str], actor: str) -> list[RetryAction]:
    """Park each event in backoff as a dead letter, "dead-lettered by ``actor``"; one result per event id."""
    return [retrying.dead_letter_now(operations.state.engine, event_id, actor) for event_id in dict.fromkeys(event_ids)]


def retry_summary(results: list[RetryAction], verb: str) -> str:
    """One sentence: ``verb`` and the events it was done to, then why the others were not.

    "Retried now 2 events: e-1, e-2 (their scheduled retries will find them handled); 1 was not retried (e-3
    already applied)".
    """
    if not results:
        return f"{verb} nothing: no event was named"
    done = [r for r in results if r.done]
    skipped = [r for r in results if not r.done]
    noun = "event" if len(done) == 1 else "events"
    parts = [f"{verb} {len(done)} {noun}" + (f": {_named(done)}" if done else "")]
    if skipped:
        was = "was" if len(skipped) == 1 else "were"
        parts.append(f"{len(skipped)} {was} not in backoff ({_named(skipped, why=True)})")
    return "; ".join(parts)


def _named(results: list[RetryAction], *, why: bool = False) -> str:
    named = [r.event_id + (f" {r.message}" if why else "") for r in results[:LISTED]]
    more = f" and {len(results) - LISTED} more" if len(results) > LISTED else ""
    return ", ".join(named) + more
