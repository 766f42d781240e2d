"""The allocation tasks: per event type, a task that fetches the detail, chained to the one task that writes it.

Each event is two task executions: its per-type task (named by the registry, ``allocations/routes.py``, so Flower
shows which kind of allocation it is) GETs the detail from Workload and parses it, and ``write_allocation`` writes
it into Delius. Every step runs inside ``tasks.failure.protected``, which decides what any way it ends means.
``tasks/dispatch.py`` sends the per-type task with the write linked to it; a retried fetch keeps that link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from celery.exceptions import Ignore

from allocations.errors import AlreadyHandled, AttemptsLost
from allocations.routes import ROUTES, parse_detail, write_detail
from tasks.app import app
from tasks.dispatch import WRITE_TASK
from tasks.failure import finish, protected
from tasks.fetched import Fetched
from tasks.runtime import runtime

if TYPE_CHECKING:
    from celery import Task

    from allocations.routes import Route
    from tasks.failure import Handling

TaskArg = dict[str, Any]


def _per_type_task(route: Route[Any]) -> Task[Any, Any]:
    def allocated(self: Task[Any, Any], event: TaskArg) -> Fetched:
        fetched = protected(self, event, 0, fetch)
        if not isinstance(fetched, Fetched):
            raise Ignore  # the event's outcome is final already: the chain stops here, the write is not sent
        return fetched

    allocated.__name__ = allocated.__qualname__ = route.task_name.rpartition(".")[2]
    allocated.__doc__ = f"``{route.event_type.value}``: fetch the detail from Workload; the next task writes it."
    return app.task(name=route.task_name, bind=True, acks_late=True, max_retries=None)(allocated)


PER_TYPE_TASKS = {route.event_type: _per_type_task(route) for route in ROUTES}


def fetch(handling: Handling) -> Fetched:
    """Lease the event, validate it, GET its detail and parse it; no database transaction is held meanwhile."""
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


@app.task(name=WRITE_TASK, bind=True, acks_late=True, max_retries=None)
def write_allocation(self: Task[Any, Any], fetched: Fetched, event: TaskArg) -> str:
    """Write the allocation and its outcome in one Delius transaction; no HTTP call here."""
    # The write continues the fetch's attempt: its retries count on from the attempts the fetch took.
    return str(protected(self, event, fetched.attempts - 1, lambda handling: write(handling, fetched)))


def write(handling: Handling, fetched: Fetched) -> str:
    """Write the fetched detail with its use case; with the service's schema in Delius, the outcome goes in too."""
    rt = runtime()
    allocation = handling.validated()
    record = rt.state.recorder(handling.record()) if rt.shared_database else None
    outcome = write_detail(rt.delius, allocation, fetched.detail, record=record)
    return finish(handling, outcome, recorded=record is not None)


__all__ = ["PER_TYPE_TASKS", "WRITE_TASK", "fetch", "write", "write_allocation"]
