"""What operators see and do in the service's state: dead letters, their history, re-enqueue, discard, outcomes.

The tasks' side (receive, attempts, outcomes, dead-lettering) is ``StateStore``'s; this is the other side, used by
the operations the dashboard and the CLI share. Each call runs in transactions of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeAlias

from allocations.state import actions, queries
from allocations.state.records import DeadLetterFilter, DeadLetterStatus

if TYPE_CHECKING:
    from datetime import timedelta

    from sqlalchemy import Engine

    from allocations.state.actions import Dispatch
    from allocations.state.records import (
        ActionResult,
        DeadLetter,
        DeadLetterCounts,
        HistoryEntry,
        OutcomeRecord,
        Page,
    )

# Largest page a list returns, whatever the caller asks for.
MAX_PAGE = 500
DEFAULT_PAGE = 50
DEFAULT_OUTCOMES = 200

# What a bulk action acts on: these dead letter ids, or every actionable one a filter covers.
Targets: TypeAlias = Iterable[int] | DeadLetterFilter


class CountChanged(Exception):
    """More rows match a bulk action's filter than the operator confirmed: nothing was done."""

    def __init__(self, confirmed: int, matching: int) -> None:
        super().__init__(f"{matching} rows match now, more than the {confirmed} confirmed: confirm again")
        self.confirmed = confirmed
        self.matching = matching


class OperatorView:
    """Dead letters and outcomes in the ``workforce_allocations`` schema of ``engine``.

    ``lease`` is the ledger's lease: a re-enqueued event is due again after it, and a row left ``requeued`` for two
    leases can be acted on again.
    """

    def __init__(self, engine: Engine, *, lease: timedelta) -> None:
        self.engine = engine
        self.lease = lease

    def list_dead_letters(
        self, where: DeadLetterFilter | None = None, limit: int = DEFAULT_PAGE, offset: int = 0
    ) -> Page[DeadLetter]:
        """Dead letters ``where`` covers (all by default), newest failure first, one page of at most ``MAX_PAGE``."""
        with self.engine.connect() as connection:
            return queries.list_dead_letters(
                connection, where or DeadLetterFilter(), max(1, min(limit, MAX_PAGE)), max(0, offset)
            )

    def get_dead_letter(self, dead_letter_id: int) -> DeadLetter | None:
        """The dead letter with this id, if any."""
        with self.engine.connect() as connection:
            return queries.get_dead_letter(connection, dead_letter_id)

    def history(self, dead_letter_id: int) -> list[HistoryEntry]:
        """The dead letter's failures, re-enqueues, resolution and discard, oldest first."""
        with self.engine.connect() as connection:
            return queries.history(connection, dead_letter_id)

    def count_dead_letters(self, where: DeadLetterFilter | None = None) -> DeadLetterCounts:
        """How many dead letters ``where`` covers, per status and per error class (one grouped query)."""
        with self.engine.connect() as connection:
            return queries.count_dead_letters(connection, where or DeadLetterFilter())

    def requeue(
        self, targets: Targets, dispatch: Dispatch, actor: str | None = None, *, confirmed: int | None = None
    ) -> list[ActionResult]:
        """Re-dispatch parked dead letters (by id, or all a filter covers); never dispatches a row twice.

        ``confirmed``: the count the operator agreed to; more targets than that is ``CountChanged``, nothing done.
        """
        ids = self.confirmed_ids(targets, confirmed)
        return actions.requeue(self.engine, ids, dispatch, actor, lease=self.lease)

    def discard(
        self, targets: Targets, reason: str, actor: str | None = None, *, confirmed: int | None = None
    ) -> list[ActionResult]:
        """Set parked dead letters aside for good, with the reason (a blank reason is a ``ValueError``)."""
        ids = self.confirmed_ids(targets, confirmed)
        return actions.discard(self.engine, ids, reason, actor, lease=self.lease)

    def confirmed_ids(self, targets: Targets, confirmed: int | None) -> list[int]:
        """``target_ids``, refused with ``CountChanged`` when there are more than ``confirmed`` (when given).

        The ids are read once: rows that start to match after this read are not touched, so an action never
        covers more rows than were confirmed; fewer (some resolved meanwhile) is fine.
        """
        ids = self.target_ids(targets)
        if confirmed is not None and len(ids) > confirmed:
            raise CountChanged(confirmed, len(ids))
        return ids

    def outcomes_for(self, event_id_or_crn: str, limit: int = DEFAULT_OUTCOMES) -> list[OutcomeRecord]:
        """Every recorded outcome of the event with this id, or of the events for this CRN, newest first."""
        with self.engine.connect() as connection:
            return queries.outcomes_for(connection, event_id_or_crn, limit)

    def target_ids(self, targets: Targets) -> list[int]:
        """The ids a bulk action covers: given ids once each in their order, or the filter's matches, oldest first.

        A filter without a status covers the parked rows only: those are the ones an action can act on.
        """
        if not isinstance(targets, DeadLetterFilter):
            return list(dict.fromkeys(int(i) for i in targets))
        where = dataclasses.replace(targets, status=targets.status or DeadLetterStatus.PARKED.value)
        with self.engine.connect() as connection:
            return queries.matching_ids(connection, where)
