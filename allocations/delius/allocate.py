"""Entry point of the Delius side: dispatch a detail to its use case and turn what happened into an Outcome."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, OperationalError

from allocations.delius.allocate_event import allocate_event
from allocations.delius.allocate_licence_condition import allocate_licence_condition
from allocations.delius.allocate_person import allocate_person
from allocations.delius.allocate_requirement import allocate_requirement
from allocations.delius.context import Delius
from allocations.delius.steps.reference_cache import ReferenceCache
from allocations.errors import IgnorableMessage, TransientFailure
from allocations.outcome import Outcome
from allocations.workload.details import (
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from allocations.delius.context import UseCase
    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.events import AllocationEvent
    from allocations.workload.details import AllocationDetail

    # Checked, not run: the four use cases have the one shape a registry of them can hold.
    _USE_CASES: tuple[
        UseCase[PersonAllocationDetail],
        UseCase[EventAllocationDetail],
        UseCase[RequirementAllocationDetail],
        UseCase[LicenceConditionAllocationDetail],
    ] = (allocate_person, allocate_event, allocate_requirement, allocate_licence_condition)


# One reference cache per engine, so ids found by one call serve the next. The cache, not a Delius, is what is
# kept: a Delius holds its engine, and a weak-keyed dictionary's values must not keep their keys alive.
_references: weakref.WeakKeyDictionary[Engine, ReferenceCache] = weakref.WeakKeyDictionary()

# Oracle reports these as plain DatabaseErrors: deadlock, resource busy (NOWAIT), serialisation, lock timeout.
_ORACLE_TRANSIENT = ("ORA-00060", "ORA-00054", "ORA-08177", "ORA-30006")


def allocate(
    engine: Engine,
    delius_username: str,
    event: AllocationEvent,
    detail: AllocationDetail,
    *,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write ``detail`` into Delius; ignorable conditions become ``Outcome.ignored`` after their audit row.

    ``record`` writes the event's outcome inside the allocation's transaction (raising AlreadyHandled when another
    copy of the event finished first, which rolls the allocation back). The caller logs the outcome once.

    Raises TransientFailure (incl. operational database errors) and InvalidMessage for the task to classify.
    """
    delius = delius_of(engine, delius_username)
    try:
        outcome = _dispatch(delius, event, detail, record)
    except IgnorableMessage as ignorable:
        outcome = Outcome.ignored(ignorable.message, **ignorable.properties)
    except DBAPIError as error:
        if is_operational(error):
            raise TransientFailure(f"Delius database unavailable: {type(error.orig).__name__}") from error
        raise
    return outcome


def delius_of(engine: Engine, delius_username: str) -> Delius:
    """The Delius behind ``engine`` as ``delius_username``, with the reference cache earlier calls filled."""
    return Delius.connect(engine, delius_username, _references.setdefault(engine, ReferenceCache()))


def _dispatch(
    delius: Delius, event: AllocationEvent, detail: AllocationDetail, record: OutcomeRecorder | None
) -> Outcome:
    if isinstance(detail, PersonAllocationDetail):
        return allocate_person(delius, event, detail, record=record)
    # The component use cases take the message's CRN, not the detail's (spec §5.2).
    if isinstance(detail, EventAllocationDetail):
        return allocate_event(delius, event, detail, record=record)
    if isinstance(detail, RequirementAllocationDetail):
        return allocate_requirement(delius, event, detail, record=record)
    if isinstance(detail, LicenceConditionAllocationDetail):
        return allocate_licence_condition(delius, event, detail, record=record)
    raise TypeError(f"Unexpected allocation detail {type(detail).__name__}")


def is_operational(error: DBAPIError) -> bool:
    """Connection lost, deadlock, lock timeout or serialisation failure: worth retrying."""
    if isinstance(error, OperationalError) or error.connection_invalidated:
        return True
    return any(code in str(error.orig) for code in _ORACLE_TRANSIENT)
