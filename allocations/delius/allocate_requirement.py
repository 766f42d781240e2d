"""Allocate a requirement to a manager (spec §3.11)."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from sqlalchemy import select

from allocations.delius.allocation_sequence import allocate_with
from allocations.delius.components import Component, ComponentKind, category_descriptions, component_allocation
from allocations.delius.models import Requirement, RequirementMainCategory, StandardReference
from allocations.delius.steps.contacts import ContactSubject
from allocations.delius.steps.iaps import REQUIREMENT_IAPS
from allocations.delius.steps.kinds import REQUIREMENT, table
from allocations.errors import IgnorableMessage
from allocations.workload.details import RequirementAllocationDetail

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from allocations.delius.context import Delius
    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.events import AllocationEvent
    from allocations.outcome import Outcome


def allocate_requirement(
    delius: Delius,
    event: AllocationEvent,
    detail: RequirementAllocationDetail,
    /,
    *,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the requirement allocation of the message's CRN, audited as ``CABI038``."""
    return allocate_with(REQUIREMENT_ALLOCATION, delius, event.crn, detail, record=record)


def _missing(_requirement_id: int) -> IgnorableMessage:
    return IgnorableMessage("Requirement not found or soft deleted in delius")


def requirement_categories(connection: Connection, rqmnt_id: int) -> dict[str, str]:
    """``mainCategory`` and ``subCategory`` descriptions of the requirement, each only when it has one."""
    return category_descriptions(
        connection,
        select(RequirementMainCategory.description, StandardReference.code_description)
        .select_from(Requirement)
        .outerjoin(
            RequirementMainCategory,
            RequirementMainCategory.rqmnt_type_main_category_id == Requirement.rqmnt_type_main_category_id,
        )
        .outerjoin(
            StandardReference, StandardReference.standard_reference_list_id == Requirement.rqmnt_type_sub_category_id
        )
        .where(Requirement.rqmnt_id == rqmnt_id),
    )


def _contact(requirement: Component) -> ContactSubject:
    return ContactSubject(requirement.offender_id, requirement.event_id, rqmnt_id=requirement.id)


_TABLE = table(Requirement)

REQUIREMENT_COMPONENT = ComponentKind[RequirementAllocationDetail](
    label="Requirement",
    component_id=attrgetter("requirement_id"),
    outcome_name="requirement",
    manager=REQUIREMENT,
    key=_TABLE.c.rqmnt_id,
    offender_column=_TABLE.c.offender_id,
    missing=_missing,
    categories=requirement_categories,
    contact=_contact,
    iaps=REQUIREMENT_IAPS,
)
REQUIREMENT_ALLOCATION = component_allocation(REQUIREMENT_COMPONENT)
