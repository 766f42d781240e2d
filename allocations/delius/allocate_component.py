"""What requirement and licence-condition allocations share: one algorithm over two tables (spec §3.11, §5.9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from allocations.delius import codes
from allocations.delius.models import Disposal, Event, Offender
from allocations.delius.steps.active_manager import find_active_manager
from allocations.delius.steps.audit import AuditParameters, audited_transaction
from allocations.delius.steps.contacts import ContactSubject, insert_transfer_contact
from allocations.delius.steps.duplicate import is_duplicate
from allocations.delius.steps.locking import lock_row
from allocations.delius.steps.new_manager import replace_manager
from allocations.delius.steps.oracle import rebuild_optimisation_tables
from allocations.delius.steps.reference import transfer_reason_id
from allocations.delius.steps.validation import validate
from allocations.errors import Conflict, IgnorableMessage, NotActive
from allocations.outcome import Outcome

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import ColumnElement, Connection, Engine, Select, Table

    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.delius.steps.kinds import ManagerKind
    from allocations.delius.steps.unit_of_work import UnitOfWork
    from allocations.workload.details import LicenceConditionAllocationDetail, RequirementAllocationDetail

    ComponentDetail = RequirementAllocationDetail | LicenceConditionAllocationDetail


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


@dataclass(frozen=True)
class ComponentKind:
    """What differs between requirements and licence conditions."""

    label: str
    outcome_name: str
    component_id: Callable[[Any], int]
    manager: ManagerKind
    table: Table
    offender_column: ColumnElement[Any]
    missing: Callable[[int], IgnorableMessage]
    categories: Callable[[Connection, int], dict[str, str]]
    subject: Callable[[Component], ContactSubject]
    flag_iaps: Callable[[Connection, int], None] | None = None


def allocate_component(  # noqa: PLR0913 - the use case's inputs and the kind that tells them apart
    engine: Engine,
    delius_username: str,
    crn: str,
    detail: ComponentDetail,
    kind: ComponentKind,
    *,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the component allocation in one transaction, audited as ``CABI038``."""
    with audited_transaction(engine, delius_username, kind.manager.business_interaction, record) as (uow, audit):
        outcome = _allocate(uow, crn, detail, kind, audit)
        uow.commit(outcome)
    return outcome


def _allocate(
    uow: UnitOfWork, crn: str, detail: ComponentDetail, kind: ComponentKind, audit: AuditParameters
) -> Outcome:
    connection = uow.connection
    component = lock_component(connection, kind, kind.component_id(detail))
    audit["offenderId"] = component.offender_id
    audit["eventId"] = component.event_id
    audit["requirementId"] = component.id  # Delius audits licence conditions under this name too
    uow.after_commit.append(lambda c: rebuild_optimisation_tables(c, component.offender_id))
    check_component(component, kind, crn, str(detail.event_number))

    active = find_active_manager(
        connection, kind.manager, component.id, detail.created_date, f"{kind.label.lower()} {component.id}"
    )
    ids = {"offenderId": component.offender_id, "eventId": component.event_id, f"{kind.outcome_name}Id": component.id}
    if is_duplicate(active, detail):
        return Outcome.duplicate(**ids)
    if active.pending_transfer:
        raise IgnorableMessage(
            "Pending transfer exists in Delius",
            eventNumber=component.event_number,
            **kind.categories(connection, component.id),
        )
    validated = validate(connection, kind.manager, active, detail)
    reason_id = transfer_reason_id(connection, codes.COMPONENT)

    new = replace_manager(uow, kind.manager, active, validated, reason_id)
    insert_transfer_contact(uow, kind.manager, kind.subject(component), new, active)
    if kind.flag_iaps is not None:
        kind.flag_iaps(connection, component.id)
    return Outcome.applied(**ids, **{f"{kind.outcome_name}ManagerId": new.id})


def lock_component(connection: Connection, kind: ComponentKind, component_id: int) -> Component:
    """The non-deleted component with its person and event, its row locked; ``kind.missing`` when there is none."""
    key = kind.table.c[kind.manager.parent_column]
    if not lock_row(connection, key, component_id):
        raise kind.missing(component_id)
    row = connection.execute(
        select(
            Offender.offender_id,
            Offender.crn,
            Event.event_id,
            Event.event_number,
            Disposal.active_flag,
            Event.active_flag,
            kind.table.c.active_flag,
        )
        .select_from(kind.table)
        .join(Disposal, Disposal.disposal_id == kind.table.c.disposal_id)
        .join(Event, Event.event_id == Disposal.event_id)
        .join(Offender, Offender.offender_id == kind.offender_column)
        .where(key == component_id, kind.table.c.soft_deleted == 0)
    ).first()
    if row is None:
        raise kind.missing(component_id)
    return Component(
        id=component_id,
        offender_id=int(row[0]),
        crn=row[1].strip(),
        event_id=int(row[2]),
        event_number=row[3].strip(),
        event_active=row[4] == 1 and row[5] == 1,
        active=row[6] == 1,
    )


def category_descriptions(connection: Connection, statement: Select[str | None, str | None]) -> dict[str, str]:
    """``mainCategory`` and ``subCategory`` from a select of the two descriptions, each only when present."""
    row = connection.execute(statement).one()
    return {name: value for name, value in zip(("mainCategory", "subCategory"), row, strict=True) if value is not None}


def check_component(component: Component, kind: ComponentKind, crn: str, event_number: str) -> None:
    """The component belongs to the message's person and event, and it and its sentence are active."""
    if component.crn != crn.strip():
        raise Conflict(f"{kind.label} {component.id} not for {crn}")
    if component.event_number != event_number:
        raise Conflict(f"{kind.label} {component.id} not for event {event_number}")
    if not component.event_active:
        raise NotActive(f"Event with number of {event_number} not active")
    if not component.active:
        raise NotActive(f"{kind.label} with id of {component.id} not active")
