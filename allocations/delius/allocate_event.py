"""Allocate an event (order) to a manager, with the SPO's oversight contact (spec §3.10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from allocations.delius import codes
from allocations.delius.allocation_sequence import AllocationKind, Subject, allocate_with
from allocations.delius.models import Event, Offender
from allocations.delius.steps.contacts import ContactAuthor, ContactSubject, insert_contact
from allocations.delius.steps.iaps import EVENT_IAPS
from allocations.delius.steps.kinds import EVENT
from allocations.delius.steps.notes import london
from allocations.delius.steps.validation import find_staff
from allocations.errors import NotActive, NotFound
from allocations.workload.details import AllocationReason, EventAllocationDetail

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection

    from allocations.delius.allocation_sequence import Allocation
    from allocations.delius.context import Delius
    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.events import AllocationEvent
    from allocations.outcome import Outcome


def allocate_event(
    delius: Delius,
    event: AllocationEvent,
    detail: EventAllocationDetail,
    /,
    *,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the event allocation of the message's CRN, audited as ``CABI041``."""
    return allocate_with(EVENT_ALLOCATION, delius, event.crn, detail, record=record)


_LOCK_EVENT = (
    select(
        Offender.offender_id.label("offender_id"),
        Event.event_id.label("event_id"),
        Event.active_flag.label("active_flag"),
    )
    .join(Offender, Offender.offender_id == Event.offender_id)
    .where(Offender.crn == bindparam("crn"), Event.event_number == bindparam("number"), Event.soft_deleted == 0)
    # Only the event: person and event allocations of one person arrive together and need not queue. A column, not
    # the table: Oracle renders ``OF <table>`` as an empty ``FOR UPDATE OF`` (PostgreSQL turns a column into its table).
    .with_for_update(of=Event.event_id)
)


def lock_event(connection: Connection, crn: str, detail: EventAllocationDetail) -> Subject:
    """The person's non-deleted event of the detail's number, the event row locked; refused when not active."""
    number = str(detail.event_number)
    row = connection.execute(_LOCK_EVENT, {"crn": crn, "number": number}).first()
    if row is None:
        raise NotFound(f"Event {number} not found for crn {crn}")
    ids = {"offenderId": int(row.offender_id), "eventId": int(row.event_id)}
    return Subject(
        int(row.event_id),
        f"event {number}",
        ContactSubject(int(row.offender_id), int(row.event_id)),
        ids=ids,
        audited=ids,
        refusal=None if row.active_flag == 1 else NotActive(f"Event with number of {number} not active"),
    )


def _event_number(_connection: Connection, _subject: Subject, detail: EventAllocationDetail) -> Mapping[str, str]:
    return {"eventNumber": str(detail.event_number)}


def _insert_oversight_contact(allocation: Allocation[EventAllocationDetail]) -> None:
    """The SPO oversight contact, recorded for the SPO when named, else for the allocated staff."""
    detail, new = allocation.detail, allocation.new
    spo_staff_id = _spo_staff_id(allocation.uow.connection, detail.spo_staff_code)
    staff_id = new.staff_id if spo_staff_id is None else spo_staff_id
    sensitive = True if detail.sensitive_oversight_notes is None else detail.sensitive_oversight_notes
    insert_contact(
        allocation.uow,
        oversight_contact_type(detail.allocation_reason),
        allocation.subject.contact,
        ContactAuthor(new.start, new.team_id, staff_id, new.provider_id),
        oversight_notes(detail),
        sensitive=sensitive,
    )


def _spo_staff_id(connection: Connection, code: str | None) -> int | None:
    if code is None:
        return None
    staff = find_staff(connection, code)
    if staff is None:
        raise NotFound(f"SPO Staff with code of {code} not found")
    return staff.id


EVENT_ALLOCATION = AllocationKind[EventAllocationDetail](
    manager=EVENT,
    lock=lock_event,
    new_manager_id="orderManagerId",
    pending_transfer_properties=_event_number,
    after_transfer_contact=(_insert_oversight_contact,),
    iaps=EVENT_IAPS,
)


def oversight_contact_type(reason: AllocationReason) -> str:
    """``SPOD03`` for an initial allocation, ``SPO`` for a re-allocation."""
    if reason is AllocationReason.INITIAL_ALLOCATION:
        return codes.INITIAL_OVERSIGHT
    return codes.REALLOCATION_OVERSIGHT


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
