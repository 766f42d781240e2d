"""An engine on the session's database, and a Delius emptied of everything but reference data before each test."""

from __future__ import annotations

from collections.abc import Iterator
import pytest
from sqlalchemy import Engine, text

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.database import make_engine
from allocations.delius.models import metadata
from allocations.delius.models.reference import (
    AdRequirementMainCategory,
    BusinessInteraction,
    ContactType,
    ReferenceDataMaster,
    RequirementMainCategory,
    StandardReference,
    TransferReason,
    User,
)
from factories import DeliusBuilder

_REFERENCE = {
    m.__tablename__
    for m in (
        AdRequirementMainCategory,
        BusinessInteraction,
        ContactType,
        ReferenceDataMaster,
        RequirementMainCategory,
        StandardReference,
        TransferReason,
        User,
    )
}
_CASE_TABLES = ", ".join(sorted(name for name in metadata.tables if name not in _REFERENCE))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def delius(engine: Engine) -> DeliusBuilder:
    with engine.begin() as c:
        c.execute(text(f"TRUNCATE {_CASE_TABLES} CASCADE"))
    return DeliusBuilder(engine, DEFAULT_DELIUS_USERNAME)
