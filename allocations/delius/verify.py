"""Check that Delius has what the service reads and writes; never creates or changes anything.

What is checked is derived from the models (``allocations/delius/models``: every table, column and id sequence)
and from ``allocations/delius/codes.py`` (every code the use cases look up), so it cannot drift from the code that
uses it. ``allocations init-db`` runs it after upgrading the service's own schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Sequence, inspect, select

from allocations.delius import codes
from allocations.delius.models import (
    BusinessInteraction,
    ContactType,
    ReferenceDataMaster,
    StandardReference,
    TransferReason,
    User,
    metadata,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import InstrumentedAttribute

# The reference rows the use cases look up by code, per dataset (r_reference_data_master.code_set_name).
REQUIRED_CODES: Mapping[str, tuple[str, ...]] = {
    **{dataset: tuple(sorted(set(reasons.values()))) for dataset, reasons in codes.REASON_CODES.items()},
    codes.TRANSFER_STATUS: (codes.PENDING_TRANSFER,),
}


@dataclass(frozen=True)
class Missing:
    """One thing Delius lacks: ``kind`` (table, column, sequence, reference data) and its name."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"missing {self.kind}: {self.name}"


def verify_delius(engine: Engine, delius_username: str) -> list[Missing]:
    """What the Delius database at ``engine`` lacks, in a stable order; empty when it has everything.

    Args:
        engine: The Delius database.
        delius_username: The service's own Delius user (``user_.distinguished_name``).

    Returns:
        One entry per missing table, column, sequence or reference row.
    """
    with engine.connect() as connection:
        structure = list(_missing_structure(connection))
        absent_tables = {item.name for item in structure if item.kind == "table"}
        return structure + list(_missing_reference_data(connection, delius_username, absent_tables))


def _missing_structure(connection: Connection) -> Iterable[Missing]:
    found = inspect(connection)
    tables = set(found.get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in tables:
            yield Missing("table", table.name)
            continue
        columns = {column["name"] for column in found.get_columns(table.name)}
        yield from (Missing("column", f"{table.name}.{c.name}") for c in table.columns if c.name not in columns)
    sequences = set(found.get_sequence_names())
    for name in sorted(_sequence_names()):
        if name not in sequences:
            yield Missing("sequence", name)


def _sequence_names() -> set[str]:
    return {c.default.name for t in metadata.tables.values() for c in t.columns if isinstance(c.default, Sequence)}


def _missing_reference_data(connection: Connection, delius_username: str, absent: set[str]) -> Iterable[Missing]:
    code_sets = {ReferenceDataMaster.__tablename__, StandardReference.__tablename__}
    if not code_sets & absent:
        for dataset, wanted in REQUIRED_CODES.items():
            query = (
                select(StandardReference.code_value)
                .join(ReferenceDataMaster)
                .where(ReferenceDataMaster.code_set_name == dataset, StandardReference.code_value.in_(wanted))
            )
            have = set(connection.scalars(query))
            yield from (Missing("reference data", f"{dataset} {code}") for code in wanted if code not in have)
    keyed: list[tuple[str, InstrumentedAttribute[str], tuple[str, ...]]] = [
        (TransferReason.__tablename__, TransferReason.code, codes.TRANSFER_REASONS),
        (ContactType.__tablename__, ContactType.code, tuple(sorted(codes.CONTACT_TYPES))),
        (
            BusinessInteraction.__tablename__,
            BusinessInteraction.business_interaction_code,
            tuple(sorted(codes.BUSINESS_INTERACTIONS)),
        ),
        (User.__tablename__, User.distinguished_name, (delius_username,)),
    ]
    for table, column, wanted_keys in keyed:
        if table not in absent:
            have = set(connection.scalars(select(column).where(column.in_(wanted_keys))))
            yield from (Missing("reference data", f"{table} {key}") for key in wanted_keys if key not in have)
