"""Event allocations that Delius refuses, ignores or cannot find data for; none of them writes anything."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from components import TEAM_AND_STAFF_REFUSALS
from factories import CREATED, START, apply, audit_rows, contact_rows, detail_of, read_rows
from sqlalchemy import delete, update

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.database import make_engine
from allocations.delius import codes
from allocations.delius.models import Event, OrderManager, StandardReference, TransferReason
from allocations.delius.steps.kinds import EVENT
from allocations.errors import NotActive, NotFound
from allocations.outcome import OutcomeKind
from allocations.workload.details import AllocationReason, EventAllocationDetail
from allocations_local.delius_schema import load_reference_data


def event_detail(staff_code, team_code, created=CREATED, reason=AllocationReason.OFFICER_LEFT, **fields):
    return detail_of(EventAllocationDetail, staff_code, team_code, created, reason, **fields)


def assert_nothing_written(engine):
    for manager in read_rows(engine, OrderManager):
        assert (manager["end_date"], manager["row_version"]) == (None, 0)
    assert contact_rows(engine) == []


def audited_ids(case, sentenced):
    return f"offenderId='{case.offender_id}',eventId='{sentenced.event_id}'"


@pytest.mark.parametrize(("crn", "number"), [("Z999999", 3), (None, 4)])
def test_event_not_of_the_message_crn_is_not_found(engine, world, sentenced, crn, number):
    _, case, team, staff = world
    crn = crn or case.crn

    with pytest.raises(NotFound, match=rf"^Event {number} not found for crn {crn}$"):
        apply(engine, crn, event_detail(staff.code, team.code, event_number=number))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", "")]


def test_soft_deleted_event_is_not_found(engine, world, sentenced):
    _, case, team, staff = world
    with engine.begin() as c:
        c.execute(update(Event).values(soft_deleted=1))

    with pytest.raises(NotFound, match=rf"^Event 3 not found for crn {case.crn}$"):
        apply(engine, case.crn, event_detail(staff.code, team.code))


def test_inactive_event_is_not_active(engine, world, sentenced):
    _, case, team, staff = world
    with engine.begin() as c:
        c.execute(update(Event).values(active_flag=0))

    with pytest.raises(NotActive, match=r"^Event with number of 3 not active$"):
        apply(engine, case.crn, event_detail(staff.code, team.code))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_event_without_an_order_manager_at_the_date_is_not_found(engine, world, sentenced):
    _, case, team, staff = world
    before = START - timedelta(days=1)
    expected = f"Order Manager for event 3 at {before.isoformat()} not found"

    with pytest.raises(NotFound, match=f"^{re.escape(expected)}$"):
        apply(engine, case.crn, event_detail(staff.code, team.code, before))


def test_soft_deleted_order_manager_is_not_the_active_manager(engine, world, sentenced):
    _, case, team, staff = world
    with engine.begin() as c:
        c.execute(update(OrderManager).values(soft_deleted=1))

    with pytest.raises(NotFound, match=r"^Order Manager for event 3 at "):
        apply(engine, case.crn, event_detail(staff.code, team.code))


def test_pending_transfer_is_ignorable_with_the_event_number(engine, world, sentenced):
    delius, case, team, staff = world
    delius.transfer(EVENT, sentenced.event_id)

    outcome = apply(engine, case.crn, event_detail(staff.code, team.code))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Pending transfer exists in Delius",
        {"eventNumber": "3"},
    )
    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_settled_deleted_or_other_events_transfers_do_not_block(engine, world, sentenced):
    delius, case, team, staff = world
    delius.transfer(EVENT, sentenced.event_id, "TA")
    delius.transfer(EVENT, sentenced.event_id, soft_deleted=1)
    delius.transfer(EVENT, delius.sentence(case, "4").event_id)

    assert apply(engine, case.crn, event_detail(staff.code, team.code)).kind is OutcomeKind.APPLIED


def test_team_of_another_provider_is_an_ignorable_external_transfer(engine, world, sentenced):
    delius, case, _, _ = world
    elsewhere = delius.team(delius.provider(code="N07"), code="N07T01")
    other_staff = delius.staff(elsewhere)

    outcome = apply(engine, case.crn, event_detail(other_staff.code, elsewhere.code))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "External transfer not permitted",
        {"fromProvider": "N02", "toProvider": "N07"},
    )
    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_ended_team_is_ignorable(engine, world, sentenced):
    delius, case, _, _ = world
    ended = datetime(2025, 1, 1, tzinfo=UTC)
    team = delius.team(case.provider, code="N02END", end_date=ended)

    outcome = apply(engine, case.crn, event_detail(delius.staff(team).code, team.code))

    assert (outcome.kind, outcome.reason, outcome.properties) == (
        OutcomeKind.IGNORED,
        "Team is not active",
        {"teamCode": "N02END", "endDate": ended.isoformat()},
    )
    assert_nothing_written(engine)


@pytest.mark.parametrize("refusal", TEAM_AND_STAFF_REFUSALS)
def test_team_and_staff_refusals_keep_their_class(engine, world, sentenced, refusal):
    delius, case, team, _ = world
    staff_code, team_code, error, message = refusal
    delius.staff(team, code="N02GONE", end_date=CREATED - timedelta(seconds=1))

    with pytest.raises(error, match=f"^{message}$"):
        apply(engine, case.crn, event_detail(staff_code, team_code))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]


def test_missing_order_allocation_reason_is_not_found(engine, world, sentenced):
    delius, case, team, staff = world
    oa01 = delius.reference_id(codes.EVENT_REASONS, "OA01")
    with engine.begin() as c:
        c.execute(delete(StandardReference).where(StandardReference.standard_reference_list_id == oa01))
    try:
        with pytest.raises(NotFound, match=r"^ORDER ALLOCATION REASON with code of OA01 not found$"):
            apply(engine, case.crn, event_detail(staff.code, team.code, reason=AllocationReason.CHANGE_OF_ADDRESS))
    finally:
        with engine.begin() as c:
            load_reference_data(c, DEFAULT_DELIUS_USERNAME)
    assert_nothing_written(engine)


def test_missing_case_order_transfer_reason_is_not_found(engine, database_url, world, sentenced):
    _, case, team, staff = world
    renamed = update(TransferReason).where(TransferReason.code == codes.CASE_ORDER).values(code="CASE ORDER OLD")
    with engine.begin() as c:
        c.execute(renamed)
    # A fresh engine: reference ids are remembered per engine, and the shared one may know CASE ORDER already.
    fresh = make_engine(database_url, pool_size=1)
    try:
        with pytest.raises(NotFound, match=r"^Transfer Reason with code of CASE ORDER not found$"):
            apply(fresh, case.crn, event_detail(staff.code, team.code))
    finally:
        fresh.dispose()
        with engine.begin() as c:
            c.execute(
                update(TransferReason).where(TransferReason.code == "CASE ORDER OLD").values(code=codes.CASE_ORDER)
            )
    assert_nothing_written(engine)


def test_unknown_spo_staff_is_not_found(engine, world, sentenced):
    _, case, team, staff = world

    with pytest.raises(NotFound, match=r"^SPO Staff with code of N02NOPE not found$"):
        apply(engine, case.crn, event_detail(staff.code, team.code, spo_staff_code="N02NOPE"))

    assert_nothing_written(engine)
    assert audit_rows(engine) == [("F", audited_ids(case, sentenced))]
