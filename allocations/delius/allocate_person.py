"""Allocate a person to a community manager (spec §3.9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from allocations.delius.models import Offender
from allocations.delius.responsible_officer import replace_responsible_officer
from allocations.delius.steps.active_manager import find_active_manager
from allocations.delius.steps.audit import AuditParameters, audited_transaction
from allocations.delius.steps.contacts import ContactSubject, insert_transfer_contact
from allocations.delius.steps.duplicate import is_duplicate
from allocations.delius.steps.iaps import flag_offender, person_has_accredited_programme
from allocations.delius.steps.kinds import PERSON
from allocations.delius.steps.new_manager import replace_manager
from allocations.delius.steps.oracle import rebuild_optimisation_tables
from allocations.delius.steps.validation import validate
from allocations.errors import IgnorableMessage, NotFound
from allocations.outcome import Outcome

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.delius.steps.unit_of_work import UnitOfWork
    from allocations.workload.details import PersonAllocationDetail


def allocate_person(
    engine: Engine,
    delius_username: str,
    detail: PersonAllocationDetail,
    *,
    record: OutcomeRecorder | None = None,
) -> Outcome:
    """Write the person allocation in one transaction, audited as ``CABI231``."""
    # The unit of work closes (rolling back unless committed) before the audit row is written.
    with audited_transaction(engine, delius_username, PERSON.business_interaction, record) as (uow, audit):
        outcome = _allocate(uow, detail, audit)
        uow.commit(outcome)
    return outcome


def _allocate(uow: UnitOfWork, detail: PersonAllocationDetail, audit: AuditParameters) -> Outcome:
    connection = uow.connection
    offender_id = lock_offender(connection, detail.crn)
    audit["offenderId"] = offender_id
    uow.after_commit.append(lambda c: rebuild_optimisation_tables(c, offender_id))

    active = find_active_manager(connection, PERSON, offender_id, detail.created_date, f"crn {detail.crn}")
    if is_duplicate(active, detail):
        return Outcome.duplicate(offenderId=offender_id)
    if active.pending_transfer:
        raise IgnorableMessage("Pending transfer exists in Delius")
    validated = validate(connection, PERSON, active, detail)

    new = replace_manager(uow, PERSON, active, validated)
    replace_responsible_officer(uow, detail.crn, active, new, validated)
    insert_transfer_contact(uow, PERSON, ContactSubject(offender_id), new, active)
    if person_has_accredited_programme(connection, offender_id):
        flag_offender(connection, offender_id)
    return Outcome.applied(offenderId=offender_id, offenderManagerId=new.id)


_offender = Offender.__table__.c
_LOCK_OFFENDER = (
    select(_offender.offender_id).where(_offender.crn == bindparam("crn", type_=_offender.crn.type)).with_for_update()
)


def lock_offender(connection: Connection, crn: str) -> int:
    """The person's id, their row locked so concurrent allocations of them queue (no soft-delete filter)."""
    found = connection.execute(_LOCK_OFFENDER, {"crn": crn}).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Person with crn of {crn} not found")
    return int(found)
