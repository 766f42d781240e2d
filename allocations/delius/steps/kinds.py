"""The four manager tables described once, so every shared step is written once for all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from allocations.delius import codes
from allocations.delius.models import (
    LicenceConditionManager,
    LicenceConditionTransfer,
    OffenderManager,
    OffenderTransfer,
    OrderManager,
    OrderTransfer,
    RequirementManager,
    RequirementTransfer,
)

if TYPE_CHECKING:
    from sqlalchemy import Column, Table

    from allocations.delius.models import Base


def table(model: type[Base]) -> Table:
    """The table of a model, typed as one."""
    return cast("Table", model.__table__)


# Identity, not field-wise equality: the kinds are singletons, and comparing columns builds SQL expressions.
@dataclass(frozen=True, eq=False)
class ManagerKind:
    """What differs between the manager tables: the columns that differ, the datasets and the codes.

    The columns every manager table shares (``allocation_date``, ``end_date``, ``row_version`` …) are read with
    ``column(name)``.
    """

    label: str
    model: type[Base]
    id: Column[Any]
    parent: Column[Any]
    team: Column[Any]
    staff: Column[Any]
    reason_dataset: str
    transfer_reason_code: str | None
    transfer_contact_type: str
    business_interaction: str
    transfer_model: type[Base]

    @property
    def table(self) -> Table:
        """The manager table."""
        return table(self.model)

    def column(self, name: str) -> Column[Any]:
        """A column every manager table has, by name."""
        return self.table.c[name]

    @property
    def transfer_table(self) -> Table:
        """The table of inter-provider transfer requests for the same component."""
        return table(self.transfer_model)

    @property
    def transfer_parent(self) -> Column[Any]:
        """The transfer table's column naming the same parent as ``parent``."""
        return self.transfer_table.c[self.parent.key]

    # Names of the differing columns, for parameter dictionaries keyed by column name.
    @property
    def id_column(self) -> str:
        """Name of ``id``."""
        return self.id.key

    @property
    def parent_column(self) -> str:
        """Name of ``parent``."""
        return self.parent.key

    @property
    def team_column(self) -> str:
        """Name of ``team``."""
        return self.team.key

    @property
    def staff_column(self) -> str:
        """Name of ``staff``."""
        return self.staff.key


_person, _order = table(OffenderManager).c, table(OrderManager).c
_requirement, _condition = table(RequirementManager).c, table(LicenceConditionManager).c

PERSON = ManagerKind(
    label="Person Manager",
    model=OffenderManager,
    id=_person.offender_manager_id,
    parent=_person.offender_id,
    team=_person.team_id,
    staff=_person.allocation_staff_id,
    reason_dataset=codes.PERSON_REASONS,
    transfer_reason_code=None,
    transfer_contact_type=codes.OFFENDER_MANAGER_TRANSFER,
    business_interaction=codes.ADD_PERSON_ALLOCATION,
    transfer_model=OffenderTransfer,
)

EVENT = ManagerKind(
    label="Order Manager",
    model=OrderManager,
    id=_order.order_manager_id,
    parent=_order.event_id,
    team=_order.allocation_team_id,
    staff=_order.allocation_staff_id,
    reason_dataset=codes.EVENT_REASONS,
    transfer_reason_code=codes.CASE_ORDER,
    transfer_contact_type=codes.ORDER_SUPERVISOR_TRANSFER,
    business_interaction=codes.ADD_EVENT_ALLOCATION,
    transfer_model=OrderTransfer,
)

REQUIREMENT = ManagerKind(
    label="Requirement Manager",
    model=RequirementManager,
    id=_requirement.rqmnt_manager_id,
    parent=_requirement.rqmnt_id,
    team=_requirement.allocated_team_id,
    staff=_requirement.allocated_staff_id,
    reason_dataset=codes.REQUIREMENT_REASONS,
    transfer_reason_code=codes.COMPONENT,
    transfer_contact_type=codes.COMPONENT_TRANSFER,
    business_interaction=codes.CREATE_COMPONENT_TRANSFER,
    transfer_model=RequirementTransfer,
)

LICENCE_CONDITION = ManagerKind(
    label="Licence Condition Manager",
    model=LicenceConditionManager,
    id=_condition.lic_condition_manager_id,
    parent=_condition.lic_condition_id,
    team=_condition.allocated_team_id,
    staff=_condition.allocated_staff_id,
    reason_dataset=codes.LICENCE_CONDITION_REASONS,
    transfer_reason_code=codes.COMPONENT,
    transfer_contact_type=codes.COMPONENT_TRANSFER,
    business_interaction=codes.CREATE_COMPONENT_TRANSFER,
    transfer_model=LicenceConditionTransfer,
)
