"""Scenario fixtures for the Delius use cases (``engine`` and ``delius`` come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from factories import CREATED, START, allocate, person_detail, person_event

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.workload.details import AllocationReason


@pytest.fixture
def world(delius):
    """A person managed by Ann Old (Old Team, North East) since START, and John Paul New in New Team."""
    provider = delius.provider(code="N02", description="North East")
    old_team = delius.team(provider, code="N02OLD", description="Old Team")
    new_team = delius.team(provider, code="N02NEW", description="New Team")
    old_staff = delius.staff(old_team, code="N02OLDA", forename="Ann", surname="Old")
    new_staff = delius.staff(new_team, code="N02NEWA", forename="John", forename2="Paul", surname="New")
    case = delius.case(old_team, old_staff, START)
    return delius, case, new_team, new_staff


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
