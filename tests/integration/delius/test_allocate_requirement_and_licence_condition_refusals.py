"""Requirement and licence-condition allocations that Delius refuses or ignores alike; none of them writes anything."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from components import (
    COMPONENTS,
    LICENCE_CONDITION_COMPONENT,
    REQUIREMENT_COMPONENT,
    TEAM_AND_STAFF_REFUSALS,
    audited_ids,
)
from factories import CREATED, START, apply, audit_rows, contact_rows, read_rows
from sqlalchemy import delete, update

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.database import make_engine
from allocations.delius import codes
from allocations.delius.models import Disposal, Event, StandardReference, TransferReason
from allocations.errors import Conflict, NotActive, NotFound
from allocations.outcome import OutcomeKind
from allocations.workload.details import AllocationReason
from allocations_local.delius_schema import load_reference_data

pytestmark = pytest.mark.parametrize("kind", COMPONENTS, ids=str)

# The reason each kind's refused details give, its code and the refusal when the code is missing.
REASONS = {
    REQUIREMENT_COMPONENT: (AllocationReason.OTHER, "OTH", "RM ALLOCATION REASON with code of OTH not found"),
    LICENCE_CONDITION_COMPONENT: (
        AllocationReason.TRANSFER_IN,
        "TIN",
        "LC ALLOCATION REASONS with code of TIN not found",
    ),
}


def refused_detail(kind, component_id, staff_code="N02NEWA", team_code="N02NEW", **fields):
    reason, _, _ = REASONS[kind]
    return kind.detail(component_id, staff_code, team_code, reason=reason, **fields)


def assert_nothing_written(engine, kind):
    for manager in read_rows(engine, kind.manager):
        assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []


def test_component_of_another_person_is_a_conflict(engine, world, sentenced, kind):
    delius, case, _, _ = world
    _, other_crn = delius.person()
    component_id = kind.id_of(sentenced)

    with pytest.raises(Conflict, match=rf"^{kind.label} {component_id} not for {other_crn}$"):
        apply(engine, other_crn, refused_detail(kind, component_id))

    assert_nothing_written(engine, kind)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced, component_id))]


@pytest.mark.parametrize("number", [2, 4])
def test_component_of_another_event_is_a_conflict(engine, world, sentenced, kind, number):
    _, case, _, _ = world
    component_id = kind.id_of(sentenced)

    with pytest.raises(Conflict, match=rf"^{kind.label} {component_id} not for event {number}$"):
        apply(engine, case.crn, refused_detail(kind, component_id, event_number=number))

    assert_nothing_written(engine, kind)


@pytest.mark.parametrize("inactive", [Disposal, Event])
def test_inactive_sentence_or_event_is_not_active(engine, world, sentenced, kind, inactive):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(inactive).values(active_flag=0))

    with pytest.raises(NotActive, match=r"^Event with number of 3 not active$"):
        apply(engine, case.crn, refused_detail(kind, kind.id_of(sentenced)))

    assert_nothing_written(engine, kind)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced, kind.id_of(sentenced)))]


def test_inactive_component_is_not_active(engine, world, sentenced, kind):
    _, case, _, _ = world
    component_id = kind.id_of(sentenced)
    with engine.begin() as c:
        c.execute(update(kind.model).values(active_flag=0))

    with pytest.raises(NotActive, match=rf"^{kind.label} with id of {component_id} not active$"):
        apply(engine, case.crn, refused_detail(kind, component_id))

    assert_nothing_written(engine, kind)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced, component_id))]


def test_component_without_a_manager_at_the_date_is_not_found(engine, world, sentenced, kind):
    _, case, _, _ = world
    component_id = kind.id_of(sentenced)
    before = START - timedelta(days=1)
    expected = kind.manager_not_found.format(id=component_id, at=before.isoformat())

    with pytest.raises(NotFound, match=f"^{re.escape(expected)}$"):
        apply(engine, case.crn, refused_detail(kind, component_id, created=before))


def test_settled_deleted_or_other_components_transfers_do_not_block(engine, world, sentenced, kind):
    delius, case, _, _ = world
    component_id = kind.id_of(sentenced)
    delius.transfer(kind.manager_kind, component_id, "TR")
    delius.transfer(kind.manager_kind, component_id, soft_deleted=1)
    delius.transfer(kind.manager_kind, kind.build(delius, case, sentenced))

    assert apply(engine, case.crn, refused_detail(kind, component_id)).kind is OutcomeKind.APPLIED


def test_external_transfer_and_ended_team_are_ignorable(engine, world, sentenced, kind):
    delius, case, _, _ = world
    component_id = kind.id_of(sentenced)
    elsewhere = delius.team(delius.provider(code="N07"), code="N07T01")
    ended = datetime(2025, 1, 1, tzinfo=UTC)
    ended_team = delius.team(case.provider, code="N02END", end_date=ended)

    external = apply(engine, case.crn, refused_detail(kind, component_id, delius.staff(elsewhere).code, "N07T01"))
    closed = apply(engine, case.crn, refused_detail(kind, component_id, delius.staff(ended_team).code, "N02END"))

    assert (external.reason, external.properties) == (
        "External transfer not permitted",
        {"fromProvider": "N02", "toProvider": "N07"},
    )
    assert (closed.reason, closed.properties) == (
        "Team is not active",
        {"teamCode": "N02END", "endDate": ended.isoformat()},
    )
    assert_nothing_written(engine, kind)
    assert [outcome for outcome, _ in audit_rows(engine)] == ["F", "F"]


@pytest.mark.parametrize("refusal", TEAM_AND_STAFF_REFUSALS)
def test_team_and_staff_refusals_keep_their_class(engine, world, sentenced, kind, refusal):
    delius, case, team, _ = world
    staff_code, team_code, error, message = refusal
    delius.staff(team, code="N02GONE", end_date=CREATED - timedelta(seconds=1))

    with pytest.raises(error, match=f"^{message}$"):
        apply(engine, case.crn, refused_detail(kind, kind.id_of(sentenced), staff_code, team_code))

    assert_nothing_written(engine, kind)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced, kind.id_of(sentenced)))]


def test_missing_reason_code_is_not_found(engine, world, sentenced, kind):
    delius, case, _, _ = world
    _, code, refusal = REASONS[kind]
    reason_id = delius.reference_id(kind.reasons, code)
    with engine.begin() as c:
        c.execute(delete(StandardReference).where(StandardReference.standard_reference_list_id == reason_id))
    try:
        with pytest.raises(NotFound, match=f"^{refusal}$"):
            apply(engine, case.crn, refused_detail(kind, kind.id_of(sentenced)))
    finally:
        with engine.begin() as c:
            load_reference_data(c, DEFAULT_DELIUS_USERNAME)
    assert_nothing_written(engine, kind)


def test_missing_component_transfer_reason_is_not_found(engine, database_url, world, sentenced, kind):
    _, case, _, _ = world
    with engine.begin() as c:
        c.execute(update(TransferReason).where(TransferReason.code == codes.COMPONENT).values(code="COMPONENT OLD"))
    # A fresh engine: reference ids are remembered per engine, and the shared one may know COMPONENT already.
    fresh = make_engine(database_url, pool_size=1)
    try:
        with pytest.raises(NotFound, match=r"^Transfer Reason with code of COMPONENT not found$"):
            apply(fresh, case.crn, refused_detail(kind, kind.id_of(sentenced)))
    finally:
        fresh.dispose()
        with engine.begin() as c:
            c.execute(update(TransferReason).where(TransferReason.code == "COMPONENT OLD").values(code=codes.COMPONENT))
    assert_nothing_written(engine, kind)
