"""The load generator and the ledger check, driven in-process through the domain code (no worker, no broker).

A small world is seeded, a planned mix applied with ``allocate`` in plan order (historic ones arrive after later
ones), the ledger rows the worker would write are inserted by hand, and the check holds; then each kind of breakage
is made on purpose and the check names it.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from faults.support import ledger_check
from faults.support.load import APPLIED, DUPLICATE, KINDS, apply, expected_current, plan, seed
from sqlalchemy import delete, func, insert, select, update

from allocations.delius.models import (
    AuditedInteraction,
    BusinessInteraction,
    Contact,
    ContactType,
    ResponsibleOfficer,
)
from allocations.delius.steps.kinds import PERSON, REQUIREMENT
from allocations.event_types import EventType
from allocations.state.models import LedgerRow
from allocations.workload.details import (
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    PersonAllocationDetail,
    RequirementAllocationDetail,
)

LEDGER = LedgerRow.__table__
PEOPLE = 12
COUNT = 48


def record(engine, allocation, state, *, event_id=None, crn=None):
    """The ledger row the worker writes for an event, in ``state``."""
    now = datetime.now(UTC)
    received = allocation.received()
    with engine.begin() as c:
        c.execute(
            insert(LEDGER).values(
                event_id=event_id or allocation.event_id,
                event_type=allocation.event_type.value,
                crn=crn or allocation.crn,
                detail_url=allocation.detail_url(),
                event=received.to_task_arg(),
                state=state,
                properties={},
                attempts=1,
                dispatch_count=1,
                received_at=now,
                started_at=now,
                finished_at=None if state == "pending" else now,
            )
        )


def apply_all(engine, planned):
    """Apply in the given order and record each outcome in the ledger; the outcomes by event id."""
    outcomes = {}
    for allocation in planned:
        outcome = apply(engine, allocation)
        outcomes[allocation.event_id] = outcome.kind.value
        record(engine, allocation, outcome.kind.value)
    return outcomes


@pytest.fixture
def applied(delius, engine):
    rng = random.Random(20261130)
    world = seed(engine, delius, PEOPLE, rng)
    planned = plan(world, COUNT, rng, historic=0.25, twins=0.1)
    outcomes = apply_all(engine, planned)
    return world, planned, outcomes


def test_the_plan_mixes_every_type_with_stable_unique_ids_and_ordered_dates(delius, engine):
    rng = random.Random(1)
    world = seed(engine, delius, PEOPLE, rng)
    planned = plan(world, 200, rng, historic=0.25, twins=0.1)

    assert len(planned) == 200
    assert {p.event_type for p in planned} == set(EventType)
    assert len({p.event_id for p in planned}) == len({p.detail_id for p in planned}) == 200
    parsed = {type(p.parsed_detail()) for p in planned}
    assert parsed == {
        PersonAllocationDetail,
        EventAllocationDetail,
        RequirementAllocationDetail,
        LicenceConditionAllocationDetail,
    }
    received = planned[0].received("http://127.0.0.1:9")
    assert received.event_id == planned[0].event_id
    assert received.payload["detailUrl"].endswith(planned[0].detail_path)
    assert planned[0].detail_path.split("/")[-1] == planned[0].detail["id"]

    seed_start = world.start
    latest = {}
    historic = 0
    for p in planned:
        assert p.created > seed_start
        if p.twin_of is not None:
            twin = next(o for o in planned if o.event_id == p.twin_of)
            assert (twin.created, twin.staff_code, twin.accepted) == (p.created, p.staff_code, {APPLIED, DUPLICATE})
            continue
        if p.historic:
            historic += 1
            assert p.created < latest[p.component], "a historic allocation arrives after a later-dated one"
        else:
            assert p.created > latest.get(p.component, seed_start)
            latest[p.component] = p.created
    assert historic >= 10
    per_component = {}
    for p in planned:
        if p.twin_of is None:
            per_component.setdefault(p.component, []).append(p)
    for allocations in per_component.values():
        seconds = [p.created.replace(microsecond=0) for p in allocations]
        assert len(set(seconds)) == len(seconds), "dates of one component differ to the second"
        assert len({p.staff_code for p in allocations}) == len(allocations), "never the same staff twice"


def test_two_plans_of_one_world_and_two_worlds_never_share_ids(delius, engine):
    rng = random.Random(2)
    first = seed(engine, delius, 4, rng)
    second = seed(engine, delius, 4, random.Random(2))
    ids = [p.event_id for p in plan(first, 20, rng) + plan(first, 20, rng) + plan(second, 20, random.Random(3))]
    assert len(set(ids)) == 60


def test_a_component_out_of_new_staff_is_passed_over_until_all_are(delius, engine):
    rng = random.Random(4)
    world = seed(engine, delius, 4, rng, teams=1, staff_per_team=3)  # two new staff for each of 4 requirements
    only_requirements = {EventType.REQUIREMENT: 1.0}

    planned = plan(world, 8, rng, weights=only_requirements)

    assert sorted(Counter(p.component for p in planned).values()) == [2, 2, 2, 2]
    with pytest.raises(ValueError, match="has had every member of staff"):
        plan(world, 1, rng, weights=only_requirements)


def test_guarantee_holds_after_the_plan_is_applied(applied, engine):
    world, planned, outcomes = applied

    report = ledger_check.check(engine, planned, world=world)

    report.assert_held()
    assert report.summary().startswith("ledger check: HELD; 48 sent, 48 ledger rows")
    applied_count = sum(state == APPLIED for state in outcomes.values())
    twins = sum(p.twin_of is not None for p in planned)
    assert applied_count == COUNT - twins
    assert sum(state == DUPLICATE for state in outcomes.values()) == twins
    assert report.sent == report.ledger_rows == COUNT
    assert report.states == {APPLIED: applied_count, DUPLICATE: twins}
    by_type = {t: sum(1 for p in planned if p.event_type.value == t and outcomes[p.event_id] == APPLIED) for t in KINDS}
    assert report.contacts["ETOM"] == report.contacts["ROC"] == by_type[EventType.PERSON]
    assert report.contacts["ETOS"] == report.contacts["SPO|SPOD03"] == by_type[EventType.EVENT]
    assert report.contacts["ETRC requirement"] == by_type[EventType.REQUIREMENT]
    assert report.contacts["ETRC licence condition"] == by_type[EventType.LICENCE_CONDITION]
    assert report.components["person"] == report.components["responsible officer"] == PEOPLE


def test_any_arrival_order_applies_every_allocation_and_ends_in_the_same_state(delius, engine):
    rng = random.Random(20261130)
    world = seed(engine, delius, PEOPLE, rng)
    planned = plan(world, COUNT, rng, historic=0.25)
    shuffled = list(reversed(planned))

    outcomes = apply_all(engine, shuffled)

    assert set(outcomes.values()) == {APPLIED}
    ledger_check.check(engine, planned, world=world, expected_current=expected_current(world, planned)).assert_held()


def test_builder_path_seeds_the_same_world(delius, engine):
    rng = random.Random(5)
    world = seed(engine, delius, 3, rng, bulk=False)
    planned = plan(world, 12, rng, historic=0.3)

    apply_all(engine, planned)

    ledger_check.check(engine, planned, world=world).assert_held()


def test_plain_ids_and_pairs_are_expectations_too(applied, engine):
    world, planned, outcomes = applied

    ledger_check.check(engine, [p.event_id for p in planned], world=world).assert_held()
    ledger_check.check(engine, outcomes, world=world).assert_held()
    wrong = {**outcomes, planned[0].event_id: "ignored"}
    report = ledger_check.check(engine, wrong, world=world)
    assert report.problems == [f"event {planned[0].event_id} ended applied, expected ignored ()"]


def problems_after(engine, world, planned, **options):
    report = ledger_check.check(engine, planned, world=world, **options)
    assert not report.held
    with pytest.raises(AssertionError) as raised:
        report.assert_held()
    assert all(problem in str(raised.value) for problem in report.problems)
    return report.problems


def test_a_missing_ledger_row_is_caught(applied, engine):
    world, planned, _ = applied
    lost = next(p for p in planned if p.twin_of is None and p.event_type is EventType.EVENT)
    with engine.begin() as c:
        c.execute(delete(LEDGER).where(LEDGER.c.event_id == lost.event_id))

    problems = problems_after(engine, world, planned)

    assert f"no ledger row for sent event {lost.event_id} (event, {lost.crn})" in problems
    # Its Delius writes are now unaccounted for: one ETOS and one SPO contact, one P audit row too many.
    assert any("ETOS contacts written" in p for p in problems)
    assert any("P audit rows for CABI041" in p for p in problems)


def test_a_pending_row_is_caught_whether_sent_or_unknown(applied, engine):
    world, planned, _ = applied
    stuck = planned[3]
    with engine.begin() as c:
        c.execute(update(LEDGER).where(LEDGER.c.event_id == stuck.event_id).values(state="pending", finished_at=None))
    record(engine, planned[5], "pending", event_id="not-sent-by-this-run")

    problems = problems_after(engine, world, planned)

    assert any(p.startswith(f"event {stuck.event_id} still pending") for p in problems)
    assert f"ledger row for unknown event not-sent-by-this-run (crn {planned[5].crn}, pending)" in problems


def current_row(engine, kind, parent_id):
    table = kind.table
    with engine.connect() as c:
        return (
            c.execute(
                select(table).where(
                    table.c[kind.parent_column] == parent_id, table.c.end_date.is_(None), table.c.soft_deleted == 0
                )
            )
            .mappings()
            .one()
        )


def copy_row(engine, kind, row, **changes):
    table = kind.table
    values = {k: v for k, v in row.items() if k != kind.id_column} | changes
    with engine.begin() as c:
        return c.execute(insert(table).values(**values).returning(table.c[kind.id_column])).scalar_one()


def test_a_second_active_manager_inserted_by_hand_is_caught(applied, engine):
    world, planned, _ = applied
    requirement = world.people[0].requirement_id
    row = current_row(engine, REQUIREMENT, requirement)
    copy_row(engine, REQUIREMENT, row, allocation_date=row["allocation_date"] + timedelta(hours=1))

    problems = problems_after(engine, world, planned)

    assert any(p.startswith(f"requirement {requirement} has 2 current rows") for p in problems), problems


def test_a_manager_row_repeated_with_the_same_allocation_date_is_caught(applied, engine):
    world, planned, _ = applied
    person = world.people[1]
    row = current_row(engine, PERSON, person.offender_id)
    with engine.begin() as c:
        c.execute(
            update(PERSON.table)
            .where(PERSON.table.c.offender_manager_id == row["offender_manager_id"])
            .values(end_date=row["allocation_date"] + timedelta(days=1))
        )
    copy_row(engine, PERSON, row)  # same start: a second write of one allocation

    problems = problems_after(engine, world, planned)

    assert f"person {person.offender_id} has 2 rows starting {row['allocation_date'].isoformat()}" in problems


def test_an_extra_contact_is_caught(applied, engine):
    world, planned, _ = applied
    with engine.connect() as c:
        template = dict(
            c.execute(
                select(Contact.__table__)
                .join(ContactType.__table__, ContactType.contact_type_id == Contact.contact_type_id)
                .where(ContactType.code == "ETRC", Contact.lic_condition_id.is_not(None))
                .limit(1)
            )
            .mappings()
            .one()
        )
    del template["contact_id"]
    with engine.begin() as c:
        c.execute(insert(Contact.__table__).values(**template))

    problems = problems_after(engine, world, planned)

    [problem] = problems
    assert problem.endswith("ETRC licence condition contacts written, " + problem.split(", ")[1])
    written, applied_count = int(problem.split()[0]), int(problem.split(", ")[1].split()[0])
    assert written == applied_count + 1


def test_contacts_written_before_the_baseline_are_not_counted(delius, engine):
    rng = random.Random(9)
    before = seed(engine, delius, 4, rng)
    apply_all(engine, plan(before, 8, rng))
    world = seed(engine, delius, 4, rng)  # its baseline is after the first world's contacts and audit rows
    planned = plan(world, 8, rng)
    apply_all(engine, planned)

    ledger_check.check(engine, planned, world=world).assert_held()
    problems = problems_after(engine, None, planned, crns=world.crns)
    assert any("ETOM contacts written" in p for p in problems), problems


def test_a_second_current_responsible_officer_is_caught(applied, engine):
    world, planned, _ = applied
    person = world.people[2]
    now = datetime.now(UTC)
    with engine.begin() as c:
        ro = (
            c.execute(
                select(ResponsibleOfficer.__table__).where(
                    ResponsibleOfficer.offender_id == person.offender_id, ResponsibleOfficer.end_date.is_(None)
                )
            )
            .mappings()
            .one()
        )
        values = {k: v for k, v in ro.items() if k != "responsible_officer_id"}
        c.execute(
            insert(ResponsibleOfficer.__table__).values(
                **values | {"start_date": ro["start_date"] + timedelta(minutes=1), "created_datetime": now}
            )
        )

    problems = problems_after(engine, world, planned)

    assert any(
        p.startswith(f"responsible officer of offender {person.offender_id} has 2 current rows") for p in problems
    ), problems


def test_a_responsible_officer_left_pointing_at_an_old_manager_is_caught(applied, engine):
    world, planned, _ = applied
    person = next(p for p in world.people if any(a.crn == p.crn and a.event_type is EventType.PERSON for a in planned))
    with engine.begin() as c:
        c.execute(
            update(ResponsibleOfficer.__table__)
            .where(ResponsibleOfficer.offender_id == person.offender_id, ResponsibleOfficer.end_date.is_(None))
            .values(offender_manager_id=person.manager_id)
        )

    problems = problems_after(engine, world, planned)

    assert any(f"of offender {person.offender_id} points at manager {person.manager_id}" in p for p in problems)


def test_a_lost_update_shows_as_the_wrong_current_staff(applied, engine):
    world, planned, _ = applied
    moved = next(p for p in planned if p.event_type is EventType.LICENCE_CONDITION and not p.historic)
    parent_id = moved.component[1]
    kind = KINDS[EventType.LICENCE_CONDITION]
    row = current_row(engine, kind, parent_id)
    seed_staff = next(c.staff for c in world.components if c.key == moved.component)
    with engine.begin() as c:
        c.execute(
            update(kind.table)
            .where(kind.table.c[kind.id_column] == row[kind.id_column])
            .values({kind.staff_column: seed_staff.id})
        )

    problems = problems_after(engine, world, planned)

    wanted = expected_current(world, planned)[moved.component]
    assert f"licence condition {parent_id} is managed by {seed_staff.code}, expected {wanted}" in problems


def test_audit_pass_rows_are_compared_only_when_asked_and_fail_rows_never(applied, engine):
    world, planned, _ = applied
    with engine.begin() as c:
        interaction, user = c.execute(
            select(AuditedInteraction.business_interaction_id, AuditedInteraction.user_id).limit(1)
        ).one()
        code = c.execute(
            select(BusinessInteraction.business_interaction_code).where(
                BusinessInteraction.business_interaction_id == interaction
            )
        ).scalar_one()
        later = c.execute(select(func.max(AuditedInteraction.date_time))).scalar_one()
        for n, outcome in enumerate(("F", "F", "P"), start=1):
            c.execute(
                insert(AuditedInteraction.__table__).values(
                    business_interaction_id=interaction,
                    user_id=user,
                    date_time=later + timedelta(seconds=n),
                    outcome=outcome,
                    interaction_parameters="",
                )
            )

    problems = problems_after(engine, world, planned)
    assert len(problems) == 1
    assert f"P audit rows for {code}" in problems[0]
    report = ledger_check.check(engine, planned, world=world, audit=False)
    report.assert_held()
    assert report.audit[code]["F"] == 2
    assert "(not compared)" in report.summary()
