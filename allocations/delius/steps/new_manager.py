"""Write the new manager and end-date the one it replaces (spec §3.5), with optimistic locking (§3.12)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, update

from allocations.errors import OptimisticLockFailure

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Update
    from sqlalchemy.sql.dml import ReturningInsert

    from allocations.delius.steps.active_manager import ActiveManager
    from allocations.delius.steps.kinds import ManagerKind
    from allocations.delius.steps.unit_of_work import UnitOfWork
    from allocations.delius.steps.validation import Validated


def active_flag(end_date: datetime | None, now: datetime) -> int:
    """1 when the row is open or ends after ``now``, else 0."""
    return 1 if end_date is None or end_date > now else 0


@dataclass(frozen=True)
class NewManager:
    """The manager row just inserted."""

    id: int
    start: datetime
    end_date: datetime | None
    team_id: int
    staff_id: int
    provider_id: int
    reason_description: str


def replace_manager(
    uow: UnitOfWork,
    kind: ManagerKind,
    active: ActiveManager,
    validated: Validated,
    transfer_reason_id: int | None = None,
) -> NewManager:
    """End ``active`` at the validated start and insert the new manager in its place, ending where ``active`` used to.

    When ``active`` is current the new manager becomes current; when it is historic the new row is slotted into
    history. Raises OptimisticLockFailure when ``active`` changed since it was read.
    """
    start, end_date = validated.start, active.end_date
    end_date_row(uow, kind, active.id, active.row_version, start)
    values = {
        kind.parent_column: active.parent_id,
        kind.team_column: validated.team.id,
        kind.staff_column: validated.staff.id,
        "staff_employee_id": validated.staff.id,
        "trust_provider_team_id": validated.team.id,
        "trust_provider_flag": 0,
        "allocation_date": start,
        "end_date": end_date,
        "active_flag": active_flag(end_date, uow.now),
        "probation_area_id": active.provider_id,
        "partition_area_id": active.partition_area_id,
        "allocation_reason_id": validated.reason.id,
        "soft_deleted": 0,
        **uow.new_row_columns(),
    }
    if kind.transfer_reason_code is not None:
        values["transfer_reason_id"] = transfer_reason_id
    new_id = uow.connection.execute(_insert_statement(kind), values).scalar_one()
    return NewManager(
        id=new_id,
        start=start,
        end_date=end_date,
        team_id=validated.team.id,
        staff_id=validated.staff.id,
        provider_id=active.provider_id,
        reason_description=validated.reason.description,
    )


def end_date_row(uow: UnitOfWork, kind: ManagerKind, row_id: int, row_version: int, end_date: datetime) -> None:
    """Set ``end_date`` (and ``active_flag``) on a manager row read at ``row_version``."""
    parameters = {
        "b_id": row_id,
        "b_row_version": row_version,
        "b_end_date": end_date,
        "b_active_flag": active_flag(end_date, uow.now),
        "b_now": uow.now,
        "b_user_id": uow.user_id,
    }
    if uow.connection.execute(_end_date_statement(kind), parameters).rowcount == 0:
        raise OptimisticLockFailure(f"{kind.label} {row_id} was changed by another transaction")


# Built once per kind: building a statement costs more client CPU than executing it.
@cache
def _insert_statement(kind: ManagerKind) -> ReturningInsert[Any]:
    """Insert whichever columns the parameters name, returning the new id (from the table's sequence)."""
    return insert(kind.table).returning(kind.column(kind.id_column))


@cache
def _end_date_statement(kind: ManagerKind) -> Update:
    # Bind names differ from column names: SQLAlchemy reserves those for its own SET parameters.
    values: dict[str, Any] = {
        "end_date": bindparam("b_end_date"),
        "active_flag": bindparam("b_active_flag"),
        "row_version": kind.column("row_version") + 1,
        "last_updated_datetime": bindparam("b_now"),
        "last_updated_user_id": bindparam("b_user_id"),
    }
    return (
        update(kind.table)
        .where(
            kind.column(kind.id_column) == bindparam("b_id"), kind.column("row_version") == bindparam("b_row_version")
        )
        .values(values)
    )
