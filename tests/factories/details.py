"""Allocation details and events as Workload would send them, and applying one through the entry point."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.delius.context import Delius
from allocations.errors import IgnorableMessage
from allocations.event_types import EventType
from allocations.events import AllocationEvent
from allocations.outcome import Outcome
from allocations.routes import write_detail
from allocations.workload.details import (
    AllocationDetail,
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Engine


from factories.rows import CREATED

D = TypeVar("D", bound=AllocationDetail)


def person_detail(
    crn: str,
    staff_code: str,
    team_code: str,
    created: datetime,
    reason: AllocationReason = AllocationReason.INITIAL_ALLOCATION,
) -> PersonAllocationDetail:
    """A person allocation detail as Workload would serve it."""
    return PersonAllocationDetail(
        id="9a1e0c55-2f4b-4d0e-8b61-77c3a2d9e001",
        staff_code=staff_code,
        team_code=team_code,
        created_date=created,
        allocation_reason=reason,
        crn=crn,
    )


def person_event(crn: str) -> AllocationEvent:
    """The domain event announcing a person allocation of ``crn``."""
    return AllocationEvent(
        event_id="0b6f3c2e-1d5a-4a57-9a0e-5b7d2e1f9c44",
        event_type=EventType.PERSON,
        detail_url="https://workload.example/allocation/person/9a1e0c55",
        crn=crn,
    )


def detail_of(
    detail_type: type[D],
    staff_code: str,
    team_code: str,
    created: datetime = CREATED,
    reason: AllocationReason = AllocationReason.INITIAL_ALLOCATION,
    **fields: Any,
) -> D:
    """An event, requirement or licence-condition detail as Workload would serve it (event number 3 by default)."""
    return detail_type(
        id="3f1c2a9e-8b7d-4e6f-a1b2-c3d4e5f60718",
        staff_code=staff_code,
        team_code=team_code,
        created_date=created,
        allocation_reason=reason,
        **{"event_number": 3, **fields},
    )


_EVENT_TYPES = {
    PersonAllocationDetail: EventType.PERSON,
    EventAllocationDetail: EventType.EVENT,
    RequirementAllocationDetail: EventType.REQUIREMENT,
    LicenceConditionAllocationDetail: EventType.LICENCE_CONDITION,
}


def apply(engine: Engine, crn: str, detail: AllocationDetail) -> Outcome:
    """Allocate ``detail`` through the entry point, announced by a message naming ``crn``, as the write task does."""
    event = AllocationEvent(
        event_id="0b6f3c2e-1d5a-4a57-9a0e-5b7d2e1f9c44",
        event_type=_EVENT_TYPES[type(detail)],
        detail_url="https://workload.example/allocation/x",
        crn=crn,
    )
    return allocate(engine, DEFAULT_DELIUS_USERNAME, event, detail)


def allocate(engine: Engine, delius_username: str, event: AllocationEvent, detail: AllocationDetail) -> Outcome:
    """The outcome the write task records for ``detail``: the use case's, or ``ignored`` for an ignorable condition."""
    try:
        return write_detail(Delius.connect(engine, delius_username), event, detail)
    except IgnorableMessage as ignorable:
        return Outcome.ignored(ignorable.message, **ignorable.properties)
