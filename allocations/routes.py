"""The one table of event types: per type, its Celery task, its Workload detail and its Delius use case.

Adding an event type is one ``Route`` here, plus its detail (dataclass and schema) and its use case.

The order of ``ROUTES`` is also the order in which a detail's type is detected from its keys (spec §2.1): Workload's
detail carries no type field, so the first route whose ``detail_key`` the body holds decides which schema reads it
and which use case writes it. The event's own type only chooses the task.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from allocations.delius.allocate_event import allocate_event
from allocations.delius.allocate_licence_condition import allocate_licence_condition
from allocations.delius.allocate_person import allocate_person
from allocations.delius.allocate_requirement import allocate_requirement
from allocations.errors import InvalidMessage
from allocations.event_types import EventType
from allocations.workload.details import (
    AllocationDetail,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)
from allocations.workload.schemas import (
    UNEXPECTED_RESPONSE,
    DetailSchema,
    EventDetailSchema,
    LicenceConditionDetailSchema,
    PersonDetailSchema,
    RequirementDetailSchema,
    load_detail,
)

if TYPE_CHECKING:
    from allocations.delius.context import Delius, UseCase
    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.events import AllocationEvent
    from allocations.outcome import Outcome

D = TypeVar("D", bound=AllocationDetail)


@dataclass(frozen=True)
class Route(Generic[D]):
    """How one event type travels: its task's name, how its detail is recognised and read, what writes it."""

    event_type: EventType
    task_name: str
    detail_key: str
    detail_class: type[D]
    detail_schema: type[DetailSchema]
    use_case: UseCase[D]


ROUTES: tuple[Route[Any], ...] = (
    Route(
        EventType.PERSON,
        "allocations.person_allocated",
        "crn",
        PersonAllocationDetail,
        PersonDetailSchema,
        allocate_person,
    ),
    Route(
        EventType.REQUIREMENT,
        "allocations.requirement_allocated",
        "requirementId",
        RequirementAllocationDetail,
        RequirementDetailSchema,
        allocate_requirement,
    ),
    Route(
        EventType.LICENCE_CONDITION,
        "allocations.licence_condition_allocated",
        "licenceConditionId",
        LicenceConditionAllocationDetail,
        LicenceConditionDetailSchema,
        allocate_licence_condition,
    ),
    Route(
        EventType.EVENT,
        "allocations.event_allocated",
        "eventNumber",
        EventAllocationDetail,
        EventDetailSchema,
        allocate_event,
    ),
)

_BY_EVENT_TYPE: Mapping[EventType, Route[Any]] = {route.event_type: route for route in ROUTES}
_BY_DETAIL_CLASS: Mapping[type[AllocationDetail], Route[Any]] = {route.detail_class: route for route in ROUTES}


def route_for(event_type: str) -> Route[Any] | None:
    """The route of ``event_type``, or None when this service does not handle it."""
    member = EventType.parse(event_type)
    return None if member is None else _BY_EVENT_TYPE[member]


def route_of(detail: AllocationDetail) -> Route[Any]:
    """The route whose use case writes ``detail``."""
    return _BY_DETAIL_CLASS[type(detail)]


def write_detail(
    delius: Delius, event: AllocationEvent, detail: AllocationDetail, *, record: OutcomeRecorder | None = None
) -> Outcome:
    """Write ``detail`` into Delius with its use case, in one audited transaction (``record`` writes the outcome in it).

    Raises IgnorableMessage (after its failure audit row), TransientFailure, InvalidMessage, AlreadyHandled or a
    database error: ``tasks/failure.py`` decides what each means.
    """
    return route_of(detail).use_case(delius, event, detail, record=record)


def parse_detail(body: Mapping[str, Any]) -> AllocationDetail:
    """Recognise the detail's type from its keys and read it; raise InvalidMessage, and nothing else, when unusable."""
    if not isinstance(body, Mapping):
        raise InvalidMessage(f"{UNEXPECTED_RESPONSE}: not a JSON object")
    route = next((route for route in ROUTES if route.detail_key in body), None)
    if route is None:
        raise InvalidMessage(UNEXPECTED_RESPONSE)
    return load_detail(route.detail_schema, body)
