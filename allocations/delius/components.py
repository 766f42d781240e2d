"""What requirement and licence-condition allocations share: one kind of allocation over two tables (spec §3.11, §5.9).

A component is locked with its person and event, checked against the message's person and event, and allocated by
the shared sequence; a ``ComponentKind`` states what differs between the two tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import select

from allocations.delius.allocation_sequence import AllocationKind, Subject
from allocations.delius.models import Disposal, Event, Offender
from allocations.delius.steps.locking import lock_row
from allocations.errors import AllocationError, Conflict, IgnorableMessage, NotActive
from allocations.workload.details import LicenceConditionAllocationDetail, RequirementAllocationDetail

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy import Column, ColumnElement, Connection, Select

    from allocations.delius.steps.contacts import ContactSubject
    from allocations.delius.steps.iaps import IapsFlag
    from allocations.delius.steps.kinds import ManagerKind

C = TypeVar("C", RequirementAllocationDetail, LicenceConditionAllocationDetail)


@dataclass(frozen=True)
class Component:
    """A requirement or licence condition, with its person and event as the allocation checks them."""

    id: int
    offender_id: int
    crn: str
    event_id: int
    event_number: str
    event_active: bool
    active: bool


@dataclass(frozen=True, eq=False)
class ComponentKind(Generic[C]):
    """What differs between requirements and licence conditions."""

    label: str
    outcome_name: str
    component_id: Callable[[C], int]
    manager: ManagerKind
    key: Column[Any]
    """The component table's id column."""
    offender_column: ColumnElement[Any]
    missing: Callable[[int], IgnorableMessage]
    categories: Callable[[Connection, int], dict[str, str]]
    contact: Callable[[Component], ContactSubject]
    iaps: IapsFlag | None = None


def component_allocation(kind: ComponentKind[C]) -> AllocationKind[C]:
    """The allocation of a ``kind`` component: locked and checked as below, reported under the kind's name."""

    def lock(connection: Connection, crn: str, detail: C) -> Subject:
        component = lock_component(connection, kind, kind.component_id(detail))
        person_and_event = {"offenderId": component.offender_id, "eventId": component.event_id}
        return Subject(
            component.id,
            f"{kind.label.lower()} {component.id}",
            kind.contact(component),
            ids={**person_and_event, f"{kind.outcome_name}Id": component.id},
            # Delius audits licence conditions under this name too.
            audited={**person_and_event, "requirementId": component.id},
            refusal=component_refusal(component, kind, crn, str(detail.event_number)),
        )

    def pending_transfer_properties(connection: Connection, subject: Subject, detail: C) -> Mapping[str, str]:
        return {"eventNumber": str(detail.event_number), **kind.categories(connection, subject.id)}

    return AllocationKind(
        manager=kind.manager,
        lock=lock,
        new_manager_id=f"{kind.outcome_name}ManagerId",
        pending_transfer_properties=pending_transfer_properties,
        iaps=kind.iaps,
    )


def lock_component(connection: Connection, kind: ComponentKind[Any], component_id: int) -> Component:
    """The non-deleted component with its person and event, its row locked; ``kind.missing`` when there is none."""
    if not lock_row(connection, kind.key, component_id):
        raise kind.missing(component_id)
    component = kind.key.table
    row = connection.execute(
        select(
            Offender.offender_id.label("offender_id"),
            Offender.crn.label("crn"),
            Event.event_id.label("event_id"),
            Event.event_number.label("event_number"),
            Disposal.active_flag.label("disposal_active"),
            Event.active_flag.label("event_active"),
            component.c.active_flag.label("active"),
        )
        .select_from(component)
        .join(Disposal, Disposal.disposal_id == component.c.disposal_id)
        .join(Event, Event.event_id == Disposal.event_id)
        .join(Offender, Offender.offender_id == kind.offender_column)
        .where(kind.key == component_id, component.c.soft_deleted == 0)
    ).first()
    if row is None:
        raise kind.missing(component_id)
    return Component(
        id=component_id,
        offender_id=int(row.offender_id),
        crn=row.crn.strip(),
        event_id=int(row.event_id),
        event_number=row.event_number.strip(),
        event_active=row.disposal_active == 1 and row.event_active == 1,
        active=row.active == 1,
    )


def category_descriptions(connection: Connection, statement: Select[str | None, str | None]) -> dict[str, str]:
    """``mainCategory`` and ``subCategory`` from a select of the two descriptions, each only when present."""
    row = connection.execute(statement).first()
    if row is None:  # the component is locked, so only a statement naming another one finds nothing
        return {}
    return {name: value for name, value in zip(("mainCategory", "subCategory"), row, strict=True) if value is not None}


def component_refusal(
    component: Component, kind: ComponentKind[Any], crn: str, event_number: str
) -> AllocationError | None:
    """Why the component cannot be allocated: not the message's person or event, or it or its sentence inactive."""
    if component.crn != crn.strip():
        return Conflict(f"{kind.label} {component.id} not for {crn}")
    if component.event_number != event_number:
        return Conflict(f"{kind.label} {component.id} not for event {event_number}")
    if not component.event_active:
        return NotActive(f"Event with number of {event_number} not active")
    if not component.active:
        return NotActive(f"{kind.label} with id of {component.id} not active")
    return None
