"""``StateStore``: what tasks read and write of the service's state (operators' side: ``operator_view``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from allocations.errors import AlreadyHandled
from allocations.outcome import Outcome
from allocations.state import ledger, queries, recording, redispatch
from allocations.state.operator_view import OperatorView

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Engine

    from allocations.events import ReceivedEvent
    from allocations.state.ledger import Attempt, Receipt
    from allocations.state.recording import Failure
    from allocations.state.records import (
        OutcomeRecord,
    )

# How long an attempt may hold an event before the reconciler dispatches it again (RECONCILE_AFTER).
DEFAULT_LEASE = timedelta(seconds=120)

OutcomeRecorder = Callable[[Connection, Outcome], None]


class StateStore:
    """Outcomes and dead letters in the ``workforce_allocations`` schema of ``engine``."""

    def __init__(self, engine: Engine, *, lease: timedelta = DEFAULT_LEASE) -> None:
        self.engine = engine
        self.lease = lease

    def receive(self, event: ReceivedEvent, *, final: Outcome | None = None) -> Receipt:
        """Record an arriving event (pending, leased for one lease period) before its SQS message is deleted."""
        with self.engine.begin() as connection:
            return ledger.receive(connection, event, due_at=ledger.now() + self.lease, final=final)

    def receive_many(self, arrivals: Sequence[tuple[ReceivedEvent, Outcome | None]]) -> dict[str, Receipt]:
        """``receive`` for the events of one SQS receive, in one transaction; their receipts by event id."""
        with self.engine.begin() as connection:
            return ledger.receive_many(connection, arrivals, due_at=ledger.now() + self.lease)

    def start_attempt(self, event: ReceivedEvent) -> int | None:
        """Lease the event to a starting attempt; None when it is already final (see ``ledger.start_attempt``).

        The usual case, a pending event, is one autocommitted statement: one round trip instead of three (BEGIN,
        the UPDATE … RETURNING, COMMIT). A final event, or one never received, takes the transaction.
        """
        due_at = ledger.now() + self.lease
        with self.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            earlier = ledger.lease_pending(connection, event.event_id, due_at=due_at)
        if earlier is not None:
            return earlier
        with self.engine.begin() as connection:
            return ledger.start_attempt(connection, event, due_at=due_at)

    def postpone(self, event_id: str, delay: float, error: str | None = None) -> None:
        """A retry is scheduled in ``delay`` seconds (for ``error``): the reconciler waits for it, plus one lease."""
        attempt_at = ledger.now() + timedelta(seconds=delay)
        with self.engine.begin() as connection:
            ledger.postpone(
                connection, event_id, due_at=attempt_at + self.lease, next_attempt_at=attempt_at, error=error
            )

    def due_now(self, event_id: str) -> None:
        """The event's next dispatch could not be published: let the reconciler take it at its next pass."""
        with self.engine.begin() as connection:
            ledger.postpone(connection, event_id, due_at=ledger.now())

    def record_outcome(self, attempt: Attempt, outcome: Outcome) -> bool:
        """Record the event's final outcome once (False: another copy already did), in a transaction of its own."""
        with self.engine.begin() as connection:
            return recording.record_outcome(connection, attempt, outcome)

    def recorder(self, attempt: Attempt) -> OutcomeRecorder:
        """Records the outcome on the caller's connection: inside the Delius transaction, when they share a database."""

        def record(connection: Connection, outcome: Outcome) -> None:
            if not recording.record_outcome(connection, attempt, outcome):
                raise AlreadyHandled(attempt.event.event_id)

        return record

    def dead_letter(self, attempt: Attempt, failure: Failure) -> bool:
        """Park the event and record it dead-lettered, atomically; False when it was already final (left alone)."""
        with self.engine.begin() as connection:
            return recording.dead_letter(connection, attempt, failure)

    def claim_due(self, limit: int = 100) -> list[ReceivedEvent]:
        """Pending events with no live attempt, leased again to the caller, who dispatches them."""
        with self.engine.begin() as connection:
            return redispatch.claim_due(connection, limit=limit, lease=self.lease)

    def final_outcome(self, event_id: str) -> OutcomeRecord | None:
        """The event's final outcome, or None while it is pending or unknown."""
        with self.engine.connect() as connection:
            found = queries.outcome_of(connection, event_id)
        return found if found is not None and found.outcome != ledger.PENDING else None

    @property
    def operator_view(self) -> OperatorView:
        """The operators' side of the same state (same engine and lease): list, show, re-enqueue, discard."""
        return OperatorView(self.engine, lease=self.lease)
