"""What an applied allocation wrote in Delius, read back (read-only) from the ids its outcome recorded.

The outcome's properties name the new manager row (``offenderManagerId``, ``orderManagerId``,
``requirementManagerId``, ``licenceConditionManagerId``) and its subject (``offenderId``, ``eventId`` …). Every row one
allocation inserts carries the same ``created_datetime`` and ``created_by_user_id`` (its unit of work's "now" and the
service user), so its contacts are the subject's contacts created at the manager row's instant by the same user:
exactly the rows of that transaction, for allocations applied before this module existed too. No statement here
writes or locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select

from allocations.delius.models import (
    Contact,
    ContactType,
    Disposal,
    Event,
    LicenceCondition,
    Offender,
    Requirement,
    ResponsibleOfficer,
    Staff,
    Team,
)
from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT, ManagerKind, table

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date, datetime

    from sqlalchemy import ColumnElement, Connection

# The outcome property naming the new manager row, and the kind of row it names.
MANAGER_PROPERTIES: dict[str, ManagerKind] = {
    "offenderManagerId": PERSON,
    "orderManagerId": EVENT,
    "requirementManagerId": REQUIREMENT,
    "licenceConditionManagerId": LICENCE_CONDITION,
}
# The outcome property naming each of a contact's subject columns.
_CONTACT_SUBJECT = {"event_id": "eventId", "rqmnt_id": "requirementId", "lic_condition_id": "licenceConditionId"}
_contact, _staff, _team = table(Contact).c, table(Staff).c, table(Team).c


@dataclass(frozen=True)
class WrittenManager:
    """The manager row the allocation inserted, with its staff and team."""

    kind: str
    id: int
    staff_code: str
    staff_name: str
    team_code: str
    team_description: str
    allocation_date: datetime
    end_date: datetime | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class WrittenContact:
    """A case-history contact the allocation inserted."""

    id: int
    type_code: str
    type_description: str | None
    contact_date: date
    staff_code: str
    team_code: str
    sensitive: bool
    notes: str | None


@dataclass(frozen=True)
class Written:
    """What one applied allocation wrote: its manager row, contacts and (a person's) responsible officer row."""

    manager: WrittenManager
    contacts: list[WrittenContact]
    responsible_officer_id: int | None = None


@dataclass(frozen=True)
class StaffManagerRow:
    """A manager row of a staff member that the service user created: which outcome property would name it."""

    crn: str
    manager_property: str
    manager_id: int


def manager_reference(properties: Mapping[str, Any]) -> tuple[str, ManagerKind, int] | None:
    """The outcome's manager property, its kind and the row id; None when it names no manager row."""
    for name, kind in MANAGER_PROPERTIES.items():
        value = properties.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return name, kind, value
    return None


def written_by(connection: Connection, properties: Mapping[str, Any]) -> Written | None:
    """What the allocation whose outcome has ``properties`` wrote; None when it names no row still in Delius."""
    reference = manager_reference(properties)
    if reference is None:
        return None
    _, kind, manager_id = reference
    manager = _manager(connection, kind, manager_id)
    if manager is None:
        return None
    row, written = manager
    subject: list[ColumnElement[bool]] = [_contact.offender_id == properties.get("offenderId")]
    for column, name in _CONTACT_SUBJECT.items():
        value = properties.get(name)
        subject.append(_contact[column].is_(None) if value is None else _contact[column] == value)
    contacts = connection.execute(
        select(
            _contact.contact_id,
            _contact.contact_date,
            _contact.sensitive,
            _contact.notes,
            ContactType.code,
            ContactType.description,
            _staff.officer_code,
            _team.code.label("team"),
        )
        .select_from(table(Contact))
        .join(ContactType, ContactType.contact_type_id == _contact.contact_type_id)
        .join(Staff, _staff.staff_id == _contact.staff_id)
        .join(Team, _team.team_id == _contact.team_id)
        .where(
            and_(*subject),
            _contact.created_datetime == row.created_datetime,
            _contact.created_by_user_id == row.created_by_user_id,
        )
        .order_by(_contact.contact_id)
    )
    found = [
        WrittenContact(
            c.contact_id, c.code, c.description, c.contact_date, c.officer_code, c.team, c.sensitive == "Y", c.notes
        )
        for c in contacts
    ]
    officer = None
    if kind is PERSON:
        officer = connection.execute(
            select(ResponsibleOfficer.responsible_officer_id).where(
                ResponsibleOfficer.offender_manager_id == manager_id
            )
        ).scalar()
    return Written(written, found, officer)


def _manager(connection: Connection, kind: ManagerKind, manager_id: int) -> tuple[Any, WrittenManager] | None:
    row = connection.execute(
        select(
            kind.column("allocation_date"),
            kind.column("end_date"),
            kind.column("active_flag"),
            kind.column("created_datetime"),
            kind.column("created_by_user_id"),
            _staff.officer_code,
            _staff.forename,
            _staff.surname,
            _team.code.label("team_code"),
            _team.description.label("team_description"),
        )
        .join(Staff, _staff.staff_id == kind.staff)
        .join(Team, _team.team_id == kind.team)
        .where(kind.id == manager_id)
    ).first()
    if row is None:
        return None
    manager = WrittenManager(
        kind.label,
        manager_id,
        row.officer_code,
        f"{row.forename} {row.surname}",
        row.team_code,
        row.team_description,
        row.allocation_date,
        row.end_date,
        row.active_flag == 1,
        row.created_datetime,
    )
    return row, manager


def staff_manager_rows(
    connection: Connection, staff_code: str, user_id: int, limit: int = 200
) -> list[StaffManagerRow]:
    """The newest manager rows of the staff member ``staff_code`` created by ``user_id`` (the service), every kind."""
    found: list[StaffManagerRow] = []
    for name, kind in MANAGER_PROPERTIES.items():
        offender = _offender_of(kind)
        rows = connection.execute(
            select(Offender.crn, kind.id.label("manager_id"))
            .select_from(kind.table)
            .join(Staff, _staff.staff_id == kind.staff)
            .join(Offender, Offender.offender_id == offender)
            .where(_staff.officer_code == staff_code, kind.column("created_by_user_id") == user_id)
            .order_by(kind.column("created_datetime").desc())
            .limit(limit)
        )
        found += [StaffManagerRow(row.crn, name, int(row.manager_id)) for row in rows]
    return found


def _offender_of(kind: ManagerKind) -> ColumnElement[Any]:
    """The offender id a manager row belongs to (a correlated look-up for the component kinds)."""
    if kind is PERSON:
        return kind.parent
    if kind is EVENT:
        return select(Event.offender_id).where(Event.event_id == kind.parent).scalar_subquery()
    if kind is REQUIREMENT:
        return select(Requirement.offender_id).where(Requirement.rqmnt_id == kind.parent).scalar_subquery()
    return (
        select(Event.offender_id)
        .join(Disposal, Disposal.event_id == Event.event_id)
        .join(LicenceCondition, LicenceCondition.disposal_id == Disposal.disposal_id)
        .where(LicenceCondition.lic_condition_id == kind.parent)
        .scalar_subquery()
    )
