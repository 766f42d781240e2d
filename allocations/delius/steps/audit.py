"""Audit every allocation as a business interaction; failures in a transaction of their own so they are kept (§3.8)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, or_, select

from allocations.delius.codes import AUDIT_FAILED, AUDIT_PASSED
from allocations.delius.models import AuditedInteraction, BusinessInteraction
from allocations.delius.steps.kinds import table
from allocations.delius.steps.unit_of_work import REHEARSAL, UnitOfWork, service_user_id, unit_of_work
from allocations.errors import AlreadyHandled, NotFound

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy import Connection

    from allocations.delius.context import Delius
    from allocations.outcome import Outcome

    OutcomeRecorder = Callable[[Connection, Outcome], None]

log = logging.getLogger(__name__)

MAX_PARAMETERS_LENGTH = 500

_interactions = table(BusinessInteraction).c
_INTERACTION_ID = select(_interactions.business_interaction_id).where(
    _interactions.business_interaction_code == bindparam("code"),
    or_(_interactions.enabled_date.is_(None), _interactions.enabled_date <= bindparam("now")),
)
_INSERT_AUDIT = insert(table(AuditedInteraction))


class AuditParameters:
    """Parameters set as soon as they are known, kept in insertion order."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def __setitem__(self, key: str, value: object) -> None:
        self._values[key] = str(value)

    def render(self) -> str:
        """``key='value'`` pairs joined by ``,``, cut to 500 characters."""
        return render_parameters(self._values)


def render_parameters(values: dict[str, str]) -> str:
    """``key='value'`` pairs joined by ``,`` in insertion order, at most 500 characters."""
    return ",".join(f"{key}='{value}'" for key, value in values.items())[:MAX_PARAMETERS_LENGTH]


@contextmanager
def audited_transaction(
    delius: Delius, interaction_code: str, record: OutcomeRecorder | None = None
) -> Iterator[tuple[UnitOfWork, AuditParameters]]:
    """One audited Delius transaction for one allocation (spec §3.8).

    The ``P`` row and the event's outcome (``record``) are written in the allocation's own transaction, so they
    exist exactly when the allocation does: a process killed at COMMIT leaves all three or none. An ``F`` row is
    written in a transaction of its own after the rollback, then the error is re-raised. An event that another copy
    already finished (``AlreadyHandled``) was not a service call: no row at all.
    """
    parameters = AuditParameters()
    try:
        with unit_of_work(delius) as uow:
            uow.before_commit.append(
                lambda connection, _: insert_audit(
                    connection, delius, interaction_code, AUDIT_PASSED, parameters.render(), at=uow.now
                )
            )
            if record is not None:
                uow.before_commit.append(record)
            yield uow, parameters
    except AlreadyHandled:
        raise
    except BaseException:
        if REHEARSAL.get() is not None:
            raise  # a preview writes nothing, not even the failure's audit row
        try:
            write_audit(delius, interaction_code, AUDIT_FAILED, parameters.render())
        except Exception:
            # The allocation's own error matters more than the audit's: keep it, log this one.
            log.exception("could not write the failure audit row for %s", interaction_code)
        raise


def write_audit(delius: Delius, interaction_code: str, outcome: str, parameters: str) -> None:
    """Insert one ``audited_interaction`` row, committed on a connection of its own."""
    # One INSERT is its own transaction: autocommit spares the BEGIN and COMMIT round trips.
    with delius.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        insert_audit(connection, delius, interaction_code, outcome, parameters, at=datetime.now(UTC))


def insert_audit(  # noqa: PLR0913 - the row's columns
    connection: Connection, delius: Delius, interaction_code: str, outcome: str, parameters: str, *, at: datetime
) -> None:
    """Insert one ``audited_interaction`` row on ``connection``, in whatever transaction it has open."""
    values = {
        "business_interaction_id": business_interaction_id(connection, delius, interaction_code, at),
        "user_id": service_user_id(connection, delius),
        "date_time": at,
        "outcome": outcome,
        "interaction_parameters": parameters,
    }
    connection.execute(_INSERT_AUDIT, values)


def business_interaction_id(connection: Connection, delius: Delius, interaction_code: str, now: datetime) -> int:
    """The interaction enabled at ``now``, remembered once found (an enabled interaction stays enabled)."""

    def load() -> int | None:
        found = connection.execute(_INTERACTION_ID, {"code": interaction_code, "now": now}).scalar()
        return None if found is None else int(found)

    found = delius.references.remembered(("business interaction", interaction_code), load)
    if found is None:
        raise NotFound(f"Business interaction {interaction_code} not found")
    return found
