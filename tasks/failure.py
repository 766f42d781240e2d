"""The one place that decides what the end of an attempt means: its final outcome, a retry, or a dead letter.

Every step of an attempt runs inside ``protected``: whatever fails, recording the outcome included, ends here. When
even this cannot finish (the state database and the SQS DLQ both down), the event stays ``pending`` in the ledger
with a lease, and the reconciler dispatches it again when the lease ends. Nothing that fails here can drop an event.

| the attempt ended with | what happens |
|---|---|
| an outcome (applied, duplicate) | recorded once, logged |
| ``AlreadyHandled`` | another copy of the event finished first: logged ``already-final``, nothing written |
| ``IgnorableMessage`` | outcome ``ignored`` with its reason, recorded |
| ``InvalidMessage``, ``AttemptsLost`` | dead-lettered at once |
| anything else (transient) | retried with backoff; dead-lettered when the budget is spent |
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from celery.exceptions import Ignore, Reject, Retry
from sqlalchemy.exc import DBAPIError

from allocations.backoff import budget_spent, retry_delay
from allocations.database_errors import is_operational
from allocations.errors import (
    AllocationError,
    AlreadyHandled,
    AttemptsLost,
    IgnorableMessage,
    InvalidMessage,
    TransientFailure,
)
from allocations.events import AllocationEvent, EventReference, ReceivedEvent
from allocations.log_context import event_context
from allocations.outcome import Outcome, OutcomeKind
from allocations.sqs import queue_url, send_event, sqs_client
from allocations.state.ledger import Attempt
from allocations.state.recording import Failure
from tasks import metrics, tracing
from tasks.runtime import runtime

if TYPE_CHECKING:
    from collections.abc import Callable

    from celery import Task

log = logging.getLogger("allocations.outcome")

T = TypeVar("T")

ALREADY_FINAL = "already-final"
# Retrying the dead-letter route itself (database and SQS DLQ both down); the ledger's lease backs it up.
DEAD_LETTER_ROUTE_RETRY_SECONDS = 60


@dataclass
class Handling:
    """One attempt at one event: the event as received, and once validated, which attempt, which task."""

    task: Task[Any, Any]
    received: ReceivedEvent
    attempt: int
    event: AllocationEvent | None = None

    @classmethod
    def start(cls, task: Task[Any, Any], received: ReceivedEvent, earlier_attempts: int) -> Handling:
        """Attempt number = attempts of the tasks before this one in the chain + this task's retries + 1."""
        return cls(task, received, earlier_attempts + int(task.request.retries or 0) + 1)

    def validated(self) -> AllocationEvent:
        """The event validated for an allocation (raises InvalidMessage), kept for the records."""
        if self.event is None:
            self.event = AllocationEvent.from_received(self.received)
        return self.event

    @property
    def reference(self) -> EventReference:
        """The CRN and detail URL the records show: validated ones once known, else what the payload holds."""
        return self.event.reference if self.event is not None else self.received.reference

    def record(self) -> Attempt:
        """This attempt as the ledger records it."""
        return Attempt(self.received, self.attempt, self.task.request.id, self.reference)

    def fields(self) -> dict[str, Any]:
        """Structured log fields; never raises, whatever the payload holds."""
        reference = self.reference
        return {
            "event_id": self.received.event_id,
            "event_type": self.received.event_type,
            "crn": reference.crn,
            "detail_url": reference.detail_url,
            "task_id": self.task.request.id,
            "attempt": self.attempt,
        }


def protected(
    task: Task[Any, Any],
    event_arg: dict[str, Any],
    earlier_attempts: int,
    step: Callable[[Handling], T],
) -> T | str:
    """Run one step of an attempt; any way it ends is decided by ``conclude``.

    Returns the step's value, or the final outcome ``conclude`` recorded instead (``ignored``, ``already-final``).
    """
    handling = Handling.start(task, ReceivedEvent.from_task_arg(event_arg), earlier_attempts)
    # Every line of the attempt names its event; its run time is observed however it ends.
    with (
        event_context(handling.received.event_id),
        metrics.attempt(task.name),
        tracing.span(task.name, event_id=handling.received.event_id, attempt=handling.attempt),
    ):
        try:
            return step(handling)
        except (Retry, Reject, Ignore):
            raise
        except Exception as error:  # noqa: BLE001 - every failure is classified here, in one place
            return conclude(handling, error)


def conclude(handling: Handling, error: Exception) -> str:
    """What ``error`` means: a final outcome (recorded and returned), or a retry or a dead letter (raised)."""
    try:
        if isinstance(error, AlreadyHandled):
            already_final(handling)
            return ALREADY_FINAL
        if isinstance(error, IgnorableMessage):
            # The allocation's transaction rolled back, outcome included: it is recorded on its own.
            return finish(handling, Outcome.ignored(error.message, **error.properties), recorded=False)
    except Exception as recording_error:  # noqa: BLE001 - retried like any failure
        error = recording_error
    return handle_failure(handling, _meaning(error))  # raises: a retry, or the error once dead-lettered


def _meaning(error: Exception) -> Exception:
    """A database error worth retrying is a transient failure, named as such for the logs and the dead letter."""
    if isinstance(error, DBAPIError) and is_operational(error):
        transient = TransientFailure(f"Database unavailable: {type(error.orig).__name__}")
        transient.__cause__ = error
        return transient
    return error


def finish(handling: Handling, outcome: Outcome, *, recorded: bool) -> str:
    """Record (unless the allocation's transaction already did) and log a final outcome; return what happened."""
    if not recorded and not runtime().state.record_outcome(handling.record(), outcome):
        already_final(handling)
        return ALREADY_FINAL
    log_outcome(outcome.kind.value, handling.fields(), reason=outcome.reason, **outcome.properties)
    metrics.committed(handling.received.event_type, outcome.kind.value, handling.received.payload)
    return outcome.kind.value


def already_final(handling: Handling) -> None:
    """Another copy of the event recorded its outcome first: this one changed nothing."""
    log_outcome(ALREADY_FINAL, handling.fields())


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
    metrics.retry(handling.received.event_type, error_class(error))
    try:
        state.postpone(handling.received.event_id, delay, describe(error))
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
    failure = Failure(error_class(error), str(error), "".join(traceback.format_exception(error)))
    try:
        parked = runtime().state.dead_letter(handling.record(), failure)
    except Exception as route_error:
        log.exception("dead-letter table unavailable; sending event %s to the SQS DLQ", handling.received.event_id)
        _to_sqs_dlq(handling, route_error)
        parked = True
    if not parked:
        already_final(handling)
        return
    log_outcome(OutcomeKind.DEAD_LETTERED.value, handling.fields(), error_class=failure.error_class, error=str(error))


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
    tracing.annotate(outcome=outcome, event_id=fields.get("event_id"), event_type=fields.get("event_type"))
    metrics.outcome(outcome, fields.get("event_type"))
    level = logging.WARNING if outcome in {"retrying", OutcomeKind.DEAD_LETTERED.value} else logging.INFO
    log.log(level, " ".join(f"{key}={value!r}" for key, value in items.items()), extra={"allocation": items})


def error_class(error: Exception) -> str:
    """The class name operators see: the domain's own (``NotFound`` …) or the exception's."""
    return error.kind if isinstance(error, AllocationError) else type(error).__name__


def describe(error: Exception) -> str:
    """``Kind: message`` for logs."""
    return f"{error_class(error)}: {error}"
