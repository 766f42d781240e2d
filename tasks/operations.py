"""Operators' operations, shared by the Flower dashboard (``tasks.dashboard``) and the CLI (``tasks.cli_operations``).

Dead letters (list, show with history, re-enqueue, discard by ids or by filter), outcomes of an event id or a CRN,
and the SQS DLQ (status, peek, redrive), with their production wiring, and the JSON both sides print.
Each operation blocks on the database, the broker or SQS: the dashboard runs them off its event loop.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from allocations.database import make_engine
from allocations.delius.preview import Preview, preview_event
from allocations.sqs import sqs_client
from allocations.sqs_dlq import DlqDepth, MoveTask, MoveTasksUnsupported, PeekedMessage, RedriveResult, SqsDlq
from allocations.state import recovery
from allocations.state.operator_view import DEFAULT_PAGE, OperatorView, Targets

if TYPE_CHECKING:
    from allocations.config import Settings
    from allocations.delius.context import Delius
    from allocations.delius.preview import FetchDetail
    from allocations.state.actions import Dispatch
    from allocations.state.records import (
        ActionResult,
        DeadLetter,
        DeadLetterCounts,
        DeadLetterFilter,
        HistoryEntry,
        OutcomeRecord,
        Page,
    )
    from allocations.state.recovery import RecoveryJob


@dataclass(frozen=True)
class DeadLetterDetail:
    """One dead letter and its history, oldest entry first."""

    dead_letter: DeadLetter
    history: list[HistoryEntry]


@dataclass(frozen=True)
class DlqPeek:
    """The SQS DLQ's depth, its first messages (left on the queue) and its move tasks (None: the endpoint has none)."""

    depth: DlqDepth
    messages: list[PeekedMessage]
    moves: list[MoveTask] | None = None


class PreviewSource(Protocol):
    """Where previews run: the Delius database, and how to fetch a detail from Workload."""

    @property
    def delius(self) -> Delius:
        """The Delius database, as the service user."""
        ...

    @property
    def fetch_detail(self) -> FetchDetail:
        """GET a detail URL (allow-list and token as the tasks have them) and return its JSON object."""
        ...


class SettingsPreviewSource:
    """The production ``PreviewSource``, made on the first preview (a dashboard that never previews opens nothing)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def delius(self) -> Delius:
        """The Delius database with the worker's statement and lock timeouts."""
        from allocations.delius.context import Delius  # noqa: PLC0415 - previews only

        limits = self.settings.limits
        engine = make_engine(
            self.settings.database_url, statement_timeout=limits.statement_timeout, lock_timeout=limits.lock_timeout
        )
        return Delius.connect(engine, self.settings.delius_username)

    @cached_property
    def fetch_detail(self) -> FetchDetail:
        """The service's Workload client (allow-list, OAuth2 token)."""
        from allocations.workload.client import WorkloadClient  # noqa: PLC0415 - previews only

        return WorkloadClient.from_settings(self.settings).fetch_json


@dataclass(frozen=True)
class DeadLetterPreview:
    """What re-enqueueing one dead letter would do now (``preview`` None: there is no such dead letter)."""

    id: int
    preview: Preview | None
    event_id: str | None = None


