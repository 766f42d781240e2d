"""The three ways handling an allocation can fail, and the domain's named failures under them.

The tasks map each class to one behaviour, in one place: ignorable finishes the event, invalid dead-letters it at
once, transient retries it with backoff and dead-letters it when the retry budget is spent.
"""

from __future__ import annotations

from typing import Any


class AllocationError(Exception):
    """Base of every failure the domain raises on purpose."""

    def __init__(self, message: str, **properties: Any) -> None:
        super().__init__(message)
        self.message = message
        self.properties: dict[str, Any] = properties

    @property
    def kind(self) -> str:
        """The error class name operators see (``NotFound``, ``Conflict`` ...)."""
        return type(self).__name__


class IgnorableMessage(AllocationError):
    """Nothing to write, by design (pending transfer, external transfer, team ended, component gone)."""


class InvalidMessage(AllocationError):
    """The message or its detail can never be processed: retrying cannot help."""


class TransientFailure(AllocationError):
    """May succeed later: Delius data arrives or is fixed, Workload recovers, a lock is released."""


class NotFound(TransientFailure):
    """A Delius row the allocation needs does not exist (yet)."""


class NotActive(TransientFailure):
    """A Delius row exists but is not active at the allocation date."""


class Conflict(TransientFailure):
    """The allocation contradicts Delius (same-instant manager, CRN or event mismatch)."""


class StaffNotInTeam(TransientFailure):
    """The staff member is not (yet) a member of the team."""


class OptimisticLockFailure(TransientFailure):
    """A row changed under us (``row_version`` moved); the whole transaction is retried."""


class WorkloadUnavailable(TransientFailure):
    """Workload or HMPPS Auth did not answer usefully this time (5xx, 404, 408, 429, timeouts)."""


class AlreadyHandled(Exception):
    """The event already has its final outcome (another copy of it finished first): nothing to do, nothing written."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"Event {event_id} already has its final outcome")
        self.event_id = event_id


class AttemptsLost(AllocationError):
    """The event's last attempts never ended: each killed the process running it. Dead-lettered, not retried."""
