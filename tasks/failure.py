"""The one place that decides what an attempt's end means: its outcome, a retry with backoff, or a dead letter.

Every step here is protected: whatever fails while recording, the event stays ``pending`` in the ledger with a
lease, and the reconciler dispatches it again when the lease ends. Nothing that fails here can drop an event.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from celery.exceptions import Reject, Retry

from allocations.backoff import budget_spent, retry_delay
from allocations.errors import AllocationError, AttemptsLost, InvalidMessage
from allocations.events import AllocationEvent, ReceivedEvent
from allocations.outcome import Outcome, OutcomeKind
from allocations.sqs import queue_url, send_event, sqs_client
from allocations.state.ledger import Attempt
from tasks.runtime import runtime

if TYPE_CHECKING:
    from celery import Task

log = logging.getLogger("allocations.outcome")

# Retrying the dead-letter route itself (database and SQS DLQ both down); the ledger's lease backs it up.
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

    def record(self) -> Attempt:
        """This attempt as the ledger records it."""
        return Attempt(self.received, self.attempt, self.task.request.id, self.started_at)

    @property
    def crn(self) -> str | None:
        """The validated CRN, or the payload's best guess for an event that failed validation."""
        return self.allocation.crn if self.allocation else payload_crn(self.received.payload)

    @property
    def detail_url(self) -> str | None:
        """The validated detail URL, or the payload's when it is a string."""
        if self.allocation:
            return self.allocation.detail_url
        found = self.received.payload.get("detailUrl")
        return found if isinstance(found, str) else None

    def fields(self) -> dict[str, Any]:
        """Structured log fields; never raises, whatever the payload holds."""
        return {
            "event_id": self.received.event_id,
            "event_type": self.received.event_type,
            "crn": self.crn,
            "detail_url": self.detail_url,
            "task_id": self.task.request.id,
            "attempt": self.attempt,
        }


def finish(handling: Handling, outcome: Outcome, *, recorded: bool) -> None:
    """Record (unless the allocation's transaction already did) and log a successful final outcome."""
    if not recorded and not runtime().state.record_outcome(
        handling.record(), outcome, crn=handling.crn, detail_url=handling.detail_url
    ):
        already_final(handling)
        return
    log_outcome(outcome.kind.value, handling.fields(), reason=outcome.reason, **outcome.properties)


def already_final(handling: Handling) -> None:
    """Another copy of the event recorded its outcome first: this one changed nothing."""
    log_outcome("already-final", handling.fields())


def handle_failure(handling: Handling, error: Exception) -> NoReturn:
    """Invalid → dead-letter now; anything else → retry with backoff until the budget is spent, then dead-letter."""
    try:
        budget = runtime().settings.retry
        retries = int(handling.task.request.retries or 0)
        if not isinstance(error, InvalidMessage | AttemptsLost) and not budget_spent(retries, budget):
            _retry(handling, error, retry_delay(retries, budget))
        _dead_letter(handling, error)
    except (Retry, Reject):
        raise
    except Exception:
        # The event is still pending in the ledger: the reconciler dispatches it again when its lease ends.
        log.exception("could not finish event %s; the reconciler takes it over", handling.received.event_id)
    raise error


def _retry(handling: Handling, error: Exception, delay: float) -> NoReturn:
    state = runtime().state
    log_outcome("retrying", handling.fields(), error=describe(error), countdown=round(delay, 3))
    try:
        state.postpone(handling.received.event_id, delay)
    except Exception:
        log.warning("could not postpone event %s in the ledger", handling.received.event_id, exc_info=True)
    try:
        raise handling.task.retry(exc=error, countdown=delay)
    except Reject:
        # Celery could not publish the retry and drops this task: hand the event to the reconciler now.
        log.warning("retry of event %s not published; the reconciler dispatches it", handling.received.event_id)
        state.due_now(handling.received.event_id)
        raise


def _dead_letter(handling: Handling, error: Exception) -> None:
    error_class = error.kind if isinstance(error, AllocationError) else type(error).__name__
    try:
        parked = runtime().state.dead_letter(
            handling.record(),
            crn=handling.crn,
            detail_url=handling.detail_url,
            error_class=error_class,
            error_message=str(error),
            traceback="".join(traceback.format_exception(error)),
        )
    except Exception as route_error:
        log.exception("dead-letter table unavailable; sending event %s to the SQS DLQ", handling.received.event_id)
        _to_sqs_dlq(handling, route_error)
        parked = True
    if not parked:
        already_final(handling)
        return
    log_outcome(OutcomeKind.DEAD_LETTERED.value, handling.fields(), error_class=error_class, error=str(error))


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


def log_outcome(outcome: str, fields: dict[str, Any], **extra: Any) -> None:
    """One structured line per outcome, retry or dead letter."""
    items = {"outcome": outcome, **fields, **{k: v for k, v in extra.items() if v is not None}}
    level = logging.WARNING if outcome in {"retrying", OutcomeKind.DEAD_LETTERED.value} else logging.INFO
    log.log(level, " ".join(f"{key}={value!r}" for key, value in items.items()), extra={"allocation": items})


def describe(error: Exception) -> str:
    """``Kind: message`` for logs."""
    return f"{error.kind if isinstance(error, AllocationError) else type(error).__name__}: {error}"


def payload_crn(payload: dict[str, Any]) -> str | None:
    """The first CRN identifier of a payload of any shape, or None."""
    reference = payload.get("personReference")
    identifiers = reference.get("identifiers") if isinstance(reference, dict) else None
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if (
            isinstance(identifier, dict)
            and identifier.get("type") == "CRN"
            and isinstance(identifier.get("value"), str)
        ):
            return str(identifier["value"])
    return None
