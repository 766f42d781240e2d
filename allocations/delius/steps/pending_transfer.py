"""Is an inter-provider transfer of the component pending? Then Delius must finish it first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from allocations.delius import codes
from allocations.delius.models import ReferenceDataMaster, StandardReference

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from allocations.delius.steps.kinds import ManagerKind


def pending_transfer_exists(connection: Connection, kind: ManagerKind, parent_id: int) -> bool:
    """True when a non-deleted transfer row of the component has status ``PN``."""
    transfers = kind.transfer_table
    statement = (
        select(func.count())
        .select_from(transfers)
        .join(
            StandardReference,
            StandardReference.standard_reference_list_id == transfers.c.transfer_status_id,
        )
        .join(
            ReferenceDataMaster,
            ReferenceDataMaster.reference_data_master_id == StandardReference.reference_data_master_id,
        )
        .where(
            transfers.c[kind.parent_column] == parent_id,
            transfers.c.soft_deleted == 0,
            StandardReference.code_value == codes.PENDING_TRANSFER,
            ReferenceDataMaster.code_set_name == codes.TRANSFER_STATUS,
        )
    )
    return bool(connection.execute(statement).scalar_one())
