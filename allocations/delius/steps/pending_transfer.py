"""Is an inter-provider transfer of the component pending? Then Delius must finish it first."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select

from allocations.delius import codes
from allocations.delius.models import ReferenceDataMaster, StandardReference

if TYPE_CHECKING:
    from sqlalchemy import Select

    from allocations.delius.steps.kinds import ManagerKind


@cache
def pending_transfers_statement(kind: ManagerKind) -> Select[int]:
    """Count of the component's non-deleted ``PN`` transfers; bind ``parent_id``. Built once per kind."""
    transfers = kind.transfer_table
    return (
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
            kind.transfer_parent == bindparam("parent_id"),
            transfers.c.soft_deleted == 0,
            StandardReference.code_value == codes.PENDING_TRANSFER,
            ReferenceDataMaster.code_set_name == codes.TRANSFER_STATUS,
        )
    )
