"""Allocate a requirement to a manager (spec §3.11)."""

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
from allocations.delius.models import Requirement, RequirementMainCategory, StandardReference
from allocations.delius.steps.contacts import ContactSubject
from allocations.delius.steps.iaps import flag_requirement, requirement_is_accredited_programme
from allocations.delius.steps.kinds import REQUIREMENT
from allocations.errors import IgnorableMessage

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, Table

    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.outcome import Outcome
    from allocations.workload.details import RequirementAllocationDetail


def allocate_requirement(
    engine: Engine,
    delius_username: str,
    crn: str,
    detail: RequirementAllocationDetail,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the requirement allocation of the message's ``crn``, audited as ``CABI038``."""
    return allocate_component(engine, delius_username, crn, detail, REQUIREMENT_COMPONENT, record=record)


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


def _subject(requirement: Component) -> ContactSubject:
    return ContactSubject(requirement.offender_id, requirement.event_id, rqmnt_id=requirement.id)


def _flag_if_accredited(connection: Connection, rqmnt_id: int) -> None:
    if requirement_is_accredited_programme(connection, rqmnt_id):
        flag_requirement(connection, rqmnt_id)


_TABLE: Table = Requirement.__table__  # type: ignore[assignment]

REQUIREMENT_COMPONENT = ComponentKind(
    label="Requirement",
    component_id=attrgetter("requirement_id"),
    outcome_name="requirement",
    manager=REQUIREMENT,
    table=_TABLE,
    offender_column=_TABLE.c.offender_id,
    missing=_missing,
    categories=requirement_categories,
    subject=_subject,
    flag_iaps=_flag_if_accredited,
)
