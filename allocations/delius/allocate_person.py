"""Allocate a person to a community manager, replacing their responsible officer too (spec §3.9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from allocations.delius.allocation_sequence import AllocationKind, Subject, allocate_with
from allocations.delius.models import Offender
from allocations.delius.responsible_officer import replace_responsible_officer
from allocations.delius.steps.contacts import ContactSubject
from allocations.delius.steps.iaps import PERSON_IAPS
from allocations.delius.steps.kinds import PERSON
from allocations.errors import NotFound
from allocations.workload.details import PersonAllocationDetail

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from allocations.delius.context import Delius
    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.events import AllocationEvent
    from allocations.outcome import Outcome


def allocate_person(
    delius: Delius,
    _event: AllocationEvent,
    detail: PersonAllocationDetail,
    /,
    *,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the person allocation of the detail's CRN, audited as ``CABI231``."""
    return allocate_with(PERSON_ALLOCATION, delius, detail.crn, detail, record=record)


_offender = Offender.__table__.c
_LOCK_OFFENDER = (
    select(_offender.offender_id).where(_offender.crn == bindparam("crn", type_=_offender.crn.type)).with_for_update()
)


def lock_person(connection: Connection, crn: str, _detail: PersonAllocationDetail) -> Subject:
    """The person, their row locked so concurrent allocations of them queue (no soft-delete filter)."""
    found = connection.execute(_LOCK_OFFENDER, {"crn": crn}).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Person with crn of {crn} not found")
    ids = {"offenderId": int(found)}
    return Subject(int(found), f"crn {crn}", ContactSubject(int(found)), ids=ids, audited=ids)


PERSON_ALLOCATION = AllocationKind[PersonAllocationDetail](
    manager=PERSON,
    lock=lock_person,
    new_manager_id="offenderManagerId",
    with_new_manager=(replace_responsible_officer,),
    iaps=PERSON_IAPS,
)
