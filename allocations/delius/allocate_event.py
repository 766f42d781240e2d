"""Allocate an event (order) to a manager, with the SPO's oversight contact (spec §3.10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from allocations.delius import codes
from allocations.delius.models import Event, Offender
from allocations.delius.steps.active_manager import find_active_manager
from allocations.delius.steps.audit import AuditParameters, audited_transaction
from allocations.delius.steps.contacts import ContactAuthor, ContactSubject, insert_contact, insert_transfer_contact
from allocations.delius.steps.duplicate import is_duplicate
from allocations.delius.steps.iaps import event_has_accredited_programme, flag_event
from allocations.delius.steps.kinds import EVENT
from allocations.delius.steps.new_manager import replace_manager
from allocations.delius.steps.notes import london
from allocations.delius.steps.oracle import rebuild_optimisation_tables
from allocations.delius.steps.reference import transfer_reason_id
from allocations.delius.steps.validation import find_staff, validate
from allocations.errors import IgnorableMessage, NotActive, NotFound
from allocations.outcome import Outcome
from allocations.workload.details import AllocationReason

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.delius.steps.new_manager import NewManager
    from allocations.delius.steps.unit_of_work import UnitOfWork
    from allocations.workload.details import EventAllocationDetail

INITIAL_OVERSIGHT = "SPOD03"
REALLOCATION_OVERSIGHT = "SPO"


def allocate_event(
    engine: Engine,
    delius_username: str,
    crn: str,
    detail: EventAllocationDetail,
    *,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the event allocation of the message's ``crn`` in one transaction, audited as ``CABI041``."""
    with audited_transaction(engine, delius_username, EVENT.business_interaction, record) as (uow, audit):
        outcome = _allocate(uow, crn, detail, audit)
        uow.commit(outcome)
    return outcome


def _allocate(uow: UnitOfWork, crn: str, detail: EventAllocationDetail, audit: AuditParameters) -> Outcome:
    connection = uow.connection
    number = str(detail.event_number)
    offender_id, event_id, active_flag = lock_event(connection, crn, number)
    audit["offenderId"] = offender_id
    audit["eventId"] = event_id
    uow.after_commit.append(lambda c: rebuild_optimisation_tables(c, offender_id))
    if active_flag != 1:
        raise NotActive(f"Event with number of {number} not active")

    active = find_active_manager(connection, EVENT, event_id, detail.created_date, f"event {number}")
    if is_duplicate(active, detail):
        return Outcome.duplicate(offenderId=offender_id, eventId=event_id)
    if active.pending_transfer:
        raise IgnorableMessage("Pending transfer exists in Delius", eventNumber=number)
    validated = validate(connection, EVENT, active, detail)
    reason_id = transfer_reason_id(connection, codes.CASE_ORDER)
    spo_staff_id = _spo_staff_id(connection, detail.spo_staff_code)

    new = replace_manager(uow, EVENT, active, validated, reason_id)
    subject = ContactSubject(offender_id, event_id)
    insert_transfer_contact(uow, EVENT, subject, new, active)
    _insert_oversight_contact(uow, subject, new, detail, spo_staff_id)
    if event_has_accredited_programme(connection, event_id):
        flag_event(connection, event_id)
    return Outcome.applied(offenderId=offender_id, eventId=event_id, orderManagerId=new.id)


def lock_event(connection: Connection, crn: str, number: str) -> tuple[int, int, int]:
    """``(offender_id, event_id, active_flag)`` of the person's non-deleted event ``number``, the event row locked."""
    row = connection.execute(
        select(Offender.offender_id, Event.event_id, Event.active_flag)
        .join(Offender, Offender.offender_id == Event.offender_id)
        .where(Offender.crn == crn, Event.event_number == number, Event.soft_deleted == 0)
        # Only the event: person and event allocations of one person arrive together and need not queue.
        .with_for_update(of=Event)
    ).first()
    if row is None:
        raise NotFound(f"Event {number} not found for crn {crn}")
    return int(row[0]), int(row[1]), int(row[2])


def _spo_staff_id(connection: Connection, code: str | None) -> int | None:
    if code is None:
        return None
    staff = find_staff(connection, code)
    if staff is None:
        raise NotFound(f"SPO Staff with code of {code} not found")
    return staff.id


def _insert_oversight_contact(
    uow: UnitOfWork, subject: ContactSubject, new: NewManager, detail: EventAllocationDetail, spo_staff_id: int | None
) -> None:
    """The SPO oversight contact, recorded for the SPO when named, else for the allocated staff."""
    staff_id = new.staff_id if spo_staff_id is None else spo_staff_id
    sensitive = True if detail.sensitive_oversight_notes is None else detail.sensitive_oversight_notes
    insert_contact(
        uow,
        oversight_contact_type(detail.allocation_reason),
        subject,
        ContactAuthor(new.start, new.team_id, staff_id, new.provider_id),
        oversight_notes(detail),
        sensitive=sensitive,
    )


def oversight_contact_type(reason: AllocationReason) -> str:
    """``SPOD03`` for an initial allocation, ``SPO`` for a re-allocation."""
    return INITIAL_OVERSIGHT if reason is AllocationReason.INITIAL_ALLOCATION else REALLOCATION_OVERSIGHT


def oversight_notes(detail: EventAllocationDetail) -> str | None:
    """The SPO contact notes: the oversight notes as given, or for a re-allocation these lines, one per line.

    Read from spec §3.10 step 11 as a list of lines where only a null note is dropped: the oversight notes (when
    not null), an empty line, ``Allocation reason: <ENUM NAME>``, ``Comment added by ... on dd/MM/yyyy at HH:mm``.
    So a null note still leaves the empty line first, and there is no line break after the comment.
    """
    if detail.allocation_reason is AllocationReason.INITIAL_ALLOCATION:
        return detail.spo_oversight_notes
    lines = [] if detail.spo_oversight_notes is None else [detail.spo_oversight_notes]
    lines += [
        "",
        f"Allocation reason: {detail.allocation_reason.value}",
        f"Comment added by Workforce Allocations Service on {london(detail.created_date):%d/%m/%Y at %H:%M}",
    ]
    return "\n".join(lines)
