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
        kind.id.label("id"),
        kind.column("row_version").label("row_version"),
        start.label("allocation_date"),
        end.label("end_date"),
        Team.team_id.label("team_id"),
        Team.code.label("team_code"),
        Team.description.label("team_description"),
        Staff.staff_id.label("staff_id"),
        Staff.officer_code.label("staff_code"),
        Staff.forename.label("forename"),
        Staff.forename2.label("forename2"),
        Staff.surname.label("surname"),
        ProbationArea.probation_area_id.label("provider_id"),
        ProbationArea.code.label("provider_code"),
        ProbationArea.description.label("provider_description"),
        kind.column("partition_area_id").label("partition_area_id"),
        kind.column("allocation_reason_id").label("allocation_reason_id"),
        # A count, not EXISTS: Oracle has no boolean select-list values.
        pending_transfers_statement(kind).scalar_subquery().label("pending_transfers"),
    ]
    return (
        select(*columns)
        .select_from(kind.table)
        .join(Team, Team.team_id == kind.team)
        .join(Staff, Staff.staff_id == kind.staff)
        .join(ProbationArea, ProbationArea.probation_area_id == kind.column("probation_area_id"))
        .where(
            kind.parent == bindparam("parent_id"),
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
        id=row.id,
        parent_id=parent_id,
        row_version=row.row_version,
        allocation_date=row.allocation_date,
        end_date=row.end_date,
        team_id=row.team_id,
        team_code=row.team_code.strip(),
        team_description=row.team_description,
        staff_id=row.staff_id,
        staff_code=row.staff_code.strip(),
        staff_name=display_name(row.forename, row.forename2, row.surname),
        provider_id=row.provider_id,
        provider_code=row.provider_code.strip(),
        provider_description=row.provider_description,
        partition_area_id=row.partition_area_id,
        allocation_reason_id=row.allocation_reason_id,
        pending_transfer=bool(row.pending_transfers),
    )
