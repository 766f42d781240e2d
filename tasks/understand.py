"""Understand: what applied allocations wrote (outcomes joined to their Delius rows) and outcomes over time.

Shared by the dashboard's Outcomes and Dead letters pages and the CLI. The ledger lives in the state database and
the rows in Delius (two databases when ``STATE_DATABASE_URL`` is set): each is read on its own, never joined in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocations.delius import written
from allocations.delius.steps.unit_of_work import service_user_id
from allocations.state import timeline

if TYPE_CHECKING:
    from allocations.delius.written import Written
    from allocations.state.records import OutcomeRecord
    from allocations.state.timeline import Timeline
    from tasks.operations import Operations

MAX_CRNS = 50  # CRNs a staff-code search follows into the ledger
RECENT = 50  # outcomes shown when nothing is searched


@dataclass(frozen=True)
class OutcomeWrites:
    """One event's outcome, and for an applied allocation what it wrote (None: nothing, or Delius not reachable)."""

    outcome: OutcomeRecord
    written: Written | None


def look_up(operations: Operations, key: str) -> list[OutcomeWrites]:
    """Outcomes of the event id or CRN ``key``, or of the allocations to the staff code ``key``, newest first.

    An empty ``key``: the newest outcomes.
    """
    key = key.strip()
    if not key:
        found = timeline.recent_outcomes(operations.state.engine, RECENT)
    else:
        found = operations.outcomes(key)
        known = {o.event_id for o in found}
        found += [o for o in _by_staff(operations, key) if o.event_id not in known]
        found.sort(key=lambda o: o.finished_at or o.received_at, reverse=True)
    return _with_writes(operations, found)


def _with_writes(operations: Operations, outcomes: list[OutcomeRecord]) -> list[OutcomeWrites]:
    applied = [o for o in outcomes if o.outcome == "applied" and written.manager_reference(o.properties)]
    if not applied or operations.previews is None:
        return [OutcomeWrites(o, None) for o in outcomes]
    with operations.previews.delius.engine.connect() as connection:
        rows = {o.event_id: written.written_by(connection, o.properties) for o in applied}
    return [OutcomeWrites(o, rows.get(o.event_id)) for o in outcomes]


def _by_staff(operations: Operations, staff_code: str) -> list[OutcomeRecord]:
    """Applied outcomes whose manager row (in Delius) is the staff member's: the row's staff, not the request's."""
    if operations.previews is None or len(staff_code) > len("N02A001"):
        return []
    delius = operations.previews.delius
    with delius.engine.connect() as connection:
        rows = written.staff_manager_rows(connection, staff_code.upper(), service_user_id(connection, delius))
    managers = {(row.manager_property, row.manager_id) for row in rows}
    found: list[OutcomeRecord] = []
    for crn in list(dict.fromkeys(row.crn for row in rows))[:MAX_CRNS]:
        for outcome in operations.outcomes(crn):
            reference = written.manager_reference(outcome.properties)
            if outcome.outcome == "applied" and reference and (reference[0], reference[2]) in managers:
                found.append(outcome)
    return found


def outcome_timeline(operations: Operations, span: str) -> Timeline:
    """Outcomes and dead letters per hour over the last 24 hours (``24h``) or per day over the last 7 days (``7d``)."""
    return timeline.timeline(operations.state.engine, timeline.SPANS.get(span, timeline.SPANS["24h"]))
