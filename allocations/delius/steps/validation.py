"""Team, staff and reason checks before a new manager is written (spec §3.4; the order matters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from allocations.delius.codes import reason_code
from allocations.delius.models import ProbationArea, Staff, StaffTeam, Team
from allocations.delius.steps.notes import display_name
from allocations.delius.steps.reference import ReferenceCode, reference_code
from allocations.errors import IgnorableMessage, NotActive, NotFound, StaffNotInTeam

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

    from allocations.delius.steps.active_manager import ActiveManager
    from allocations.delius.steps.kinds import ManagerKind
    from allocations.workload.details import AllocationDetail


@dataclass(frozen=True)
class TeamRow:
    """The team allocated to, with its provider."""

    id: int
    code: str
    description: str
    provider_id: int
    provider_code: str
    provider_description: str
    end_date: datetime | None


@dataclass(frozen=True)
class StaffRow:
    """The staff member allocated to."""

    id: int
    code: str
    name: str
    end_date: datetime | None


@dataclass(frozen=True)
class Validated:
    """What validation found: the new manager's team, staff, allocation reason and start (``createdDate``)."""

    team: TeamRow
    staff: StaffRow
    reason: ReferenceCode
    start: datetime


def validate(connection: Connection, kind: ManagerKind, active: ActiveManager, detail: AllocationDetail) -> Validated:
    """Checks 1-7 of spec §3.4; the first failure raises."""
    at = detail.created_date
    team = find_team(connection, detail.team_code)
    if team is None:
        raise NotFound(f"Team with code of {detail.team_code} not found")
    if team.provider_id != active.provider_id:
        raise IgnorableMessage(
            "External transfer not permitted", fromProvider=active.provider_code, toProvider=team.provider_code
        )
    if team.end_date is not None and team.end_date < at:
        raise IgnorableMessage("Team is not active", teamCode=team.code, endDate=team.end_date.isoformat())
    reason = reference_code(connection, kind.reason_dataset, reason_code(kind.reason_dataset, detail.allocation_reason))
    staff = find_staff(connection, detail.staff_code)
    if staff is None:
        raise NotFound(f"Staff with code of {detail.staff_code} not found")
    if staff.end_date is not None and staff.end_date < at:
        raise NotActive(f"Staff with code of {staff.code} not active")
    member = connection.execute(
        select(StaffTeam.staff_id).where(StaffTeam.staff_id == staff.id, StaffTeam.team_id == team.id)
    ).first()
    if member is None:
        raise StaffNotInTeam(f"Staff {staff.code} not in Team {team.code}")
    return Validated(team, staff, reason, at)


def find_team(connection: Connection, code: str) -> TeamRow | None:
    """The team with ``code`` and its provider, or None."""
    row = connection.execute(
        select(
            Team.team_id,
            Team.code,
            Team.description,
            ProbationArea.probation_area_id,
            ProbationArea.code,
            ProbationArea.description,
            Team.end_date,
        )
        .join(ProbationArea, ProbationArea.probation_area_id == Team.probation_area_id)
        .where(Team.code == code)
    ).first()
    if row is None:
        return None
    return TeamRow(row[0], row[1].strip(), row[2], row[3], row[4].strip(), row[5], row[6])


def find_staff(connection: Connection, code: str) -> StaffRow | None:
    """The staff member with ``officer_code = code``, or None."""
    row = connection.execute(
        select(
            Staff.staff_id, Staff.officer_code, Staff.forename, Staff.forename2, Staff.surname, Staff.end_date
        ).where(Staff.officer_code == code)
    ).first()
    if row is None:
        return None
    return StaffRow(row[0], row[1].strip(), display_name(row[2], row[3], row[4]), row[5])
