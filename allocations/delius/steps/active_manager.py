"""Find the manager active at the allocation date, with what later steps need to know about it (spec §3.2)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, or_, select

from allocations.delius.models import ProbationArea, Staff, Team
from allocations.delius.steps.notes import display_name
from allocations.delius.steps.pending_transfer import pending_transfers_statement
from allocations.errors import NotFound

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection, Select

    from allocations.delius.steps.kinds import ManagerKind


@dataclass(frozen=True)
class ActiveManager:
    """A manager row covering the allocation date; historic when ``end_date`` is set."""

    id: int
    parent_id: int
    row_version: int
    allocation_date: datetime
    end_date: datetime | None
    team_id: int
    team_code: str
    team_description: str
    staff_id: int
    staff_code: str
    staff_name: str
    provider_id: int
    provider_code: str
    provider_description: str
    partition_area_id: int
    allocation_reason_id: int | None
    pending_transfer: bool = False
    """A non-deleted ``PN`` transfer of the component exists (read in the same round trip)."""


@cache
def _statement(kind: ManagerKind) -> Select[Any]:
    """The active-manager query of ``kind`` (binds ``parent_id``, ``at``), built once per kind."""
    start, end = kind.column("allocation_date"), kind.column("end_date")
    at = bindparam("at", type_=start.type)
    columns: list[Any] = [
        kind.column(kind.id_column),
        kind.column("row_version"),
        start,
        end,
        Team.team_id,
        Team.code,
        Team.description,
        Staff.staff_id,
        Staff.officer_code,
        Staff.forename,
        Staff.forename2,
        Staff.surname,
        ProbationArea.probation_area_id,
        ProbationArea.code,
        ProbationArea.description,
        kind.column("partition_area_id"),
        kind.column("allocation_reason_id"),
        # A count, not EXISTS: Oracle has no boolean select-list values.
        pending_transfers_statement(kind).scalar_subquery(),
    ]
    return (
        select(*columns)
        .select_from(kind.table)
        .join(Team, Team.team_id == kind.column(kind.team_column))
        .join(Staff, Staff.staff_id == kind.column(kind.staff_column))
        .join(ProbationArea, ProbationArea.probation_area_id == kind.column("probation_area_id"))
        .where(
            kind.column(kind.parent_column) == bindparam("parent_id"),
            start <= at,
            or_(end.is_(None), end > at),
            kind.column("soft_deleted") == 0,
        )
        .order_by(start.desc())
        .limit(1)
    )


def find_active_manager(
    connection: Connection, kind: ManagerKind, parent_id: int, at: datetime, parent_description: str
) -> ActiveManager:
    """The non-deleted manager with ``allocation_date <= at < end_date`` (open end = current).

    ``parent_description`` names the component in the error, e.g. ``crn X123456`` or ``event 3``.
    Its ``pending_transfer`` says whether an inter-provider transfer is pending, read in the same round trip.
    """
    row = connection.execute(_statement(kind), {"parent_id": parent_id, "at": at}).first()
    return _active_manager(row, kind, parent_id, at, parent_description)


def _active_manager(
    row: Any, kind: ManagerKind, parent_id: int, at: datetime, parent_description: str
) -> ActiveManager:
    if row is None:
        raise NotFound(f"{kind.label} for {parent_description} at {at.isoformat()} not found")
    return ActiveManager(
        id=row[0],
        parent_id=parent_id,
        row_version=row[1],
        allocation_date=row[2],
        end_date=row[3],
        team_id=row[4],
        team_code=row[5].strip(),
        team_description=row[6],
        staff_id=row[7],
        staff_code=row[8].strip(),
        staff_name=display_name(row[9], row[10], row[11]),
        provider_id=row[12],
        provider_code=row[13].strip(),
        provider_description=row[14],
        partition_area_id=row[15],
        allocation_reason_id=row[16],
        pending_transfer=bool(row[17]),
    )
