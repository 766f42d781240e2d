"""The rows a scenario is made of, as the builder returns them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
CREATED = datetime(2025, 6, 4, 13, 5, 9, 118000, tzinfo=UTC)  # 14:05:09 in London (BST)


@dataclass(frozen=True)
class ProviderRow:
    id: int
    code: str
    description: str


@dataclass(frozen=True)
class TeamRow:
    id: int
    code: str
    description: str
    provider: ProviderRow


@dataclass(frozen=True)
class StaffRow:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Case:
    """A person with a current community manager and a responsible officer pointing at it."""

    offender_id: int
    crn: str
    manager_id: int
    ro_id: int
    team: TeamRow
    staff: StaffRow
    start: datetime

    @property
    def provider(self) -> ProviderRow:
        return self.team.provider


@dataclass(frozen=True)
class Sentence:
    """An event of a case with its disposal, one requirement and one licence condition, all managed like the case."""

    event_id: int
    number: str
    disposal_id: int
    requirement_id: int
    condition_id: int
    event_manager_id: int
    requirement_manager_id: int
    condition_manager_id: int
