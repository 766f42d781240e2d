"""The local demo's Delius world loads once, and its people can be allocated."""

from __future__ import annotations

from datetime import UTC, datetime

from factories import allocate, person_detail, person_event
from sqlalchemy import func, select

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.delius.models import OffenderManager, OrderManager, RequirementManager, metadata
from allocations.outcome import OutcomeKind
from allocations_local.demo_data import load_demo_data


def counts(engine):
    with engine.connect() as c:
        return {n: c.execute(select(func.count()).select_from(t)).scalar_one() for n, t in metadata.tables.items()}


def test_demo_data_is_idempotent_and_describes_what_it_loaded(engine, delius):
    first = load_demo_data(engine)
    before = counts(engine)

    again = load_demo_data(engine)

    assert again == first
    assert counts(engine) == before
    assert len(first.crns) == 4
    assert before[OffenderManager.__tablename__] == 4
    assert before[OrderManager.__tablename__] == 1
    assert before[RequirementManager.__tablename__] == len(first.requirement_ids) == 2
    assert len(first.licence_condition_ids) == 1


def test_demo_person_can_be_allocated(engine, delius):
    demo = load_demo_data(engine)
    crn = demo.crns[1]
    detail = person_detail(crn, "N02T01A", "N02T01", datetime(2025, 3, 4, 14, 5, 9, tzinfo=UTC))

    outcome = allocate(engine, DEFAULT_DELIUS_USERNAME, person_event(crn), detail)

    assert outcome.kind is OutcomeKind.APPLIED