@dataclass(frozen=True)
class Operations:
    """What operators act on: the service's state, how to re-send an event's task, and the DLQ of poison messages.

    ``previews`` gives the Delius database and the Workload fetch (the service's client and allow-list) previews use.
    """

    state: OperatorView
    dispatch: Dispatch
    dlq: SqsDlq
    previews: PreviewSource | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Operations:
        """Production wiring: the state database, the Celery app's dispatcher and the configured queues."""
        from tasks.dispatch import dispatch  # noqa: PLC0415 - imports the Celery app only when it is needed

        client = sqs_client(settings.aws_region, settings.sqs_endpoint_url)
        return cls(
            OperatorView(make_engine(settings.state_database_url), lease=timedelta(seconds=settings.limits.lease)),
            dispatch,
            SqsDlq(client, settings.sqs_queue, settings.sqs_dlq),
            SettingsPreviewSource(settings),
        )

    def list_dead_letters(
        self, where: DeadLetterFilter, *, limit: int = DEFAULT_PAGE, offset: int = 0
    ) -> Page[DeadLetter]:
        """Dead letters ``where`` covers, newest failure first, one page."""
        return self.state.list_dead_letters(where, limit, offset)

    def show(self, dead_letter_id: int) -> DeadLetterDetail | None:
        """The dead letter with its history, or None when there is no such row."""
        dead_letter = self.state.get_dead_letter(dead_letter_id)
        if dead_letter is None:
            return None
        return DeadLetterDetail(dead_letter, self.state.history(dead_letter.id))

    def count_dead_letters(self, where: DeadLetterFilter) -> DeadLetterCounts:
        """How many dead letters ``where`` covers, per status and per error class."""
        return self.state.count_dead_letters(where)

    def requeue(
        self, targets: Targets, *, actor: str | None = None, confirmed: int | None = None
    ) -> list[ActionResult]:
        """Re-dispatch the stored events of parked dead letters, each row at most once; one result per row.

        ``confirmed``: the count the operator agreed to; more matching rows is ``CountChanged``, nothing done.
        """
        return self.state.requeue(targets, self.dispatch, actor, confirmed=confirmed)

    def discard(
        self, targets: Targets, reason: str, *, actor: str | None = None, confirmed: int | None = None
    ) -> list[ActionResult]:
        """Set parked dead letters aside for good with ``reason`` (blank: ``ValueError``); one result per row."""
        return self.state.discard(targets, reason, actor, confirmed=confirmed)

    def preview(self, ids: list[int]) -> list[DeadLetterPreview]:
        """For each dead letter, what re-enqueueing it would do now: rows written, or the error hit (nothing kept)."""
        if self.previews is None:
            raise RuntimeError("previews need the Delius database and the Workload client")
        delius, fetch = self.previews.delius, self.previews.fetch_detail
        found = []
        for dead_letter_id in dict.fromkeys(ids):
            dead_letter = self.state.get_dead_letter(dead_letter_id)
            if dead_letter is None:
                found.append(DeadLetterPreview(dead_letter_id, None))
                continue
            preview = preview_event(delius, dead_letter.event, fetch)
            found.append(DeadLetterPreview(dead_letter_id, preview, dead_letter.event_id))
        return found

    def start_recovery(self, where: DeadLetterFilter, rate: float, *, actor: str | None = None) -> RecoveryJob:
        """Record a background re-enqueue of the (parked) rows ``where`` covers, at ``rate`` rows a second."""
        return recovery.start(self.state.engine, where, rate, actor)

    def recovery_jobs(self, limit: int = 10) -> list[RecoveryJob]:
        """The newest recovery jobs first."""
        return recovery.recent(self.state.engine, limit)

    def recovery_job(self, job_id: int) -> RecoveryJob | None:
        """One recovery job, if it exists."""
        return recovery.get(self.state.engine, job_id)

    def stop_recovery(self, job_id: int, *, actor: str | None = None) -> RecoveryJob | None:
        """Stop a running recovery job (its runner stops before its next row)."""
        return recovery.stop(self.state.engine, job_id, actor)

    def outcomes(self, event_id_or_crn: str) -> list[OutcomeRecord]:
        """Every recorded outcome of an event id, or of the events of a CRN, newest first."""
        return self.state.outcomes_for(event_id_or_crn)

    def dlq_status(self) -> DlqDepth:
        """The SQS DLQ's visible and in-flight message counts."""
        return self.dlq.depth()

    def dlq_messages(self, max_messages: int) -> list[PeekedMessage]:
        """Up to ``max_messages`` of the SQS DLQ's messages, left on the queue."""
        return self.dlq.peek(max_messages)

    def peek_dlq(self, max_messages: int) -> DlqPeek:
        """The SQS DLQ's status, then its first messages and its move tasks."""
        return DlqPeek(self.dlq_status(), self.dlq_messages(max_messages), self.dlq_moves())

    def dlq_moves(self) -> list[MoveTask] | None:
        """The SQS DLQ's recent move tasks, newest first; None where the endpoint has no move tasks."""
        try:
            return self.dlq.moves()
        except MoveTasksUnsupported:
            return None

    def cancel_dlq_move(self, task_handle: str) -> int:
        """Cancel a running move task (``MoveTasksUnsupported`` where the endpoint has none); messages it moved."""
        return self.dlq.cancel_move(task_handle)

    def redrive_dlq(self, max_messages: int | None = None) -> RedriveResult:
        """Move the SQS DLQ's messages (all, or at most ``max_messages``) back to the events queue."""
        return self.dlq.redrive(max_messages)


def to_json(value: Any) -> Any:
    """``value`` as JSON-able data: dataclasses as dicts (fields in order), dates and times as ISO 8601 strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def when(value: datetime | None) -> str:
    """A time as operators read it: UTC to the second; blank when there is none."""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""
