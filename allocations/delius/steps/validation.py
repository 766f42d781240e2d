"""Team, staff and reason checks before a new manager is written (spec §3.4; the order matters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, literal_column, select

from allocations.delius.codes import reason_code
from allocations.delius.models import ProbationArea, ReferenceDataMaster, Staff, StaffTeam, StandardReference, Team
from allocations.delius.steps.notes import display_name
from allocations.delius.steps.reference import ReferenceCode
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


_TEAM_COLUMNS = (
    Team.team_id.label("team_id"),
    Team.code.label("team_code"),
    Team.description.label("team_description"),
    ProbationArea.probation_area_id.label("provider_id"),
    ProbationArea.code.label("provider_code"),
    ProbationArea.description.label("provider_description"),
    Team.end_date.label("team_end_date"),
)
_STAFF_COLUMNS = (
    Staff.staff_id.label("staff_id"),
    Staff.officer_code.label("staff_code"),
    Staff.forename.label("forename"),
    Staff.forename2.label("forename2"),
    Staff.surname.label("surname"),
    Staff.end_date.label("staff_end_date"),
)
_FIND_STAFF = select(*_STAFF_COLUMNS).where(Staff.officer_code == bindparam("staff_code"))

# Everything validation reads, in one round trip: each part is outer-joined to a one-row anchor, so a missing team,
# reason, staff member or membership shows as NULLs and the checks below still fail in the spec's order.
_reason = (
    select(
        StandardReference.standard_reference_list_id.label("reason_id"),
        StandardReference.code_description.label("reason_description"),
    )
    .join(
        ReferenceDataMaster,
        ReferenceDataMaster.reference_data_master_id == StandardReference.reference_data_master_id,
    )
    .where(
        ReferenceDataMaster.code_set_name == bindparam("dataset"),
        StandardReference.code_value == bindparam("reason_code"),
    )
    .subquery("reason")
)
_anchor = select(literal_column("1").label("one")).subquery("anchor")
_VALIDATION = (
    select(*_TEAM_COLUMNS, *_STAFF_COLUMNS, StaffTeam.staff_id.label("member_staff_id"), *_reason.c)
    .select_from(_anchor)
    .outerjoin(Team, Team.code == bindparam("team_code"))
    .outerjoin(ProbationArea, ProbationArea.probation_area_id == Team.probation_area_id)
    .outerjoin(Staff, Staff.officer_code == bindparam("staff_code"))
    .outerjoin(StaffTeam, and_(StaffTeam.staff_id == Staff.staff_id, StaffTeam.team_id == Team.team_id))
    # Not true(): Oracle renders that as "ON 1".
    .outerjoin(_reason, _reason.c.reason_id.is_not(None))
)


def validate(connection: Connection, kind: ManagerKind, active: ActiveManager, detail: AllocationDetail) -> Validated:
    """Checks 1-7 of spec §3.4; the first failure raises."""
    at = detail.created_date
    code = reason_code(kind.reason_dataset, detail.allocation_reason)
    parameters = {
        "team_code": detail.team_code,
        "staff_code": detail.staff_code,
        "dataset": kind.reason_dataset,
        "reason_code": code,
    }
    # One row always: everything is outer-joined to the anchor.
    row: Any = connection.execute(_VALIDATION, parameters).first()
    team = _team(row)
    if team is None:
        raise NotFound(f"Team with code of {detail.team_code} not found")
    if team.provider_id != active.provider_id:
        raise IgnorableMessage(
            "External transfer not permitted", fromProvider=active.provider_code, toProvider=team.provider_code
        )
    if team.end_date is not None and team.end_date < at:
        raise IgnorableMessage("Team is not active", teamCode=team.code, endDate=team.end_date.isoformat())
    if row.reason_id is None:
        raise NotFound(f"{kind.reason_dataset} with code of {code} not found")
    reason = ReferenceCode(row.reason_id, code, row.reason_description)
    staff = _staff(row)
    if staff is None:
        raise NotFound(f"Staff with code of {detail.staff_code} not found")
    if staff.end_date is not None and staff.end_date < at:
        raise NotActive(f"Staff with code of {staff.code} not active")
    if row.member_staff_id is None:
        raise StaffNotInTeam(f"Staff {staff.code} not in Team {team.code}")
    return Validated(team, staff, reason, at)


def find_staff(connection: Connection, code: str) -> StaffRow | None:
    """The staff member with ``officer_code = code``, or None."""
    return _staff(connection.execute(_FIND_STAFF, {"staff_code": code}).first())


def _team(row: Any) -> TeamRow | None:
    # The provider id is checked too: without its provider a team is as good as missing (an inner join before).
    if row is None or row.team_id is None or row.provider_id is None:
        return None
    return TeamRow(
        id=row.team_id,
        code=row.team_code.strip(),
        description=row.team_description,
        provider_id=row.provider_id,
        provider_code=row.provider_code.strip(),
        provider_description=row.provider_description,
        end_date=row.team_end_date,
    )


def _staff(row: Any) -> StaffRow | None:
    if row is None or row.staff_id is None:
        return None
    return StaffRow(
        id=row.staff_id,
        code=row.staff_code.strip(),
        name=display_name(row.forename, row.forename2, row.surname),
        end_date=row.staff_end_date,
    )
