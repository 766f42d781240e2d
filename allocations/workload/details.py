"""Allocation details as the domain sees them (parsed from ``GET detailUrl`` by ``schemas.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime


class AllocationReason(StrEnum):
    """Workload's reasons; absent, null, blank or unknown text means ``INITIAL_ALLOCATION``."""

    INITIAL_ALLOCATION = "INITIAL_ALLOCATION"
    ALLOCATED_TO_RESPONSIBLE_OFFICER = "ALLOCATED_TO_RESPONSIBLE_OFFICER"
    CASELOAD_ADJUSTMENT = "CASELOAD_ADJUSTMENT"
    CHANGE_IN_TIER_OR_RISK = "CHANGE_IN_TIER_OR_RISK"
    CHANGE_OF_ADDRESS = "CHANGE_OF_ADDRESS"
    OFFICER_LEFT = "OFFICER_LEFT"
    OTHER = "OTHER"
    RISK_TO_STAFF = "RISK_TO_STAFF"
    TRANSFER_IN = "TRANSFER_IN"
    PROBATION_RESET = "PROBATION_RESET"

    @classmethod
    def parse(cls, value: str | None) -> AllocationReason:
        """The member for ``value``; initial allocation for absent, blank or unknown text."""
        try:
            return cls((value or "").strip())
        except ValueError:
            return cls.INITIAL_ALLOCATION


@dataclass(frozen=True, kw_only=True)
class AllocationDetail:
    """Fields every detail carries. ``created_date`` is aware, in Europe/London: the allocation instant."""

    id: str
    staff_code: str
    team_code: str
    created_date: datetime
    allocation_reason: AllocationReason = AllocationReason.INITIAL_ALLOCATION


@dataclass(frozen=True, kw_only=True)
class PersonAllocationDetail(AllocationDetail):
    """``person.community.manager.allocated``: the detail names the person itself."""

    crn: str


@dataclass(frozen=True, kw_only=True)
class EventAllocationDetail(AllocationDetail):
    """``event.manager.allocated``, with the SPO's oversight."""

    event_number: int
    spo_staff_code: str | None = None
    spo_oversight_notes: str | None = None
    sensitive_oversight_notes: bool | None = None


@dataclass(frozen=True, kw_only=True)
class RequirementAllocationDetail(AllocationDetail):
    """``requirement.manager.allocated``."""

    event_number: int
    requirement_id: int


@dataclass(frozen=True, kw_only=True)
class LicenceConditionAllocationDetail(AllocationDetail):
    """``licence-condition.manager.allocated``."""

    event_number: int
    licence_condition_id: int
