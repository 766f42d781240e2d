"""The HMPPS domain event types this service handles."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """One member per allocation event Workload publishes."""

    PERSON = "person.community.manager.allocated"
    EVENT = "event.manager.allocated"
    REQUIREMENT = "requirement.manager.allocated"
    LICENCE_CONDITION = "licence-condition.manager.allocated"

    @classmethod
    def parse(cls, value: str) -> EventType | None:
        """The member for ``value``, or None when this service does not handle it."""
        try:
            return cls(value)
        except ValueError:
            return None
