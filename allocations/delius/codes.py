"""Every Delius code this service uses (spec §2.7, §4.3), with the descriptions and flags Delius holds for them.

The codes are what the use cases look up; the descriptions and flags are what a local Delius is loaded with, so the
reference data is derived from this module and never listed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from allocations.workload.details import AllocationReason as R

if TYPE_CHECKING:
    from collections.abc import Mapping

# Reference data sets (r_reference_data_master.code_set_name).
PERSON_REASONS = "OM ALLOCATION REASON"
EVENT_REASONS = "ORDER ALLOCATION REASON"
REQUIREMENT_REASONS = "RM ALLOCATION REASON"
LICENCE_CONDITION_REASONS = "LC ALLOCATION REASONS"
TRANSFER_STATUS = "TRANSFER STATUS"
REQUIREMENT_SUB_CATEGORY = "REQUIREMENT SUB CATEGORY"

# Values of those sets and requirement categories the service reads.
PENDING_TRANSFER = "PN"
NOT_ACCREDITED_SUB_CATEGORY = "RS66"
ACCREDITED_PROGRAMME = "7"
ACCREDITED_PROGRAMME_RM38 = "RM38"
ACCREDITED_MAIN_CATEGORIES = (ACCREDITED_PROGRAMME, ACCREDITED_PROGRAMME_RM38)

# Transfer reasons (r_transfer_reason.code).
CASE_ORDER = "CASE ORDER"
COMPONENT = "COMPONENT"
TRANSFER_REASONS = (CASE_ORDER, COMPONENT)

# Contact types (r_contact_type.code).
OFFENDER_MANAGER_TRANSFER = "ETOM"
ORDER_SUPERVISOR_TRANSFER = "ETOS"
COMPONENT_TRANSFER = "ETRC"
RESPONSIBLE_OFFICER_CHANGE = "ROC"
INITIAL_OVERSIGHT = "SPOD03"
REALLOCATION_OVERSIGHT = "SPO"

# Business interactions (business_interaction.business_interaction_code) the allocations are audited as.
ADD_PERSON_ALLOCATION = "CABI231"
ADD_EVENT_ALLOCATION = "CABI041"
CREATE_COMPONENT_TRANSFER = "CABI038"

# Outcomes of an audited interaction (audited_interaction.outcome).
AUDIT_PASSED = "P"
AUDIT_FAILED = "F"

# Delius's yes/no flag columns (contact.sensitive, r_contact_type.sensitive_contact).
YES = "Y"
NO = "N"


def yes_no(flag: bool) -> str:  # noqa: FBT001 - the flag is the one argument
    """``Y`` or ``N``, as Delius stores a flag."""
    return YES if flag else NO


@dataclass(frozen=True)
class ContactTypeCode:
    """What Delius holds about a contact type: its description and whether its contacts are sensitive by default."""

    description: str
    sensitive: bool


CONTACT_TYPES: Mapping[str, ContactTypeCode] = MappingProxyType(
    {
        OFFENDER_MANAGER_TRANSFER: ContactTypeCode("Offender Manager Transfer", sensitive=False),
        ORDER_SUPERVISOR_TRANSFER: ContactTypeCode("Order Supervisor Transfer", sensitive=False),
        COMPONENT_TRANSFER: ContactTypeCode("Sentence Component Transfer", sensitive=False),
        RESPONSIBLE_OFFICER_CHANGE: ContactTypeCode("Responsible Officer Change", sensitive=False),
        INITIAL_OVERSIGHT: ContactTypeCode("Case Allocation SPO Oversight", sensitive=True),
        REALLOCATION_OVERSIGHT: ContactTypeCode("Case Re-allocation SPO Oversight", sensitive=True),
    }
)

BUSINESS_INTERACTIONS: Mapping[str, str] = MappingProxyType(
    {
        ADD_PERSON_ALLOCATION: "Add Person Allocation",
        ADD_EVENT_ALLOCATION: "Add Event Allocation",
        CREATE_COMPONENT_TRANSFER: "Create Component Transfer",
    }
)

# Requirement main categories (r_rqmnt_type_main_category and its additional twin), with a non-accredited one.
REQUIREMENT_MAIN_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        ACCREDITED_PROGRAMME: "Accredited Programme",
        ACCREDITED_PROGRAMME_RM38: "Accredited Programme (RM38)",
        "F": "Curfew",
    }
)

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

# Every reference data set the service reads, as {set name: {code: description}}.
REFERENCE_DATA: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        **{
            dataset: {code: REASON_DESCRIPTIONS[reason] for reason, code in reasons.items()}
            for dataset, reasons in REASON_CODES.items()
        },
        TRANSFER_STATUS: {PENDING_TRANSFER: "Pending", "TA": "Transfer Accepted", "TR": "Transfer Rejected"},
        REQUIREMENT_SUB_CATEGORY: {NOT_ACCREDITED_SUB_CATEGORY: "Not an accredited programme"},
    }
)


def reason_code(dataset: str, reason: R) -> str:
    """The Delius code of ``reason`` in the allocation-reason ``dataset``."""
    return REASON_CODES[dataset][reason]
