"""Preview ("will it apply now?"): an allocation run against Delius in a transaction that is always rolled back.

The use case runs unchanged (``allocations.routes.write_detail``); ``REHEARSAL`` makes its unit of work roll back
where it would commit, and keeps the audit row (pass or failure) from being written. What the preview shows is
the rows the allocation's INSERT and UPDATE statements carried (their parameters, captured as they run), or the
error it hits today, classified as the task would classify it. Sequences are not transactional: a preview may use
up ids that a later allocation then skips; no table row is left behind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from allocations.database_errors import is_operational
from allocations.delius.steps.unit_of_work import REHEARSAL
from allocations.errors import AllocationError, IgnorableMessage, InvalidMessage, TransientFailure
from allocations.events import AllocationEvent, ReceivedEvent
from allocations.routes import parse_detail, write_detail

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.engine.default import DefaultExecutionContext

    from allocations.delius.context import Delius
    from allocations.outcome import Outcome

FetchDetail = Callable[[str], Mapping[str, Any]]

# What the task would do with the event today.
APPLY, DUPLICATE, IGNORE, DEAD_LETTER, RETRY = "apply", "duplicate", "ignore", "dead-letter", "retry"


@dataclass(frozen=True)
class WrittenRow:
    """One INSERT or UPDATE the allocation would run: its table and the values it carried."""

    table: str
    action: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Preview:
    """What re-enqueueing the event would do now: ``verdict`` (apply, duplicate, ignore, retry, dead-letter).

    ``rows`` are the writes of an allocation that would apply; ``error_class``/``error_message`` say why it
    would not (for ``retry``: a transient failure, retried with backoff and dead-lettered when the budget is spent).
    """

    verdict: str
    rows: list[WrittenRow] = field(default_factory=list)
    outcome: str | None = None
    reason: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    error_class: str | None = None
    error_message: str | None = None


class _Capture:
    """The rehearsal: records each INSERT/UPDATE/DELETE on the unit of work's connection, and the outcome."""

    def __init__(self) -> None:
        self.rows: list[WrittenRow] = []
        self.outcome: Outcome | None = None

    def opened(self, connection: Connection) -> None:
        event.listen(connection, "after_cursor_execute", self._executed)

    def would_commit(self, connection: Connection, outcome: Outcome) -> None:
        event.remove(connection, "after_cursor_execute", self._executed)
        self.outcome = outcome

    def _executed(  # SQLAlchemy's after_cursor_execute listener: only the execution context is read
        self,
        _connection: Connection,
        _cursor: Any,
        _statement: str,
        _parameters: Any,
        context: DefaultExecutionContext,
        _executemany: bool,  # noqa: FBT001
    ) -> None:
        compiled = context.compiled
        if compiled is None or not (context.isinsert or context.isupdate or context.isdelete):
            return
        action = "insert" if context.isinsert else "update" if context.isupdate else "delete"
        table = getattr(getattr(compiled, "statement", None), "table", None)
        name = str(getattr(table, "name", "?"))
        for parameters in context.compiled_parameters:
            self.rows.append(WrittenRow(name, action, {k: _plain(v) for k, v in parameters.items()}))


def preview_event(delius: Delius, stored_event: Mapping[str, Any], fetch: FetchDetail) -> Preview:
    """Validate the stored event, fetch its detail again with ``fetch`` and rehearse the write.

    A failure is the preview's answer, classified as the task would classify it; it is never raised.
    """
    try:
        allocation = AllocationEvent.from_received(ReceivedEvent.from_task_arg(stored_event))
        detail = parse_detail(fetch(allocation.detail_url))
        capture = _Capture()
        token = REHEARSAL.set(capture)
        try:
            outcome = write_detail(delius, allocation, detail)
        finally:
            REHEARSAL.reset(token)
    except IgnorableMessage as error:
        return Preview(IGNORE, reason=error.message, properties=_plain(error.properties))
    except Exception as error:  # noqa: BLE001 - every failure is the answer, classified as the task would
        return _failed(error)
    verdict = APPLY if outcome.kind.value == "applied" else DUPLICATE
    rows = capture.rows if verdict == APPLY else []
    return Preview(verdict, rows, outcome.kind.value, outcome.reason, _plain(outcome.properties))


def _failed(error: Exception) -> Preview:
    if isinstance(error, DBAPIError) and is_operational(error):
        return Preview(RETRY, error_class="TransientFailure", error_message=f"Database unavailable: {error.orig}")
    kind = error.kind if isinstance(error, AllocationError) else type(error).__name__
    verdict = DEAD_LETTER if isinstance(error, InvalidMessage) else RETRY
    if not isinstance(error, TransientFailure | InvalidMessage | DBAPIError):
        verdict = RETRY  # anything unclassified is retried by the task, like a transient failure
    return Preview(verdict, error_class=kind, error_message=str(error))


def _plain(value: Any) -> Any:
    """JSON-able: dates and times as ISO 8601, decimals as text, dataclasses and containers walked."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
