"""One task per event type; each chains a Workload fetch to a Delius write. Thin: the domain does the work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from celery import Task, chain
from celery.exceptions import Ignore

from allocations.delius.allocate import allocate
from allocations.errors import AlreadyHandled, AttemptsLost
from allocations.events import ReceivedEvent
from allocations.outcome import OutcomeKind
from allocations.workload.schemas import parse_detail
from tasks.app import app
from tasks.failure import Handling, already_final, finish, handle_failure
from tasks.runtime import runtime

TaskArg = dict[str, Any]


@app.task(name="allocations.person_allocated", acks_late=True)
def person_allocated(event: TaskArg) -> str:
    """``person.community.manager.allocated``."""
    return start_chain(event)


@app.task(name="allocations.event_allocated", acks_late=True)
def event_allocated(event: TaskArg) -> str:
    """``event.manager.allocated``."""
    return start_chain(event)


@app.task(name="allocations.requirement_allocated", acks_late=True)
def requirement_allocated(event: TaskArg) -> str:
    """``requirement.manager.allocated``."""
    return start_chain(event)


@app.task(name="allocations.licence_condition_allocated", acks_late=True)
def licence_condition_allocated(event: TaskArg) -> str:
    """``licence-condition.manager.allocated``."""
    return start_chain(event)


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


@app.task(name="allocations.fetch_detail", bind=True, acks_late=True, max_retries=None)
def fetch_detail(self: Task[Any, Any], event: TaskArg, started_at: str) -> TaskArg:
    """GET the event's detailUrl; no database transaction here (the ledger lease is one short statement)."""
    handling = Handling.start(self, ReceivedEvent.from_task_arg(event), started_at, earlier_retries=0)
    try:
        leased = lease(handling)
        if leased:
            allocation = handling.allocation_event()
            body = runtime().workload.fetch_json(allocation.detail_url)
            parse_detail(body)  # a detail that can never be written is dead-lettered now, not after a retry
    except Exception as error:  # noqa: BLE001 - every failure is classified in one place
        handle_failure(handling, error)
    if not leased:
        already_final(handling)
        raise Ignore  # the chain stops here: the write is not sent
    return {"detail": body, "fetch_retries": handling.attempt - 1}


def lease(handling: Handling) -> bool:
    """Lease the event to this attempt in the ledger; False when it is already final.

    Raises AttemptsLost when the event's last attempts all died with their process (a poison event).
    """
    lost = runtime().state.start_attempt(handling.received)
    if lost is None:
        return False
    if lost >= runtime().settings.limits.max_lost_attempts:
        raise AttemptsLost(f"{lost} attempts at this event never ended: each lost its process")
    return True


@app.task(name="allocations.write_allocation", bind=True, acks_late=True, max_retries=None)
def write_allocation(self: Task[Any, Any], fetched: TaskArg, event: TaskArg, started_at: str) -> str:
    """Write the allocation and its outcome in one Delius transaction; no HTTP call here."""
    received = ReceivedEvent.from_task_arg(event)
    handling = Handling.start(self, received, started_at, earlier_retries=int(fetched["fetch_retries"]))
    try:
        allocation = handling.allocation_event()
        rt = runtime()
        attempt = handling.record()
        record = rt.state.recorder(attempt, crn=allocation.crn, detail_url=allocation.detail_url)
        in_transaction = rt.shared_database
        outcome = allocate(
            rt.delius,
            rt.settings.delius_username,
            allocation,
            parse_detail(fetched["detail"]),
            record=record if in_transaction else None,
        )
        # An ignorable condition rolled the transaction back, outcome included: it is recorded on its own.
        finish(handling, outcome, recorded=in_transaction and outcome.kind is not OutcomeKind.IGNORED)
    except AlreadyHandled:
        already_final(handling)
        return "already-final"
    except Exception as error:  # noqa: BLE001 - every failure is classified in one place
        handle_failure(handling, error)
    return outcome.kind.value
