"""Replace the person's responsible officer when their community manager changes (spec §3.9 step 8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert, or_, select, update

from allocations.delius.models import (
    OffenderManager,
    PrisonOffenderManager,
    ProbationArea,
    ResponsibleOfficer,
    Staff,
    Team,
)
from allocations.delius.steps.contacts import ContactAuthor, ContactSubject, insert_contact
from allocations.delius.steps.notes import ResponsibleOfficerDetails, display_name, ro_change_notes
from allocations.errors import NotFound, OptimisticLockFailure

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection

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
    old = find_active_responsible_officer(uow.connection, offender_id, new.start, crn)
    old_details = _details(uow.connection, old, end=new.start)
    # Delius allows one open RO per person: the old one is ended before the new one is inserted.
    ended = uow.connection.execute(
        update(ResponsibleOfficer)
        .where(
            ResponsibleOfficer.responsible_officer_id == old.id,
            ResponsibleOfficer.row_version == old.row_version,
        )
        .values(
            end_date=new.start,
            row_version=ResponsibleOfficer.row_version + 1,
            last_updated_datetime=uow.now,
            last_updated_user_id=uow.user_id,
        )
    )
    if ended.rowcount == 0:
        raise OptimisticLockFailure(f"Responsible officer {old.id} was changed by another transaction")
    new_ro_id = uow.connection.execute(
        insert(ResponsibleOfficer)
        .values(
            offender_id=offender_id,
            offender_manager_id=new.id,
            prison_offender_manager_id=None,
            start_date=new.start,
            end_date=new.end_date,
            row_version=0,
            created_datetime=uow.now,
            last_updated_datetime=uow.now,
            created_by_user_id=uow.user_id,
            last_updated_user_id=uow.user_id,
        )
        .returning(ResponsibleOfficer.responsible_officer_id)
    ).scalar_one()
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
    row = connection.execute(
        select(
            ResponsibleOfficer.responsible_officer_id,
            ResponsibleOfficer.row_version,
            ResponsibleOfficer.start_date,
            ResponsibleOfficer.offender_manager_id,
            ResponsibleOfficer.prison_offender_manager_id,
        )
        .where(
            ResponsibleOfficer.offender_id == offender_id,
            ResponsibleOfficer.start_date <= at,
            or_(ResponsibleOfficer.end_date.is_(None), ResponsibleOfficer.end_date > at),
        )
        .order_by(ResponsibleOfficer.start_date.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"Responsible officer for crn {crn} at {at.isoformat()} not found")
    return ActiveResponsibleOfficer(row[0], row[1], row[2], row[3], row[4])


def _details(connection: Connection, ro: ActiveResponsibleOfficer, end: datetime) -> ResponsibleOfficerDetails:
    """Who the RO points at: its community manager or, failing that, its prison offender manager."""
    prison = ro.offender_manager_id is None
    if prison:
        manager_id, staff_id, team_id = (
            PrisonOffenderManager.prison_offender_manager_id,
            PrisonOffenderManager.allocation_staff_id,
            PrisonOffenderManager.allocation_team_id,
        )
        provider_id, key = PrisonOffenderManager.probation_area_id, ro.prison_offender_manager_id
    else:
        manager_id, staff_id, team_id = (
            OffenderManager.offender_manager_id,
            OffenderManager.allocation_staff_id,
            OffenderManager.team_id,
        )
        provider_id, key = OffenderManager.probation_area_id, ro.offender_manager_id
    row = connection.execute(
        select(Staff.forename, Staff.forename2, Staff.surname, Team.description, ProbationArea.description)
        .select_from(manager_id.table)
        .join(Staff, Staff.staff_id == staff_id)
        .join(Team, Team.team_id == team_id)
        .join(ProbationArea, ProbationArea.probation_area_id == provider_id)
        .where(manager_id == key)
    ).one()
    return ResponsibleOfficerDetails(
        prison=prison,
        staff_name=display_name(row[0], row[1], row[2]),
        team=row[3],
        provider=row[4],
        start=ro.start,
        end=end,
    )
