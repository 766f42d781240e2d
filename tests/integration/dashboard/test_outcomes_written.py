"""The Outcomes page's "what it wrote": each kind of applied allocation read back from real Delius rows."""

from dataclasses import dataclass

import pytest
from factories import START, apply, detail_of, person_detail

from allocations.delius.context import Delius
from allocations.events import ReceivedEvent
from allocations.state.ledger import Attempt
from allocations.state.operator_view import OperatorView
from allocations.workload.details import (
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    RequirementAllocationDetail,
)
from tasks import understand
from tasks.operations import Operations

STAFF = "N02NEWA"


@dataclass
class Previews:
    delius: Delius
    fetch_detail: object = None


@pytest.fixture
def world(delius):
    provider = delius.provider(code="N02", description="North East")
    old_team = delius.team(provider, code="N02OLD", description="Old Team")
    new_team = delius.team(provider, code="N02NEW", description="New Team")
    old_staff = delius.staff(old_team, code="N02OLDA", forename="Ann", surname="Old")
    delius.staff(new_team, code=STAFF, forename="John", forename2="Paul", surname="New")
    case = delius.case(old_team, old_staff, START)
    return case, delius.sentence(case)


@pytest.fixture
def operations(store, engine):
    return Operations(
        OperatorView(store.engine, lease=store.lease),
        lambda _: "t",
        None,
        Previews(Delius.connect(engine, "HMPPSAllocations")),
    )


def record(store, event_id, crn, outcome):
    event = ReceivedEvent(event_id, "event.manager.allocated", {"eventType": "x", "detailUrl": "http://127.0.0.1:9/d"})
    store.receive(event)
    store.record_outcome(Attempt(event, 1, f"task-{event_id}", None), outcome)
    with store.engine.begin() as c:  # the ledger shows the CRN the validated event named
        c.exec_driver_sql("UPDATE workforce_allocations.event_ledger SET crn = %s WHERE event_id = %s", (crn, event_id))


def details(case, sentence):
    return {
        "person": (
            person_detail(case.crn, STAFF, "N02NEW", START.replace(year=2025), AllocationReason.OFFICER_LEFT),
            ["ETOM", "ROC"],
        ),
        "event": (detail_of(EventAllocationDetail, STAFF, "N02NEW"), ["ETOS", "SPOD03"]),
        "requirement": (
            detail_of(RequirementAllocationDetail, STAFF, "N02NEW", requirement_id=sentence.requirement_id),
            ["ETRC"],
        ),
        "licence": (
            detail_of(LicenceConditionAllocationDetail, STAFF, "N02NEW", licence_condition_id=sentence.condition_id),
            ["ETRC"],
        ),
    }


@pytest.mark.parametrize("kind", ["person", "event", "requirement", "licence"])
def test_an_applied_allocation_shows_its_manager_row_staff_team_and_the_contacts_it_inserted(
    engine, world, store, operations, kind
):
    case, sentence = world
    detail, contact_types = details(case, sentence)[kind]
    outcome = apply(engine, case.crn, detail)
    assert outcome.kind.value == "applied"
    record(store, f"e-{kind}", case.crn, outcome)

    (found,) = understand.look_up(operations, f"e-{kind}")

    written = found.written
    assert (written.manager.staff_code, written.manager.staff_name) == (STAFF, "John New")
    assert (written.manager.team_code, written.manager.team_description) == ("N02NEW", "New Team")
    assert written.manager.active
    assert written.manager.id == next(v for k, v in outcome.properties.items() if k.endswith("ManagerId"))
    assert sorted(c.type_code for c in written.contacts) == sorted(contact_types)
    assert all(c.staff_code in {STAFF, "N02OLDA"} for c in written.contacts)
    assert (written.responsible_officer_id is not None) == (kind == "person")


def test_contacts_of_another_allocation_of_the_same_person_are_not_claimed(engine, world, store, operations):
    case, sentence = world
    every = details(case, sentence)
    for kind in ("person", "event", "requirement"):
        record(store, f"e-{kind}", case.crn, apply(engine, case.crn, every[kind][0]))

    by_crn = {item.outcome.event_id: item.written for item in understand.look_up(operations, case.crn)}

    ids = [c.id for w in by_crn.values() for c in w.contacts]
    assert len(ids) == len(set(ids)) == 5  # ETOM+ROC, ETOS+SPO, ETRC: each contact named by one allocation only
    assert {c.type_code for c in by_crn["e-requirement"].contacts} == {"ETRC"}


def test_a_staff_code_finds_the_allocations_whose_manager_row_is_theirs(engine, world, store, operations):
    case, sentence = world
    every = details(case, sentence)
    record(store, "e-person", case.crn, apply(engine, case.crn, every["person"][0]))
    record(store, "e-event", case.crn, apply(engine, case.crn, every["event"][0]))

    found = understand.look_up(operations, STAFF.lower())

    assert {item.outcome.event_id for item in found} == {"e-person", "e-event"}
    assert understand.look_up(operations, "N02OLDA") == []


def test_the_page_searches_by_staff_code_and_shows_what_was_written(engine, world, store, dashboard):
    case, sentence = world
    record(store, "e-page", case.crn, apply(engine, case.crn, details(case, sentence)["event"][0]))

    page = dashboard.session().get(f"{dashboard.base_url}/outcomes", params={"q": STAFF}, timeout=10)

    assert page.status_code == 200
    assert 'data-event-id="e-page"' in page.text
    assert 'data-type="ETOS"' in page.text
    assert 'data-type="SPOD03"' in page.text
    assert "New Team" in page.text


def test_the_outcomes_api_answers_what_an_allocation_wrote_as_the_page_shows_it(engine, world, store, dashboard):
    case, sentence = world
    record(store, "e-api", case.crn, apply(engine, case.crn, details(case, sentence)["event"][0]))
    store.receive(ReceivedEvent("e-pending", "event.manager.allocated", {"eventType": "x", "detailUrl": "http://x/d"}))

    by_event = dashboard.session().get(f"{dashboard.base_url}/api/outcomes/e-api", timeout=10).json()["outcomes"]
    by_staff = dashboard.session().get(f"{dashboard.base_url}/api/outcomes/{STAFF}", timeout=10).json()["outcomes"]
    pending = dashboard.session().get(f"{dashboard.base_url}/api/outcomes/e-pending", timeout=10).json()["outcomes"]

    [applied] = by_event
    written = applied["written"]
    assert (applied["outcome"], applied["task_url"]) == ("applied", "/task/task-e-api")
    assert (written["manager"]["staff_code"], written["manager"]["team_code"]) == (STAFF, "N02NEW")
    assert written["manager"]["team_description"] == "New Team"
    assert sorted(c["type_code"] for c in written["contacts"]) == ["ETOS", "SPOD03"]
    assert all(len(c["contact_date"]) == len("2025-06-04") for c in written["contacts"])  # a date, as ISO 8601
    assert [o["event_id"] for o in by_staff] == ["e-api"]
    assert [(o["outcome"], o["written"]) for o in pending] == [("pending", None)]
