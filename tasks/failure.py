"""The one place that maps a failure to Celery behaviour: retry with backoff, or the dead-letter route."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from allocations.backoff import budget_spent, retry_delay
from allocations.errors import AllocationError, InvalidMessage
from allocations.events import AllocationEvent, ReceivedEvent
from allocations.outcome import Outcome, OutcomeKind
from allocations.sqs import queue_url, send_event, sqs_client
from tasks.runtime import runtime

if TYPE_CHECKING:
    from celery import Task

log = logging.getLogger("allocations.outcome")

# Retrying the dead-letter route itself (database and SQS DLQ both down) never gives up: nothing is dropped.
DEAD_LETTER_ROUTE_RETRY_SECONDS = 60


@dataclass
class Handling:
    """One attempt at one event, with what the logs and records need."""

    task: Task[Any, Any]
    received: ReceivedEvent
    started_at: datetime
    attempt: int
    allocation: AllocationEvent | None = None

    @classmethod
    def start(cls, task: Task[Any, Any], received: ReceivedEvent, started_at: str, earlier_retries: int) -> Handling:
        """Attempt number = retries of the subtasks before this one + this subtask's retries + 1."""
        attempt = earlier_retries + int(task.request.retries or 0) + 1
        return cls(task, received, datetime.fromisoformat(started_at), attempt)

    def allocation_event(self) -> AllocationEvent:
        """The validated event (raises InvalidMessage), remembered for logs and records."""
        self.allocation = AllocationEvent.from_received(self.received)
        return self.allocation

    def fields(self) -> dict[str, Any]:
        """Structured log fields."""
        payload = self.received.payload
        return {
            "event_id": self.received.event_id,
            "event_type": self.received.event_type,
            "crn": self.allocation.crn if self.allocation else _crn(payload),
            "detail_url": self.allocation.detail_url if self.allocation else payload.get("detailUrl"),
            "task_id": self.task.request.id,
            "attempt": self.attempt,
        }


def finish(handling: Handling, outcome: Outcome) -> None:
    """Record and log a final, successful outcome (applied, duplicate or ignored)."""
    fields = handling.fields()
    runtime().state.record_outcome(
        handling.received,
        outcome=outcome.kind,
        crn=fields["crn"],
        detail_url=fields["detail_url"],
        reason=outcome.reason,
        attempts=handling.attempt,
        task_id=fields["task_id"],
        started_at=handling.started_at,
        properties=outcome.properties,
    )
    _log(outcome.kind.value, fields, reason=outcome.reason, **outcome.properties)


def handle_failure(handling: Handling, error: Exception) -> NoReturn:
    """Invalid → dead-letter now; anything else → retry with backoff until the budget is spent, then dead-letter."""
    budget = runtime().settings.retry
    retries = int(handling.task.request.retries or 0)
    permanent = isinstance(error, InvalidMessage)
    if not permanent and not budget_spent(retries, budget):
        delay = retry_delay(retries, budget)
        _log("retrying", handling.fields(), error=_describe(error), countdown=round(delay, 3))
        raise handling.task.retry(exc=error, countdown=delay)
    _dead_letter(handling, error)
    raise error


def _dead_letter(handling: Handling, error: Exception) -> None:
    fields = handling.fields()
    error_class = error.kind if isinstance(error, AllocationError) else type(error).__name__
    try:
        runtime().state.dead_letter(
            handling.received,
            crn=fields["crn"],
            detail_url=fields["detail_url"],
            error_class=error_class,
            error_message=str(error),
            traceback="".join(traceback.format_exception(error)),
            attempts=handling.attempt,
            task_id=fields["task_id"],
            started_at=handling.started_at,
        )
    except Exception as route_error:
        log.exception("dead-letter table unavailable; sending event %s to the SQS DLQ", fields["event_id"])
        _to_sqs_dlq(handling, route_error)
    _log(OutcomeKind.DEAD_LETTERED.value, fields, error_class=error_class, error=str(error))


def _to_sqs_dlq(handling: Handling, route_error: Exception) -> None:
    settings = runtime().settings
    try:
        client = sqs_client(settings.aws_region, settings.sqs_endpoint_url)
        send_event(client, queue_url(client, settings.sqs_dlq), handling.received)
    except Exception:
        log.exception("SQS DLQ unavailable too; event %s retried later", handling.received.event_id)
        raise handling.task.retry(
            exc=route_error, countdown=DEAD_LETTER_ROUTE_RETRY_SECONDS, max_retries=None
        ) from None


def _log(outcome: str, fields: dict[str, Any], **extra: Any) -> None:
    items = {"outcome": outcome, **fields, **{k: v for k, v in extra.items() if v is not None}}
    level = logging.WARNING if outcome in {"retrying", OutcomeKind.DEAD_LETTERED.value} else logging.INFO
    log.log(level, " ".join(f"{key}={value!r}" for key, value in items.items()), extra={"allocation": items})


def _describe(error: Exception) -> str:
    return f"{error.kind if isinstance(error, AllocationError) else type(error).__name__}: {error}"


def _crn(payload: dict[str, Any]) -> str | None:
    identifiers = (payload.get("personReference") or {}).get("identifiers") or []
    return next((i.get("value") for i in identifiers if isinstance(i, dict) and i.get("type") == "CRN"), None)
