"""Allocate a licence condition to a manager: the requirement algorithm on the licence-condition tables (spec §5.9)."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from sqlalchemy import select

from allocations.delius.allocate_component import (
    Component,
    ComponentKind,
    allocate_component,
    category_descriptions,
)
from allocations.delius.models import Event, LicenceCondition, LicenceConditionMainCategory, StandardReference
from allocations.delius.steps.contacts import ContactSubject
from allocations.delius.steps.kinds import LICENCE_CONDITION
from allocations.errors import IgnorableMessage

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, Table

    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.outcome import Outcome
    from allocations.workload.details import LicenceConditionAllocationDetail


def allocate_licence_condition(
    engine: Engine,
    delius_username: str,
    crn: str,
    detail: LicenceConditionAllocationDetail,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the licence-condition allocation of the message's ``crn``, audited as ``CABI038`` (no IAPS)."""
    return allocate_component(engine, delius_username, crn, detail, LICENCE_CONDITION_COMPONENT, record=record)


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


def _subject(condition: Component) -> ContactSubject:
    return ContactSubject(condition.offender_id, condition.event_id, lic_condition_id=condition.id)


_TABLE: Table = LicenceCondition.__table__  # type: ignore[assignment]

LICENCE_CONDITION_COMPONENT = ComponentKind(
    label="Licence Condition",
    component_id=attrgetter("licence_condition_id"),
    outcome_name="licenceCondition",
    manager=LICENCE_CONDITION,
    table=_TABLE,
    # A licence condition has no offender column of its own: its person is its event's.
    offender_column=Event.__table__.c.offender_id,
    missing=_missing,
    categories=licence_condition_categories,
    subject=_subject,
)
