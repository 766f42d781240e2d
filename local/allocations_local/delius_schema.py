"""Create the Delius tables and load the reference data the service needs; harmless to repeat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, inspect, select

from allocations.delius import codes
from allocations.delius.models import (
    AdRequirementMainCategory,
    Base,
    BusinessInteraction,
    ContactType,
    ReferenceDataMaster,
    RequirementMainCategory,
    StandardReference,
    TransferReason,
    User,
    metadata,
    reference,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

# Every table modelled in models/reference.py holds reference data only; the others hold case data (tests empty them).
REFERENCE_TABLES = frozenset(
    mapper.class_.__tablename__ for mapper in Base.registry.mappers if mapper.class_.__module__ == reference.__name__
)

_OTHER_CODES = {
    codes.TRANSFER_STATUS: {codes.PENDING_TRANSFER: "Pending", "TA": "Transfer Accepted", "TR": "Transfer Rejected"},
    codes.REQUIREMENT_SUB_CATEGORY: {codes.NOT_ACCREDITED_SUB_CATEGORY: "Not an accredited programme"},
}
_MAIN_CATEGORIES = {"7": "Accredited Programme", "RM38": "Accredited Programme (RM38)", "F": "Curfew"}
_CONTACT_TYPES = {
    "ETOM": ("Offender Manager Transfer", "N"),
    "ETOS": ("Order Supervisor Transfer", "N"),
    "ETRC": ("Sentence Component Transfer", "N"),
    "ROC": ("Responsible Officer Change", "N"),
    "SPOD03": ("Case Allocation SPO Oversight", "Y"),
    "SPO": ("Case Re-allocation SPO Oversight", "Y"),
}
_BUSINESS_INTERACTIONS = {
    "CABI231": "Add Person Allocation",
    "CABI041": "Add Event Allocation",
    "CABI038": "Create Component Transfer",
}


def create_delius_schema(engine: Engine, delius_username: str) -> None:
    """Create missing Delius tables, then insert whichever reference rows are missing."""
    with engine.begin() as connection:
        metadata.create_all(connection, checkfirst=True)
        load_reference_data(connection, delius_username)


def load_reference_data(connection: Connection, delius_username: str) -> None:
    """Insert the datasets, codes, categories, transfer reasons, contact types, interactions and user."""
    datasets = {
        name: {code: codes.REASON_DESCRIPTIONS[r] for r, code in m.items()} for name, m in codes.REASON_CODES.items()
    }
    for name, entries in {**datasets, **_OTHER_CODES}.items():
        master_id = _ensure(connection, ReferenceDataMaster, {"code_set_name": name})
        for code, description in entries.items():
            _ensure(
                connection,
                StandardReference,
                {"reference_data_master_id": master_id, "code_value": code},
                code_description=description,
            )
    for code, description in _MAIN_CATEGORIES.items():
        _ensure(connection, RequirementMainCategory, {"code": code}, description=description)
        _ensure(connection, AdRequirementMainCategory, {"code": code}, description=description)
    for code in (codes.CASE_ORDER, codes.COMPONENT):
        _ensure(connection, TransferReason, {"code": code})
    for code, (description, sensitive) in _CONTACT_TYPES.items():
        _ensure(connection, ContactType, {"code": code}, description=description, sensitive_contact=sensitive)
    for code, description in _BUSINESS_INTERACTIONS.items():
        _ensure(connection, BusinessInteraction, {"business_interaction_code": code}, description=description)
    _ensure(connection, User, {"distinguished_name": delius_username})


def _ensure(connection: Connection, model: type[Base], key: dict[str, Any], **values: Any) -> int:
    """The id of the row matching ``key``, inserting it (with ``values``) when missing."""
    id_column = inspect(model).primary_key[0]
    found = connection.execute(select(id_column).filter_by(**key)).scalar_one_or_none()
    if found is not None:
        return int(found)
    inserted = connection.execute(insert(model).values(**key, **values).returning(id_column)).scalar_one()
    return int(inserted)
