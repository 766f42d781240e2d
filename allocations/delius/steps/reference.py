"""Look-ups of reference data by code; a missing code is a NotFound (Delius may be fixed, so it is retried)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from allocations.delius import codes
from allocations.delius.models import ContactType, ReferenceDataMaster, StandardReference, TransferReason
from allocations.delius.steps.reference_cache import remembered
from allocations.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from allocations.delius.steps.reference_cache import ReferenceCache


@dataclass(frozen=True)
class ReferenceCode:
    """A code of a dataset (``r_standard_reference_list``)."""

    id: int
    code: str
    description: str


# Built once: building a statement costs more client CPU than executing it (its cache key is memoised on it).
_REFERENCE_CODE = (
    select(
        StandardReference.standard_reference_list_id.label("id"),
        StandardReference.code_description.label("description"),
    )
    .join(
        ReferenceDataMaster,
        ReferenceDataMaster.reference_data_master_id == StandardReference.reference_data_master_id,
    )
    .where(ReferenceDataMaster.code_set_name == bindparam("dataset"), StandardReference.code_value == bindparam("code"))
)
_TRANSFER_REASON = select(TransferReason.transfer_reason_id).where(TransferReason.code == bindparam("code"))
_CONTACT_TYPE = select(ContactType.contact_type_id.label("id"), ContactType.sensitive_contact.label("sensitive")).where(
    ContactType.code == bindparam("code")
)


def reference_code(connection: Connection, dataset: str, code: str) -> ReferenceCode:
    """The code in ``dataset``; NotFound "<dataset> with code of <code> not found"."""
    row = connection.execute(_REFERENCE_CODE, {"dataset": dataset, "code": code}).first()
    if row is None:
        raise NotFound(f"{dataset} with code of {code} not found")
    return ReferenceCode(row.id, code, row.description)


def transfer_reason_id(connection: Connection, code: str, cache: ReferenceCache | None = None) -> int:
    """``r_transfer_reason`` id of ``code`` (``CASE ORDER``, ``COMPONENT``), remembered in ``cache`` when given."""

    def look_up() -> int | None:
        found = connection.execute(_TRANSFER_REASON, {"code": code}).scalar_one_or_none()
        return None if found is None else int(found)

    found = remembered(cache, ("transfer_reason", code), look_up)
    if found is None:
        raise NotFound(f"Transfer Reason with code of {code} not found")
    return found


@dataclass(frozen=True)
class ContactTypeRow:
    """A contact type and whether its contacts are sensitive by default."""

    id: int
    code: str
    sensitive: bool


def contact_type(connection: Connection, code: str, cache: ReferenceCache | None = None) -> ContactTypeRow:
    """The contact type with ``code``, remembered in ``cache`` when given; NotFound "Contact Type not found: CODE"."""

    def look_up() -> ContactTypeRow | None:
        row = connection.execute(_CONTACT_TYPE, {"code": code}).first()
        return None if row is None else ContactTypeRow(row.id, code, row.sensitive == codes.YES)

    found = remembered(cache, ("contact_type", code), look_up)
    if found is None:
        raise NotFound(f"Contact Type not found: {code}")
    return found
