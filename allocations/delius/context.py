"""The Delius the use cases write to (engine, service user, reference cache), and the shape every use case has."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from allocations.delius.steps.oracle import install_session_identity
from allocations.delius.steps.reference_cache import ReferenceCache
from allocations.workload.details import AllocationDetail

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from allocations.delius.steps.audit import OutcomeRecorder
    from allocations.events import AllocationEvent
    from allocations.outcome import Outcome

D_contra = TypeVar("D_contra", bound=AllocationDetail, contravariant=True)


@dataclass(frozen=True)
class Delius:
    """One Delius database as the service writes to it: as ``username`` (a distinguished name), ids remembered."""

    engine: Engine
    username: str
    references: ReferenceCache = field(default_factory=ReferenceCache, compare=False)

    @classmethod
    def connect(cls, engine: Engine, username: str, references: ReferenceCache | None = None) -> Delius:
        """The Delius behind ``engine``, its sessions identified as ``username`` (Oracle's client identifier).

        ``references`` is a cache to share with an earlier ``Delius`` of the same engine, else a new one.
        """
        install_session_identity(engine, username)
        return cls(engine, username, ReferenceCache() if references is None else references)


class UseCase(Protocol[D_contra]):
    """Write one allocation detail into Delius in one audited transaction and say what happened.

    ``record`` writes the event's outcome inside that transaction. Ignorable conditions are raised as
    IgnorableMessage (after their failure audit row); the entry point turns them into ``Outcome.ignored``.
    """

    def __call__(
        self, delius: Delius, event: AllocationEvent, detail: D_contra, /, *, record: OutcomeRecorder | None = None
    ) -> Outcome:
        """Allocate ``detail``, announced by ``event``."""
        ...
