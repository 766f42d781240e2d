"""Create the Delius tables and load the reference data the service needs; harmless to repeat.

Local stack and tests only: in production Delius exists already, and the service never creates a Delius table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, inspect, select

from allocations.database import init_db, make_engine
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


def init_db_with_delius(database_url: str, state_database_url: str, delius_username: str) -> None:
    """Create Delius (tables and reference data), then do what ``init-db`` does: ``init-db --create-delius``.

    Args:
        database_url: The Delius database.
        state_database_url: The database for the service's own schema (often the same).
        delius_username: The Delius user the service writes as (its row is part of the reference data).

    Raises:
        RuntimeError: Delius still lacks something after its creation (the models and this loader disagree).
    """
    create_delius(database_url, delius_username)
    missing = init_db(database_url, state_database_url, delius_username)
    if missing:
        raise RuntimeError("; ".join(str(item) for item in missing))


def create_delius(database_url: str, delius_username: str) -> None:
    """Create the Delius tables and reference data in the database at ``database_url``."""
    engine = make_engine(database_url, pool_size=1)
    try:
        create_delius_schema(engine, delius_username)
    finally:
        engine.dispose()


def create_delius_schema(engine: Engine, delius_username: str) -> None:
    """Create missing Delius tables, then insert whichever reference rows are missing."""
    with engine.begin() as connection:
        metadata.create_all(connection, checkfirst=True)
        load_reference_data(connection, delius_username)


def load_reference_data(connection: Connection, delius_username: str) -> None:
    """Insert the datasets, codes, categories, transfer reasons, contact types, interactions and user."""
    for name, entries in codes.REFERENCE_DATA.items():
        master_id = _ensure(connection, ReferenceDataMaster, {"code_set_name": name})
        for code, description in entries.items():
            _ensure(
                connection,
                StandardReference,
                {"reference_data_master_id": master_id, "code_value": code},
                code_description=description,
            )
    for code, description in codes.REQUIREMENT_MAIN_CATEGORIES.items():
        _ensure(connection, RequirementMainCategory, {"code": code}, description=description)
        _ensure(connection, AdRequirementMainCategory, {"code": code}, description=description)
    for code in codes.TRANSFER_REASONS:
        _ensure(connection, TransferReason, {"code": code})
    for code, contact_type in codes.CONTACT_TYPES.items():
        _ensure(
            connection,
            ContactType,
            {"code": code},
            description=contact_type.description,
            sensitive_contact=codes.yes_no(contact_type.sensitive),
        )
    for code, description in codes.BUSINESS_INTERACTIONS.items():
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
