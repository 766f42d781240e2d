"""Delius reference codes this service uses (spec §2.7, §4.3), with the allocation-reason mapping per dataset."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from allocations.workload.details import AllocationReason as R

if TYPE_CHECKING:
    from collections.abc import Mapping

PERSON_REASONS = "OM ALLOCATION REASON"
EVENT_REASONS = "ORDER ALLOCATION REASON"
REQUIREMENT_REASONS = "RM ALLOCATION REASON"
LICENCE_CONDITION_REASONS = "LC ALLOCATION REASONS"
TRANSFER_STATUS = "TRANSFER STATUS"
REQUIREMENT_SUB_CATEGORY = "REQUIREMENT SUB CATEGORY"

PENDING_TRANSFER = "PN"
NOT_ACCREDITED_SUB_CATEGORY = "RS66"
ACCREDITED_MAIN_CATEGORIES = ("7", "RM38")

CASE_ORDER = "CASE ORDER"
COMPONENT = "COMPONENT"

_COMMON = {
    R.ALLOCATED_TO_RESPONSIBLE_OFFICER: "RO",
    R.CASELOAD_ADJUSTMENT: "AR02",
    R.CHANGE_IN_TIER_OR_RISK: "CTR",
    R.OFFICER_LEFT: "OFL",
    R.OTHER: "OTH",
    R.RISK_TO_STAFF: "RTS",
    R.TRANSFER_IN: "TIN",
    R.PROBATION_RESET: "RESET",
}

REASON_CODES: Mapping[str, Mapping[R, str]] = MappingProxyType(
    {
        PERSON_REASONS: {R.INITIAL_ALLOCATION: "IN1", R.CHANGE_OF_ADDRESS: "AR03", **_COMMON},
        EVENT_REASONS: {R.INITIAL_ALLOCATION: "INT", R.CHANGE_OF_ADDRESS: "OA01", **_COMMON},
        REQUIREMENT_REASONS: {R.INITIAL_ALLOCATION: "IN1", R.CHANGE_OF_ADDRESS: "OM", **_COMMON},
        LICENCE_CONDITION_REASONS: {R.INITIAL_ALLOCATION: "IN1", R.CHANGE_OF_ADDRESS: "OM", **_COMMON},
    }
)

# Human descriptions, as Delius shows them in case history (the ROC contact quotes them).
REASON_DESCRIPTIONS: Mapping[R, str] = MappingProxyType(
    {
        R.INITIAL_ALLOCATION: "Initial Allocation",
        R.ALLOCATED_TO_RESPONSIBLE_OFFICER: "Allocated to Responsible Officer",
        R.CASELOAD_ADJUSTMENT: "Caseload Adjustment",
        R.CHANGE_IN_TIER_OR_RISK: "Change in Tier or Risk",
        R.CHANGE_OF_ADDRESS: "Change of Address",
        R.OFFICER_LEFT: "Officer Left",
        R.OTHER: "Other",
        R.RISK_TO_STAFF: "Risk to Staff",
        R.TRANSFER_IN: "Transfer In",
        R.PROBATION_RESET: "Probation Reset",
    }
)


def reason_code(dataset: str, reason: R) -> str:
    """The Delius code of ``reason`` in the allocation-reason ``dataset``."""
    return REASON_CODES[dataset][reason]
