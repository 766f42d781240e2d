"""What handling one event ended as."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class OutcomeKind(StrEnum):
    """The final states of an event; ``dead-lettered`` is recorded by the dead-letter route."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead-lettered"


@dataclass(frozen=True)
class Outcome:
    """The result of a successful write subtask."""

    kind: OutcomeKind
    reason: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def applied(cls, **properties: Any) -> Outcome:
        """The allocation was written."""
        return cls(OutcomeKind.APPLIED, None, properties)

    @classmethod
    def duplicate(cls, **properties: Any) -> Outcome:
        """The manager active at the allocation date already has this staff and team."""
        return cls(OutcomeKind.DUPLICATE, "Ignoring duplicate allocation request", properties)

    @classmethod
    def ignored(cls, reason: str, **properties: Any) -> Outcome:
        """An ignorable condition finished the event without writing."""
        return cls(OutcomeKind.IGNORED, reason, properties)

    @classmethod
    def dead_lettered(cls, reason: str) -> Outcome:
        """The event failed for good and waits, parked, for an operator."""
        return cls(OutcomeKind.DEAD_LETTERED, reason)
