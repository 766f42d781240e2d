"""``StateStore``: the one object tasks, the dashboard and the CLI use to read and write the service's state."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from allocations.errors import AlreadyHandled
from allocations.outcome import Outcome
from allocations.state import actions, ledger, queries, recording
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
    from collections.abc import Iterable

    from sqlalchemy import Engine

    from allocations.events import ReceivedEvent
    from allocations.state.actions import Dispatch
    from allocations.state.ledger import Attempt, Receipt

MAX_PAGE = 500
# How long an attempt may hold an event before the reconciler dispatches it again (RECONCILE_AFTER).
DEFAULT_LEASE = timedelta(seconds=120)

OutcomeRecorder = Callable[[Connection, Outcome], None]


class StateStore:
    """Outcomes and dead letters in the ``workforce_allocations`` schema of ``engine``."""

    def __init__(self, engine: Engine, *, lease: timedelta = DEFAULT_LEASE) -> None:
        self.engine = engine
        self.lease = lease

    def receive(
        self, event: ReceivedEvent, *, crn: str | None, detail_url: str | None, final: Outcome | None = None
    ) -> Receipt:
        """Record an arriving event (pending, leased for one lease period) before its SQS message is deleted."""
        with self.engine.begin() as connection:
            return ledger.receive(
                connection, event, crn=crn, detail_url=detail_url, due_at=ledger.now() + self.lease, final=final
            )

    def start_attempt(self, event: ReceivedEvent) -> int | None:
        """Lease the event to a starting attempt; None when it is already final (see ``ledger.start_attempt``)."""
        with self.engine.begin() as connection:
            return ledger.start_attempt(connection, event, due_at=ledger.now() + self.lease)

    def postpone(self, event_id: str, delay: float) -> None:
        """A retry is scheduled in ``delay`` seconds: the reconciler waits for it, plus one lease."""
        with self.engine.begin() as connection:
            ledger.postpone(connection, event_id, due_at=ledger.now() + timedelta(seconds=delay) + self.lease)

    def due_now(self, event_id: str) -> None:
        """The event's next dispatch could not be published: let the reconciler take it at its next pass."""
        with self.engine.begin() as connection:
            ledger.postpone(connection, event_id, due_at=ledger.now())

    def record_outcome(self, attempt: Attempt, outcome: Outcome, *, crn: str | None, detail_url: str | None) -> bool:
        """Record the event's final outcome once (False: another copy already did), in a transaction of its own."""
        with self.engine.begin() as connection:
            return recording.record_outcome(connection, attempt, outcome, crn=crn, detail_url=detail_url)

    def recorder(self, attempt: Attempt, *, crn: str | None, detail_url: str | None) -> OutcomeRecorder:
        """Records the outcome on the caller's connection: inside the Delius transaction, when they share a database."""

        def record(connection: Connection, outcome: Outcome) -> None:
            if not recording.record_outcome(connection, attempt, outcome, crn=crn, detail_url=detail_url):
                raise AlreadyHandled(attempt.event.event_id)

        return record

    def dead_letter(  # noqa: PLR0913 - the dead letter's columns
        self,
        attempt: Attempt,
        *,
        crn: str | None,
        detail_url: str | None,
        error_class: str,
        error_message: str,
        traceback: str,
    ) -> bool:
        """Park the event and record it dead-lettered, atomically; False when it was already final (left alone)."""
        with self.engine.begin() as connection:
            return recording.dead_letter(
                connection,
                attempt,
                crn=crn,
                detail_url=detail_url,
                error_class=error_class,
                error_message=error_message,
                traceback=traceback,
            )

    def claim_due(self, limit: int = 100) -> list[ReceivedEvent]:
        """Pending events with no live attempt, leased again to the caller, who dispatches them."""
        with self.engine.begin() as connection:
            return ledger.claim_due(connection, limit=limit, lease=self.lease)

    def final_outcome(self, event_id: str) -> OutcomeRecord | None:
        """The event's final outcome, or None while it is pending or unknown."""
        with self.engine.connect() as connection:
            found = queries.outcome_of(connection, event_id)
        return found if found is not None and found.outcome != ledger.PENDING else None

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
        return actions.requeue(self.engine, self._ids(ids_or_filter), dispatch, actor, lease=self.lease)

    def discard(
        self, ids_or_filter: Iterable[int] | DeadLetterFilter, reason: str, actor: str | None = None
    ) -> list[ActionResult]:
        """Set parked dead letters aside for good, with the reason."""
        return actions.discard(self.engine, self._ids(ids_or_filter), reason, actor, lease=self.lease)

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
