"""Replace the person's responsible officer when their community manager changes (spec §3.9 step 8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import NoResultFound

from allocations.delius.models import (
    OffenderManager,
    PrisonOffenderManager,
    ProbationArea,
    ResponsibleOfficer,
    Staff,
    Team,
)
from allocations.delius.steps.contacts import ContactAuthor, ContactSubject, insert_contact
from allocations.delius.steps.kinds import table
from allocations.delius.steps.notes import ResponsibleOfficerDetails, display_name, ro_change_notes
from allocations.errors import NotFound, OptimisticLockFailure

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection, Select, Update
    from sqlalchemy.sql.dml import ReturningInsert

    from allocations.delius.steps.active_manager import ActiveManager
    from allocations.delius.steps.new_manager import NewManager
    from allocations.delius.steps.unit_of_work import UnitOfWork
    from allocations.delius.steps.validation import Validated

RO_CHANGE_CONTACT = "ROC"


@dataclass(frozen=True)
class ActiveResponsibleOfficer:
    """The RO row covering a date, and who it points at."""

    id: int
    row_version: int
    start: datetime
    offender_manager_id: int | None
    prison_offender_manager_id: int | None


def replace_responsible_officer(
    uow: UnitOfWork, crn: str, old_manager: ActiveManager, new: NewManager, validated: Validated
) -> int:
    """End the RO active at the new manager's start, insert one pointing at the new manager, write ROC."""
    offender_id = old_manager.parent_id
    row = _active_row(uow.connection, offender_id, new.start, crn)
    old = _officer(row)
    old_details = _details(row, old, end=new.start)
    # Delius allows one open RO per person: the old one is ended before the new one is inserted.
    ended = uow.connection.execute(
        _END_DATE,
        {"ro_id": old.id, "read_version": old.row_version, "end": new.start, "now": uow.now, "user_id": uow.user_id},
    )
    if ended.rowcount == 0:
        raise OptimisticLockFailure(f"Responsible officer {old.id} was changed by another transaction")
    values = {
        "offender_id": offender_id,
        "offender_manager_id": new.id,
        "prison_offender_manager_id": None,
        "start_date": new.start,
        "end_date": new.end_date,
        **uow.new_row_columns(),
    }
    new_ro_id = uow.connection.execute(_INSERT, values).scalar_one()
    new_details = ResponsibleOfficerDetails(
        prison=False,
        staff_name=validated.staff.name,
        team=validated.team.description,
        provider=old_manager.provider_description,
        start=new.start,
        end=new.end_date,
    )
    insert_contact(
        uow,
        RO_CHANGE_CONTACT,
        ContactSubject(offender_id),
        ContactAuthor(new.start, new.team_id, new.staff_id, new.provider_id),
        ro_change_notes(new_details, old_details, new.reason_description),
    )
    return int(new_ro_id)


def find_active_responsible_officer(
    connection: Connection, offender_id: int, at: datetime, crn: str
) -> ActiveResponsibleOfficer:
    """The RO with ``start_date <= at < end_date`` (open end = current)."""
    return _officer(_active_row(connection, offender_id, at, crn))


def _active_row(connection: Connection, offender_id: int, at: datetime, crn: str) -> Any:
    """The active RO with the staff, team and provider of the manager it points at, in one statement."""
    row = connection.execute(_ACTIVE, {"offender_id": offender_id, "at": at}).first()
    if row is None:
        raise NotFound(f"Responsible officer for crn {crn} at {at.isoformat()} not found")
    return row


def _officer(row: Any) -> ActiveResponsibleOfficer:
    return ActiveResponsibleOfficer(row[0], row[1], row[2], row[3], row[4])


def _details(row: Any, ro: ActiveResponsibleOfficer, end: datetime) -> ResponsibleOfficerDetails:
    """Who the RO points at: its community manager or, failing that, its prison offender manager."""
    if row[7] is None or row[8] is None or row[9] is None:
        raise NoResultFound(f"No manager, staff, team or provider for responsible officer {ro.id}")
    return ResponsibleOfficerDetails(
        prison=ro.offender_manager_id is None,
        staff_name=display_name(row[5], row[6], row[7]),
        team=row[8],
        provider=row[9],
        start=ro.start,
        end=end,
    )


def _build() -> tuple[Select[Any], Update, ReturningInsert[Any]]:
    ro, om, pom = table(ResponsibleOfficer), table(OffenderManager), table(PrisonOffenderManager)
    staff, team, area = table(Staff), table(Team), table(ProbationArea)
    at = bindparam("at", type_=ro.c.start_date.type)
    # The prison manager is joined only when the RO has no community manager, so COALESCE picks the right one.
    pointed_at = ro.outerjoin(om, om.c.offender_manager_id == ro.c.offender_manager_id).outerjoin(
        pom,
        and_(
            ro.c.offender_manager_id.is_(None),
            pom.c.prison_offender_manager_id == ro.c.prison_offender_manager_id,
        ),
    )
    active = (
        select(
            ro.c.responsible_officer_id,
            ro.c.row_version,
            ro.c.start_date,
            ro.c.offender_manager_id,
            ro.c.prison_offender_manager_id,
            staff.c.forename,
            staff.c.forename2,
            staff.c.surname,
            team.c.description,
            area.c.description,
        )
        .select_from(
            pointed_at.outerjoin(
                staff, staff.c.staff_id == func.coalesce(om.c.allocation_staff_id, pom.c.allocation_staff_id)
            )
            .outerjoin(team, team.c.team_id == func.coalesce(om.c.team_id, pom.c.allocation_team_id))
            .outerjoin(area, area.c.probation_area_id == func.coalesce(om.c.probation_area_id, pom.c.probation_area_id))
        )
        .where(
            ro.c.offender_id == bindparam("offender_id", type_=ro.c.offender_id.type),
            ro.c.start_date <= at,
            or_(ro.c.end_date.is_(None), ro.c.end_date > at),
        )
        .order_by(ro.c.start_date.desc())
        .limit(1)
    )
    end_date = (
        update(ro)
        .where(
            ro.c.responsible_officer_id == bindparam("ro_id", type_=ro.c.responsible_officer_id.type),
            ro.c.row_version == bindparam("read_version", type_=ro.c.row_version.type),
        )
        .values(
            end_date=bindparam("end", type_=ro.c.end_date.type),
            row_version=ro.c.row_version + 1,
            last_updated_datetime=bindparam("now", type_=ro.c.last_updated_datetime.type),
            last_updated_user_id=bindparam("user_id", type_=ro.c.last_updated_user_id.type),
        )
    )
    return active, end_date, insert(ro).returning(ro.c.responsible_officer_id)


_ACTIVE, _END_DATE, _INSERT = _build()
