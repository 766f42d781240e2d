"""Look-ups of reference data by code; a missing code is a NotFound (Delius may be fixed, so it is retried)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from allocations.delius.models import ContactType, ReferenceDataMaster, StandardReference, TransferReason
from allocations.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True)
class ReferenceCode:
    """A code of a dataset (``r_standard_reference_list``)."""

    id: int
    code: str
    description: str


def reference_code(connection: Connection, dataset: str, code: str) -> ReferenceCode:
    """The code in ``dataset``; NotFound "<dataset> with code of <code> not found"."""
    row = connection.execute(
        select(StandardReference.standard_reference_list_id, StandardReference.code_description)
        .join(
            ReferenceDataMaster,
            ReferenceDataMaster.reference_data_master_id == StandardReference.reference_data_master_id,
        )
        .where(ReferenceDataMaster.code_set_name == dataset, StandardReference.code_value == code)
    ).first()
    if row is None:
        raise NotFound(f"{dataset} with code of {code} not found")
    return ReferenceCode(row[0], code, row[1])


def transfer_reason_id(connection: Connection, code: str) -> int:
    """``r_transfer_reason`` id of ``code`` (``CASE ORDER``, ``COMPONENT``)."""
    found = connection.execute(
        select(TransferReason.transfer_reason_id).where(TransferReason.code == code)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Transfer Reason with code of {code} not found")
    return int(found)


@dataclass(frozen=True)
class ContactTypeRow:
    """A contact type and whether its contacts are sensitive by default."""

    id: int
    code: str
    sensitive: bool


def contact_type(connection: Connection, code: str) -> ContactTypeRow:
    """The contact type with ``code``; NotFound "Contact Type not found: CODE"."""
    row = connection.execute(
        select(ContactType.contact_type_id, ContactType.sensitive_contact).where(ContactType.code == code)
    ).first()
    if row is None:
        raise NotFound(f"Contact Type not found: {code}")
    return ContactTypeRow(row[0], code, row[1] == "Y")
