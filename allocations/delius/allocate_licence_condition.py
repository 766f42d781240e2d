"""Allocate a licence condition to a manager: the requirement algorithm on the licence-condition tables (spec §5.9)."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from sqlalchemy import select

from allocations.delius.allocation_sequence import allocate_with
from allocations.delius.components import Component, ComponentKind, category_descriptions, component_allocation
from allocations.delius.models import Event, LicenceCondition, LicenceConditionMainCategory, StandardReference
from allocations.delius.steps.contacts import ContactSubject
from allocations.delius.steps.kinds import LICENCE_CONDITION, table
from allocations.errors import IgnorableMessage
from allocations.workload.details import LicenceConditionAllocationDetail

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from allocations.delius.context import Delius
    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.events import AllocationEvent
    from allocations.outcome import Outcome


def allocate_licence_condition(
    delius: Delius,
    event: AllocationEvent,
    detail: LicenceConditionAllocationDetail,
    /,
    *,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the licence-condition allocation of the message's CRN, audited as ``CABI038`` (no IAPS)."""
    return allocate_with(LICENCE_CONDITION_ALLOCATION, delius, event.crn, detail, record=record)


def _missing(condition_id: int) -> IgnorableMessage:
    return IgnorableMessage("Requirement no longer exists", id=str(condition_id))


def licence_condition_categories(connection: Connection, condition_id: int) -> dict[str, str]:
    """``mainCategory`` and ``subCategory`` descriptions of the condition, each only when it has one."""
    return category_descriptions(
        connection,
        select(LicenceConditionMainCategory.description, StandardReference.code_description)
        .select_from(LicenceCondition)
        .outerjoin(
            LicenceConditionMainCategory,
            LicenceConditionMainCategory.lic_cond_type_main_cat_id == LicenceCondition.lic_cond_type_main_cat_id,
        )
        .outerjoin(
            StandardReference,
            StandardReference.standard_reference_list_id == LicenceCondition.lic_cond_type_sub_cat_id,
        )
        .where(LicenceCondition.lic_condition_id == condition_id),
    )


def _contact(condition: Component) -> ContactSubject:
    return ContactSubject(condition.offender_id, condition.event_id, lic_condition_id=condition.id)


LICENCE_CONDITION_COMPONENT = ComponentKind[LicenceConditionAllocationDetail](
    label="Licence Condition",
    component_id=attrgetter("licence_condition_id"),
    outcome_name="licenceCondition",
    manager=LICENCE_CONDITION,
    key=table(LicenceCondition).c.lic_condition_id,
    # A licence condition has no offender column of its own: its person is its event's.
    offender_column=table(Event).c.offender_id,
    missing=_missing,
    categories=licence_condition_categories,
    contact=_contact,
)
LICENCE_CONDITION_ALLOCATION = component_allocation(LICENCE_CONDITION_COMPONENT)
