"""Replace the person's responsible officer when their community manager changes (spec §3.9 step 8)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from allocations.delius import codes
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

    from sqlalchemy import Connection, Insert, Select, Update

    from allocations.delius.allocation_sequence import Allocation
    from allocations.workload.details import PersonAllocationDetail


def replace_responsible_officer(allocation: Allocation[PersonAllocationDetail]) -> None:
    """End the RO active at the new manager's start, insert one pointing at the new manager, write ROC."""
    uow, old_manager, new, validated = allocation.uow, allocation.old, allocation.new, allocation.validated
    offender_id = old_manager.parent_id
    old = _active_row(uow.connection, offender_id, new.start, allocation.detail.crn)
    old_details = _details(old, end=new.start)
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
    uow.connection.execute(_INSERT, values)
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
        codes.RESPONSIBLE_OFFICER_CHANGE,
        ContactSubject(offender_id),
        ContactAuthor(new.start, new.team_id, new.staff_id, new.provider_id),
        ro_change_notes(new_details, old_details, new.reason_description),
    )


def _active_row(connection: Connection, offender_id: int, at: datetime, crn: str) -> Any:
    """The RO with ``start_date <= at < end_date`` (open end = current), with who it points at, in one statement."""
    row = connection.execute(_ACTIVE, {"offender_id": offender_id, "at": at}).first()
    if row is None:
        raise NotFound(f"Responsible officer for crn {crn} at {at.isoformat()} not found")
    return row


def _details(ro: Any, end: datetime) -> ResponsibleOfficerDetails:
    """Who the RO points at: its community manager or, failing that, its prison offender manager."""
    if ro.surname is None or ro.team is None or ro.provider is None:
        raise NotFound(f"No manager, staff, team or provider for responsible officer {ro.id}")
    return ResponsibleOfficerDetails(
        prison=ro.offender_manager_id is None,
        staff_name=display_name(ro.forename, ro.forename2, ro.surname),
        team=ro.team,
        provider=ro.provider,
        start=ro.start_date,
        end=end,
    )


def _build() -> tuple[Select[Any], Update, Insert]:
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
            ro.c.responsible_officer_id.label("id"),
            ro.c.row_version.label("row_version"),
            ro.c.start_date.label("start_date"),
            ro.c.offender_manager_id.label("offender_manager_id"),
            staff.c.forename.label("forename"),
            staff.c.forename2.label("forename2"),
            staff.c.surname.label("surname"),
            team.c.description.label("team"),
            area.c.description.label("provider"),
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
    return active, end_date, insert(ro)


_ACTIVE, _END_DATE, _INSERT = _build()
