"""One task per event type, each chaining a Workload fetch to a Delius write. Thin: the domain does the work.

The per-type tasks come from the registry (``allocations/routes.py``). Every step of an attempt runs inside
``tasks.failure.protected``, which decides what any way it ends means.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from celery import Task, chain
from celery.exceptions import Ignore

from allocations.errors import AlreadyHandled, AttemptsLost
from allocations.routes import ROUTES, parse_detail, write_detail
from tasks.app import app
from tasks.failure import ALREADY_FINAL, finish, protected
from tasks.fetched import Fetched
from tasks.runtime import runtime

if TYPE_CHECKING:
    from allocations.routes import Route
    from tasks.failure import Handling

TaskArg = dict[str, Any]


def start_chain(event: TaskArg) -> str:
    """Fetch then write, as two subtasks, so a retried write never repeats the HTTP call."""
    started_at = datetime.now(UTC).isoformat()
    try:
        result = chain(fetch_detail.s(event, started_at), write_allocation.s(event, started_at)).apply_async()
    except Exception:
        # Not published: the event is pending in the ledger; the reconciler's next pass dispatches it.
        runtime().state.due_now(str(event["event_id"]))
        raise
    return str(result.id)


def _per_type_task(route: Route[Any]) -> Task[Any, Any]:
    def allocated(event: TaskArg) -> str:
        return start_chain(event)

    allocated.__name__ = allocated.__qualname__ = route.task_name.rpartition(".")[2]
    allocated.__doc__ = f"``{route.event_type.value}``: fetch the detail, then write it into Delius."
    return app.task(name=route.task_name, acks_late=True)(allocated)


PER_TYPE_TASKS = {route.event_type: _per_type_task(route) for route in ROUTES}


@app.task(name="allocations.fetch_detail", bind=True, acks_late=True, max_retries=None)
def fetch_detail(self: Task[Any, Any], event: TaskArg, started_at: str) -> Fetched:
    """GET the event's detailUrl and parse it; no database transaction here (the ledger lease is one statement)."""
    fetched = protected(self, event, started_at, 0, _fetch)
    if not isinstance(fetched, Fetched):
        raise Ignore  # the event's outcome is final already: the chain stops here, the write is not sent
    return fetched


def _fetch(handling: Handling) -> Fetched:
    lease(handling)
    allocation = handling.validated()
    body = runtime().workload.fetch_json(allocation.detail_url)
    # A detail that can never be written is dead-lettered now, not after the write's retries.
    return Fetched(parse_detail(body), handling.attempt)


def lease(handling: Handling) -> None:
    """Lease the event to this attempt in the ledger.

    Raises AlreadyHandled when the event is already final, and AttemptsLost when its last attempts all died with
    their process (a poison event).
    """
    lost = runtime().state.start_attempt(handling.received)
    if lost is None:
        raise AlreadyHandled(handling.received.event_id)
    if lost >= runtime().settings.limits.max_lost_attempts:
        raise AttemptsLost(f"{lost} attempts at this event never ended: each lost its process")


@app.task(name="allocations.write_allocation", bind=True, acks_late=True, max_retries=None)
def write_allocation(self: Task[Any, Any], fetched: Fetched | TaskArg, event: TaskArg, started_at: str) -> str:
    """Write the allocation and its outcome in one Delius transaction; no HTTP call here."""
    # A dict is the raw body a worker of the previous release handed over (during a rolling deploy).
    earlier = fetched.attempts - 1 if isinstance(fetched, Fetched) else 0
    return str(protected(self, event, started_at, earlier, lambda handling: _write(handling, fetched)))


def _write(handling: Handling, fetched: Fetched | TaskArg) -> str:
    rt = runtime()
    allocation = handling.validated()
    detail = fetched.detail if isinstance(fetched, Fetched) else parse_detail(fetched["detail"])
    # With the service's schema in the Delius database, the outcome is written in the allocation's transaction.
    record = rt.state.recorder(handling.record()) if rt.shared_database else None
    outcome = write_detail(rt.delius, allocation, detail, record=record)
    return finish(handling, outcome, recorded=record is not None)


__all__ = ["ALREADY_FINAL", "PER_TYPE_TASKS", "fetch_detail", "start_chain", "write_allocation"]
