"""The steps every allocation takes, written once; each use case states only how its kind differs (spec §3.2-§3.12).

Lock the subject → find the manager active at the allocation date → duplicate check → pending transfer (ignorable)
→ validate → replace the manager → the kind's writes that go with the new manager → transfer contact → the kind's
writes after it → IAPS flag. All in one audited transaction (spec §3.8).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from allocations.delius.steps.active_manager import find_active_manager
from allocations.delius.steps.audit import audited_transaction
from allocations.delius.steps.contacts import insert_transfer_contact
from allocations.delius.steps.duplicate import is_duplicate
from allocations.delius.steps.new_manager import replace_manager
from allocations.delius.steps.oracle import rebuild_optimisation_tables
from allocations.delius.steps.reference import transfer_reason_id
from allocations.delius.steps.validation import validate
from allocations.errors import IgnorableMessage
from allocations.outcome import Outcome
from allocations.workload.details import AllocationDetail

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection

    from allocations.delius.context import Delius
    from allocations.delius.steps.active_manager import ActiveManager
    from allocations.delius.steps.audit import AuditParameters, OutcomeRecorder
    from allocations.delius.steps.contacts import ContactSubject
    from allocations.delius.steps.iaps import IapsFlag
    from allocations.delius.steps.kinds import ManagerKind
    from allocations.delius.steps.new_manager import NewManager
    from allocations.delius.steps.unit_of_work import UnitOfWork
    from allocations.delius.steps.validation import Validated
    from allocations.errors import AllocationError

D = TypeVar("D", bound=AllocationDetail)


@dataclass(frozen=True)
class Subject:
    """The locked row being allocated (person, event, requirement or licence condition), as the steps need it."""

    id: int
    """The id its manager rows hang off (``ManagerKind.parent``)."""
    described_as: str
    """How a "manager not found" error names it: ``crn X123456``, ``event 3``, ``requirement 7``."""
    contact: ContactSubject
    ids: Mapping[str, int]
    """The ids the outcome reports, in order (``offenderId``, ``eventId`` …)."""
    audited: Mapping[str, int]
    """The ids the audit row records, in order (set before any check can fail)."""
    refusal: AllocationError | None = None
    """Why it cannot be allocated (inactive, another person's), raised once it is in the audit parameters."""

    @property
    def offender_id(self) -> int:
        """The person it belongs to."""
        return self.contact.offender_id


@dataclass(frozen=True)
class Allocation(Generic[D]):
    """An allocation once its new manager is written: what the kind's extra writes work from."""

    uow: UnitOfWork
    subject: Subject
    detail: D
    old: ActiveManager
    new: NewManager
    validated: Validated


Write = Callable[[Allocation[D]], None]


def _no_properties(_connection: Connection, _subject: Subject, _detail: AllocationDetail) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class AllocationKind(Generic[D]):
    """What one kind of allocation states: its manager table, how to lock its subject, and its extra writes."""

    manager: ManagerKind
    lock: Callable[[Connection, str, D], Subject]
    """Find and lock the subject of the message's CRN and the detail; raise when there is none."""
    new_manager_id: str
    """The outcome property naming the new manager's id."""
    pending_transfer_properties: Callable[[Connection, Subject, D], Mapping[str, str]] = _no_properties
    with_new_manager: tuple[Write[D], ...] = ()
    """Writes that go with the new manager, before its transfer contact."""
    after_transfer_contact: tuple[Write[D], ...] = ()
    iaps: IapsFlag | None = None


def allocate_with(
    kind: AllocationKind[D], delius: Delius, crn: str, detail: D, *, record: OutcomeRecorder | None
) -> Outcome:
    """Write the allocation in one transaction, audited as the kind's business interaction."""
    # The unit of work closes (rolling back unless committed) before a failure's audit row is written.
    with audited_transaction(delius, kind.manager.business_interaction, record) as (uow, audit):
        outcome = _allocate(uow, kind, crn, detail, audit)
        uow.commit(outcome)
    return outcome


def _allocate(uow: UnitOfWork, kind: AllocationKind[D], crn: str, detail: D, audit: AuditParameters) -> Outcome:
    connection, manager = uow.connection, kind.manager
    subject = kind.lock(connection, crn, detail)
    for name, value in subject.audited.items():
        audit[name] = value
    uow.after_commit.append(lambda c: rebuild_optimisation_tables(c, subject.offender_id))
    if subject.refusal is not None:
        raise subject.refusal

    old = find_active_manager(connection, manager, subject.id, detail.created_date, subject.described_as)
    if is_duplicate(old, detail):
        return Outcome.duplicate(**subject.ids)
    if old.pending_transfer:
        properties = kind.pending_transfer_properties(connection, subject, detail)
        raise IgnorableMessage("Pending transfer exists in Delius", **properties)
    validated = validate(connection, manager, old, detail)
    reason_id = None
    if manager.transfer_reason_code is not None:
        reason_id = transfer_reason_id(connection, manager.transfer_reason_code, uow.references)

    new = replace_manager(uow, manager, old, validated, reason_id)
    allocation = Allocation(uow, subject, detail, old, new, validated)
    for write in kind.with_new_manager:
        write(allocation)
    insert_transfer_contact(uow, manager, subject.contact, new, old)
    for write in kind.after_transfer_contact:
        write(allocation)
    if kind.iaps is not None:
        kind.iaps.flag_if_accredited(connection, subject.id)
    return Outcome.applied(**subject.ids, **{kind.new_manager_id: new.id})
