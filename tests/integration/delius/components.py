"""The two component kinds, requirements and licence conditions, described once for the tests they share.

Delius allocates both with the same algorithm; what differs is written here per kind, as literal expectations:
table and column names, outcome properties, refusal labels and messages. Also the expectations every event or
component allocation shares: the transfer notes and the team and staff refusals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from factories import CREATED, detail_of

from allocations.delius import codes
from allocations.delius.models import LicenceCondition, LicenceConditionManager, Requirement, RequirementManager
from allocations.delius.steps.kinds import LICENCE_CONDITION, REQUIREMENT, ManagerKind
from allocations.errors import NotActive, NotFound, StaffNotInTeam
from allocations.workload.details import (
    AllocationReason,
    LicenceConditionAllocationDetail,
    RequirementAllocationDetail,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from factories import Case, DeliusBuilder, Sentence

TRANSFER_NOTES = (
    "Transfer Reason: Internal Transfer\n"
    "Transfer Date: 04/06/2025\n"
    "From Trust: North East\n"
    "From Team: Old Team\n"
    "From Officer: Ann Old\n"
    "-------------------------------/\n"
    "\n"
)

# A detail's staff and team codes in the world of conftest.py, with the error and message Delius refuses it with;
# N02GONE is a staff of the new team whose end date the test sets before the allocation.
TEAM_AND_STAFF_REFUSALS = [
    pytest.param(("N02NEWA", "N02XXX", NotFound, "Team with code of N02XXX not found"), id="unknown-team"),
    pytest.param(("N02ZZZZ", "N02NEW", NotFound, "Staff with code of N02ZZZZ not found"), id="unknown-staff"),
    pytest.param(("N02GONE", "N02NEW", NotActive, "Staff with code of N02GONE not active"), id="ended-staff"),
    pytest.param(("N02OLDA", "N02NEW", StaffNotInTeam, "Staff N02OLDA not in Team N02NEW"), id="staff-not-in-team"),
]


@dataclass(frozen=True)
class Component:
    """A component kind: how to build and allocate one, and what Delius writes and says for it."""

    name: str
    manager_kind: ManagerKind  # for the builder's manager and transfer rows
    model: Any  # the component table
    manager: Any  # its manager table
    manager_id: str  # the manager table's id column
    parent: str  # the manager's column naming the component, as the ETRC contact's column does
    sentence_field: str  # the Sentence attribute holding the sentence's component of this kind
    detail_type: type[RequirementAllocationDetail | LicenceConditionAllocationDetail]
    detail_field: str
    id_property: str  # the outcome property naming the component
    manager_id_property: str  # the outcome property naming the new manager
    reasons: str  # the dataset of allocation reasons
    label: str  # how refusals name the component
    manager_not_found: str  # the refusal when no manager is active at the date, with {id} and {at}
    build: Callable[[DeliusBuilder, Case, Sentence], int]  # another component on the sentence, without a manager

    def __str__(self) -> str:
        return self.name

    def id_of(self, sentenced: Sentence) -> int:
        """The id of the sentence's component of this kind."""
        return int(getattr(sentenced, self.sentence_field))

    def detail(
        self,
        component_id: int,
        staff_code: str,
        team_code: str,
        created: datetime = CREATED,
        reason: AllocationReason = AllocationReason.CHANGE_OF_ADDRESS,
        **fields: Any,
    ) -> RequirementAllocationDetail | LicenceConditionAllocationDetail:
        """A detail allocating the component ``component_id``, as Workload would serve it (event number 3)."""
        return detail_of(
            self.detail_type, staff_code, team_code, created, reason, **{self.detail_field: component_id, **fields}
        )


def audited_ids(case: Case, sentenced: Sentence, component_id: int) -> str:
    """The ids Delius audits an allocation of a component with: a licence condition's under the requirement's name."""
    return f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}',requirementId='{component_id}'"


REQUIREMENT_COMPONENT = Component(
    name="requirement",
    manager_kind=REQUIREMENT,
    model=Requirement,
    manager=RequirementManager,
    manager_id="rqmnt_manager_id",
    parent="rqmnt_id",
    sentence_field="requirement_id",
    detail_type=RequirementAllocationDetail,
    detail_field="requirement_id",
    id_property="requirementId",
    manager_id_property="requirementManagerId",
    reasons=codes.REQUIREMENT_REASONS,
    label="Requirement",
    manager_not_found="Requirement Manager for requirement {id} at {at} not found",
    build=lambda delius, case, sentenced: delius.requirement(case.offender_id, sentenced.disposal_id),
)

LICENCE_CONDITION_COMPONENT = Component(
    name="licence-condition",
    manager_kind=LICENCE_CONDITION,
    model=LicenceCondition,
    manager=LicenceConditionManager,
    manager_id="lic_condition_manager_id",
    parent="lic_condition_id",
    sentence_field="condition_id",
    detail_type=LicenceConditionAllocationDetail,
    detail_field="licence_condition_id",
    id_property="licenceConditionId",
    manager_id_property="licenceConditionManagerId",
    reasons=codes.LICENCE_CONDITION_REASONS,
    label="Licence Condition",
    manager_not_found="Licence Condition Manager for licence condition {id} at {at} not found",
    build=lambda delius, _, sentenced: delius.lic_condition(sentenced.disposal_id),
)

COMPONENTS = [REQUIREMENT_COMPONENT, LICENCE_CONDITION_COMPONENT]
