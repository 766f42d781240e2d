"""One Delius transaction per allocation: rolled back unless committed, with work to run after the commit."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from allocations.delius.models import User
from allocations.errors import NotFound

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy import Connection

    from allocations.delius.context import Delius
    from allocations.delius.steps.reference_cache import ReferenceCache
    from allocations.outcome import Outcome

log = logging.getLogger(__name__)

_USER_ID = select(User.user_id).where(User.distinguished_name == bindparam("username"))


class Rehearsal(Protocol):
    """Watches a unit of work that must never commit (a preview): it sees the connection, then the outcome."""

    def opened(self, connection: Connection) -> None:
        """The transaction's connection, before any statement runs on it."""

    def would_commit(self, connection: Connection, outcome: Outcome) -> None:
        """The allocation reached its commit; the transaction is rolled back right after this returns."""


# Set (by ``allocations.delius.preview``) while an allocation is rehearsed: its units of work roll back instead of
# committing, and no audit row is written, not even the failure's.
REHEARSAL: ContextVar[Rehearsal | None] = ContextVar("delius_rehearsal", default=None)


@dataclass
class UnitOfWork:
    """The open transaction on ``delius``, the service user's id and "now" (for flags and who/when columns)."""

    delius: Delius
    connection: Connection
    user_id: int
    now: datetime
    before_commit: list[Callable[[Connection, Outcome], None]] = field(default_factory=list)
    after_commit: list[Callable[[Connection], None]] = field(default_factory=list)
    committed: bool = False

    @property
    def references(self) -> ReferenceCache:
        """Where the Delius's reference ids are remembered."""
        return self.delius.references

    def new_row_columns(self) -> dict[str, Any]:
        """The columns every inserted Delius row starts with: version 0, created and updated now by the service."""
        return {
            "row_version": 0,
            "created_datetime": self.now,
            "last_updated_datetime": self.now,
            "created_by_user_id": self.user_id,
            "last_updated_user_id": self.user_id,
        }

    def commit(self, outcome: Outcome) -> None:
        """Write what must exist exactly when the allocation does (its outcome), commit, then the after-commit work.

        Rehearsed (``REHEARSAL`` set), it hands the outcome to the rehearsal and rolls everything back instead.
        """
        rehearsal = REHEARSAL.get()
        if rehearsal is not None:
            rehearsal.would_commit(self.connection, outcome)
            self.connection.rollback()
            return
        for record in self.before_commit:
            record(self.connection, outcome)
        self.connection.commit()
        self.committed = True
        for work in self.after_commit:
            # The allocation is in; a retry would only find a duplicate, so a failure here is logged, not raised.
            try:
                work(self.connection)
                self.connection.commit()
            except SQLAlchemyError:
                self.connection.rollback()
                log.exception("after-commit work failed")


@contextmanager
def unit_of_work(delius: Delius) -> Iterator[UnitOfWork]:
    """Open a connection and transaction; whatever is not committed is rolled back on exit."""
    with delius.engine.connect() as connection:
        rehearsal = REHEARSAL.get()
        if rehearsal is not None:
            rehearsal.opened(connection)
        try:
            yield UnitOfWork(delius, connection, service_user_id(connection, delius), datetime.now(UTC))
        finally:
            connection.rollback()


def service_user_id(connection: Connection, delius: Delius) -> int:
    """``user_.user_id`` of the Delius's service user, remembered in its reference cache."""

    def look_up() -> int | None:
        found = connection.execute(_USER_ID, {"username": delius.username}).scalar_one_or_none()
        return None if found is None else int(found)

    found = delius.references.remembered(("user", delius.username), look_up)
    if found is None:
        raise NotFound(f"User with username of {delius.username} not found")
    return found
