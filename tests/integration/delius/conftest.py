"""Scenario fixtures for the Delius use cases (``engine`` and ``delius`` come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from factories import CREATED, allocate, person_detail, person_event

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.workload.details import AllocationReason


@pytest.fixture
def world(delius):
    """A person managed by Ann Old (Old Team, North East) since START, and John Paul New in New Team."""
    return (delius, *delius.person_moving_teams(new_forename2="Paul"))


@pytest.fixture
def sentenced(world):
    """Event 3 of the person in ``world``: its disposal, a requirement and a licence condition, all managed."""
    delius, case, _, _ = world
    return delius.sentence(case)


@pytest.fixture
def run(engine):
    """Allocate a person through the entry point, as the write task does."""

    def allocate_person(crn, staff_code, team_code, **options):
        created = options.get("created", CREATED)
        reason = options.get("reason", AllocationReason.OFFICER_LEFT)
        detail = person_detail(crn, staff_code, team_code, created, reason)
        return allocate(engine, DEFAULT_DELIUS_USERNAME, person_event(crn), detail)

    return allocate_person
