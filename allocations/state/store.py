"""``StateStore``: the one object tasks, the dashboard and the CLI use to read and write the service's state."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from allocations.outcome import OutcomeKind
from allocations.state import actions, queries, recording
from allocations.state.records import (
    ActionResult,
    DeadLetter,
    DeadLetterFilter,
    DeadLetterStatus,
    HistoryEntry,
    OutcomeRecord,
    Page,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from sqlalchemy import Engine

    from allocations.events import ReceivedEvent
    from allocations.state.actions import Dispatch

MAX_PAGE = 500


class StateStore:
    """Outcomes and dead letters in the ``workforce_allocations`` schema of ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_outcome(  # noqa: PLR0913 - the outcome's columns
        self,
        event: ReceivedEvent,
        *,
        outcome: OutcomeKind,
        crn: str | None,
        detail_url: str | None,
        reason: str | None,
        attempts: int,
        task_id: str | None,
        started_at: datetime | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Log a handling result; applied, duplicate or ignored resolves the event's open dead letter."""
        with self.engine.begin() as connection:
            recording.insert_outcome(
                connection,
                event,
                outcome=outcome,
                crn=crn,
                detail_url=detail_url,
                reason=reason,
                attempts=attempts,
                task_id=task_id,
                started_at=started_at,
                properties=properties,
            )

    def dead_letter(  # noqa: PLR0913 - the dead letter's columns
        self,
        event: ReceivedEvent,
        *,
        crn: str | None,
        detail_url: str | None,
        error_class: str,
        error_message: str,
        traceback: str,
        attempts: int,
        task_id: str | None,
        started_at: datetime | None = None,
    ) -> None:
        """Park the event (upsert by event id), add a history line and a ``dead-lettered`` outcome, atomically."""
        with self.engine.begin() as connection:
            recording.upsert_dead_letter(
                connection,
                event,
                crn=crn,
                detail_url=detail_url,
                error_class=error_class,
                error_message=error_message,
                traceback=traceback,
                attempts=attempts,
                task_id=task_id,
            )
            recording.insert_outcome(
                connection,
                event,
                outcome=OutcomeKind.DEAD_LETTERED,
                crn=crn,
                detail_url=detail_url,
                reason=f"{error_class}: {error_message}",
                attempts=attempts,
                task_id=task_id,
                started_at=started_at,
                properties=None,
            )

    def list_dead_letters(
        self,
        status: str | None = None,
        event_type: str | None = None,
        crn: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[DeadLetter]:
        """Dead letters matching the filters, newest failure first, one page at a time."""
        where = DeadLetterFilter(status or None, event_type or None, crn or None)
        with self.engine.connect() as connection:
            return queries.list_dead_letters(connection, where, max(1, min(limit, MAX_PAGE)), max(0, offset))

    def get_dead_letter(self, dead_letter_id: int) -> DeadLetter | None:
        """The dead letter with this id, if any."""
        with self.engine.connect() as connection:
            return queries.get_dead_letter(connection, dead_letter_id)

    def history(self, dead_letter_id: int) -> list[HistoryEntry]:
        """The dead letter's failures, re-enqueues, resolution and discard, oldest first."""
        with self.engine.connect() as connection:
            return queries.history(connection, dead_letter_id)

    def requeue(
        self, ids_or_filter: Iterable[int] | DeadLetterFilter, dispatch: Dispatch, actor: str | None = None
    ) -> list[ActionResult]:
        """Re-dispatch parked dead letters (by id, or all matching a filter); never dispatches a row twice."""
        return actions.requeue(self.engine, self._ids(ids_or_filter), dispatch, actor)

    def discard(
        self, ids_or_filter: Iterable[int] | DeadLetterFilter, reason: str, actor: str | None = None
    ) -> list[ActionResult]:
        """Set parked dead letters aside for good, with the reason."""
        return actions.discard(self.engine, self._ids(ids_or_filter), reason, actor)

    def outcomes_for(self, event_id_or_crn: str, limit: int = 200) -> list[OutcomeRecord]:
        """Every recorded outcome of the event with this id, or of the events for this CRN, newest first."""
        with self.engine.connect() as connection:
            return queries.outcomes_for(connection, event_id_or_crn, limit)

    def _ids(self, ids_or_filter: Iterable[int] | DeadLetterFilter) -> list[int]:
        if not isinstance(ids_or_filter, DeadLetterFilter):
            return list(dict.fromkeys(int(i) for i in ids_or_filter))
        # A bulk action covers the rows it can act on; without a status filter, that is the parked ones.
        where = dataclasses.replace(ids_or_filter, status=ids_or_filter.status or DeadLetterStatus.PARKED.value)
        with self.engine.connect() as connection:
            return queries.matching_ids(connection, where)
