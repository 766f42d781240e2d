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


@dataclass(frozen=True)
class ManagerKind:
    """What differs between the manager tables: names of columns, datasets and codes."""

    label: str
    model: type[Base]
    id_column: str
    parent_column: str
    team_column: str
    staff_column: str
    reason_dataset: str
    transfer_reason_code: str | None
    transfer_contact_type: str
    business_interaction: str
    transfer_model: type[Base]

    @property
    def table(self) -> Table:
        """The manager table."""
        return self.model.__table__  # type: ignore[return-value]

    def column(self, name: str) -> Column[Any]:
        """A column of the manager table by name."""
        return self.table.c[name]

    @property
    def transfer_table(self) -> Table:
        """The table of inter-provider transfer requests for the same component."""
        return self.transfer_model.__table__  # type: ignore[return-value]


PERSON = ManagerKind(
    label="Person Manager",
    model=OffenderManager,
    id_column="offender_manager_id",
    parent_column="offender_id",
    team_column="team_id",
    staff_column="allocation_staff_id",
    reason_dataset=codes.PERSON_REASONS,
    transfer_reason_code=None,
    transfer_contact_type="ETOM",
    business_interaction="CABI231",
    transfer_model=OffenderTransfer,
)

EVENT = ManagerKind(
    label="Order Manager",
    model=OrderManager,
    id_column="order_manager_id",
    parent_column="event_id",
    team_column="allocation_team_id",
    staff_column="allocation_staff_id",
    reason_dataset=codes.EVENT_REASONS,
    transfer_reason_code=codes.CASE_ORDER,
    transfer_contact_type="ETOS",
    business_interaction="CABI041",
    transfer_model=OrderTransfer,
)

REQUIREMENT = ManagerKind(
    label="Requirement Manager",
    model=RequirementManager,
    id_column="rqmnt_manager_id",
    parent_column="rqmnt_id",
    team_column="allocated_team_id",
    staff_column="allocated_staff_id",
    reason_dataset=codes.REQUIREMENT_REASONS,
    transfer_reason_code=codes.COMPONENT,
    transfer_contact_type="ETRC",
    business_interaction="CABI038",
    transfer_model=RequirementTransfer,
)

LICENCE_CONDITION = ManagerKind(
    label="Licence Condition Manager",
    model=LicenceConditionManager,
    id_column="lic_condition_manager_id",
    parent_column="lic_condition_id",
    team_column="allocated_team_id",
    staff_column="allocated_staff_id",
    reason_dataset=codes.LICENCE_CONDITION_REASONS,
    transfer_reason_code=codes.COMPONENT,
    transfer_contact_type="ETRC",
    business_interaction="CABI038",
    transfer_model=LicenceConditionTransfer,
)
