"""Case-history contacts: a generic insert and the transfer contact every allocation writes (spec §3.6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert

from allocations.delius import codes
from allocations.delius.models import Contact
from allocations.delius.steps.kinds import table
from allocations.delius.steps.notes import london, transfer_notes
from allocations.delius.steps.reference import contact_type

if TYPE_CHECKING:
    from datetime import datetime

    from allocations.delius.steps.active_manager import ActiveManager
    from allocations.delius.steps.kinds import ManagerKind
    from allocations.delius.steps.new_manager import NewManager
    from allocations.delius.steps.unit_of_work import UnitOfWork


_INSERT = insert(table(Contact)).returning(table(Contact).c.contact_id)


@dataclass(frozen=True)
class ContactSubject:
    """What a contact is about: always a person, possibly one of their events, requirements or conditions."""

    offender_id: int
    event_id: int | None = None
    rqmnt_id: int | None = None
    lic_condition_id: int | None = None


@dataclass(frozen=True)
class ContactAuthor:
    """Who the contact is recorded for, and when."""

    at: datetime
    team_id: int
    staff_id: int
    provider_id: int


def insert_contact(  # noqa: PLR0913 - type, subject, author and text are independent facts
    uow: UnitOfWork,
    type_code: str,
    subject: ContactSubject,
    author: ContactAuthor,
    notes: str | None,
    *,
    sensitive: bool | None = None,
) -> int:
    """Insert a contact of ``type_code``; ``sensitive`` None means the contact type's own flag."""
    kind = contact_type(uow.connection, type_code, uow.references)
    is_sensitive = kind.sensitive if sensitive is None else sensitive
    values = {
        "offender_id": subject.offender_id,
        "event_id": subject.event_id,
        "rqmnt_id": subject.rqmnt_id,
        "lic_condition_id": subject.lic_condition_id,
        "contact_type_id": kind.id,
        "notes": notes,
        "contact_date": london(author.at).date(),
        "contact_start_time": author.at,
        "staff_id": author.staff_id,
        "staff_employee_id": author.staff_id,
        "team_id": author.team_id,
        "probation_area_id": author.provider_id,
        "sensitive": codes.yes_no(is_sensitive),
        "trust_provider_team_id": author.team_id,
        "trust_provider_flag": 0,
        "partition_area_id": 0,
        "soft_deleted": 0,
        **uow.new_row_columns(),
    }
    return int(uow.connection.execute(_INSERT, values).scalar_one())


def insert_transfer_contact(
    uow: UnitOfWork, kind: ManagerKind, subject: ContactSubject, new: NewManager, old: ActiveManager
) -> int:
    """The ETOM/ETOS/ETRC contact recording the move from ``old`` to ``new`` (same provider)."""
    return insert_contact(
        uow,
        kind.transfer_contact_type,
        subject,
        ContactAuthor(new.start, new.team_id, new.staff_id, new.provider_id),
        transfer_notes(new.start, old.provider_description, old.team_description, old.staff_name),
    )
