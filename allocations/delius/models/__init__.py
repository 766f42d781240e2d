"""SQLAlchemy models of the Delius tables this service reads and writes (spec §4.1, §4.2)."""

from allocations.delius.models.base import Base, metadata
from allocations.delius.models.cases import Disposal, Event, LicenceCondition, Offender, Requirement
from allocations.delius.models.history import (
    AuditedInteraction,
    Contact,
    IapsEvent,
    IapsOffender,
    IapsRequirement,
)
from allocations.delius.models.managers import (
    LicenceConditionManager,
    OffenderManager,
    OrderManager,
    PrisonOffenderManager,
    RequirementManager,
    ResponsibleOfficer,
)
from allocations.delius.models.organisation import ProbationArea, Staff, StaffTeam, Team
from allocations.delius.models.reference import (
    AdRequirementMainCategory,
    BusinessInteraction,
    ContactType,
    LicenceConditionMainCategory,
    ReferenceDataMaster,
    RequirementMainCategory,
    StandardReference,
    TransferReason,
    User,
)
from allocations.delius.models.transfers import (
    LicenceConditionTransfer,
    OffenderTransfer,
    OrderTransfer,
    RequirementTransfer,
)

__all__ = [
    "AdRequirementMainCategory",
    "AuditedInteraction",
    "Base",
    "BusinessInteraction",
    "Contact",
    "ContactType",
    "Disposal",
    "Event",
    "IapsEvent",
    "IapsOffender",
    "IapsRequirement",
    "LicenceCondition",
    "LicenceConditionMainCategory",
    "LicenceConditionManager",
    "LicenceConditionTransfer",
    "Offender",
    "OffenderManager",
    "OffenderTransfer",
    "OrderManager",
    "OrderTransfer",
    "PrisonOffenderManager",
    "ProbationArea",
    "ReferenceDataMaster",
    "Requirement",
    "RequirementMainCategory",
    "RequirementManager",
    "RequirementTransfer",
    "ResponsibleOfficer",
    "Staff",
    "StaffTeam",
    "StandardReference",
    "Team",
    "TransferReason",
    "User",
    "metadata",
]
