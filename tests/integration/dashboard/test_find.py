"""Find: dead letters filtered by error class and text, team, staff, dates and attempts; counts; confirmed bulk."""

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from allocations.events import ReceivedEvent
from allocations.state.filters import FilterError, parse_filter
from allocations.state.ledger import Attempt
from allocations.state.models import dead_letter_table
from allocations.state.operator_view import CountChanged, OperatorView
from allocations.state.recording import Failure
from allocations.state.records import DeadLetterFilter
from tasks.cli import main
from tasks.operations import Operations


def received(event_id: str) -> ReceivedEvent:
    event_type = "person.community.manager.allocated"
    payload = {
        "eventType": event_type,
        "detailUrl": f"http://127.0.0.1:9/allocation/person/{event_id}",
        "personReference": {"identifiers": [{"type": "CRN", "value": "X123456"}]},
    }
    return ReceivedEvent(event_id=event_id, event_type=event_type, payload=payload)


@pytest.fixture
def fail(store):
    def park(event_id, error_class, message, *, attempts=9, failed_at=None):
        store.dead_letter(
            Attempt(received(event_id), attempts, f"task-{event_id}", None), Failure(error_class, message, "tb")
        )
        if failed_at is not None:
            with store.engine.begin() as connection:
                connection.execute(
                    update(dead_letter_table)
                    .where(dead_letter_table.c.event_id == event_id)
                    .values(first_failed_at=failed_at, last_failed_at=failed_at)
                )
        return store.operator_view.get_dead_letter(
            next(d.id for d in store.operator_view.list_dead_letters(None, limit=500).items if d.event_id == event_id)
        )

    return park


@pytest.fixture
def view(store):
    return OperatorView(store.engine, lease=store.lease)


def event_ids(view, **fields):
    return sorted(d.event_id for d in view.list_dead_letters(parse_filter(fields), limit=500).items)


def test_filters_by_error_class_text_team_staff_dates_and_attempts(fail, view):
    day = datetime(2025, 3, 1, 12, tzinfo=UTC)
    fail("a", "StaffNotInTeam", "Staff N02A001 not in Team N02T02", attempts=9, failed_at=day)
    fail("b", "StaffNotInTeam", "Staff N02A002 not in Team N02T021", attempts=3, failed_at=day + timedelta(days=2))
    fail("c", "NotFound", "Team with code of N02T02 not found", attempts=1, failed_at=day + timedelta(days=5))
    fail("d", "NotFound", "Staff with code of N02A001 not found; 100%_sure", attempts=9, failed_at=day)

    assert event_ids(view, error_class="StaffNotInTeam") == ["a", "b"]
    assert event_ids(view, error_text="NOT IN team") == ["a", "b"]  # any case, a substring
    assert event_ids(view, error_text="100%_") == ["d"]  # LIKE wildcards are taken literally
    assert event_ids(view, error_text="%") == ["d"]
    assert event_ids(view, team="n02t02") == ["a", "c"]  # not N02T021: the code ends a word
    assert event_ids(view, team="N02T02", error_class="StaffNotInTeam") == ["a"]
    assert event_ids(view, staff="N02A001") == ["a", "d"]
    assert event_ids(view, failed_from="2025-03-02") == ["b", "c"]
    assert event_ids(view, failed_until="2025-03-03") == ["a", "b", "d"]  # a date alone: to the end of that day
    assert event_ids(view, failed_from="2025-03-02", failed_until="2025-03-03") == ["b"]
    assert event_ids(view, min_attempts="9") == ["a", "d"]


def test_a_malformed_filter_field_is_refused_with_its_name():
    with pytest.raises(FilterError, match="min_attempts"):
        parse_filter({"min_attempts": "many"})
    with pytest.raises(FilterError, match="failed_from"):
        parse_filter({"failed_from": "yesterday"})
    with pytest.raises(FilterError, match="unknown filter field"):
        parse_filter({"colour": "red"})


def test_counts_per_status_and_error_class_follow_the_filter(fail, view):
    fail("s1", "StaffNotInTeam", "Staff A not in Team T1")
    fail("s2", "StaffNotInTeam", "Staff B not in Team T1")
    fail("n1", "NotFound", "Person with crn of X1 not found")
    view.discard([fail("n2", "NotFound", "Person with crn of X2 not found").id], "test data")

    everything = view.count_dead_letters()
    staff_only = view.count_dead_letters(parse_filter({"error_class": "StaffNotInTeam"}))

    assert everything.by_status == {"parked": 3, "discarded": 1}
    assert everything.by_error_class == {"NotFound": 2, "StaffNotInTeam": 2}
    assert everything.parked_by_error_class == {"NotFound": 1, "StaffNotInTeam": 2}
    assert (staff_only.total, staff_only.by_status) == (2, {"parked": 2})


def test_a_bulk_action_is_refused_when_more_rows_match_than_were_confirmed(fail, view):
    fail("x1", "StaffNotInTeam", "Staff A not in Team N02T02")
    where = parse_filter({"team": "N02T02"})
    confirmed = len(view.target_ids(where))
    fail("x2", "StaffNotInTeam", "Staff B not in Team N02T02")  # a new failure between the count and the submit
    sent = []

    with pytest.raises(CountChanged, match="2 rows match now, more than the 1 confirmed"):
        view.requeue(where, lambda event: sent.append(event.event_id) or "t", confirmed=confirmed)
    results = view.requeue(where, lambda event: sent.append(event.event_id) or "t", confirmed=2)

    assert sent == ["x1", "x2"]  # nothing was sent by the refused request
    assert [r.done for r in results] == [True, True]


def test_fewer_rows_than_confirmed_is_fine(fail, view):
    fail("y1", "NotFound", "gone")
    results = view.requeue(parse_filter({"error_class": "NotFound"}), lambda _: "t", confirmed=5)
    assert [r.done for r in results] == [True]


def test_api_filters_by_the_new_fields_and_answers_409_when_the_count_grew(dashboard, fail, store):
    fail("api-1", "StaffNotInTeam", "Staff A not in Team N09T09")
    fail("api-2", "StaffNotInTeam", "Staff B not in Team N09T09")
    fail("api-3", "NotFound", "Team with code of N09T09 not found")
    session = dashboard.session()
    token = dashboard.token(session)

    listed = session.get(
        f"{dashboard.base_url}/api/dead-letters", params={"error_class": "StaffNotInTeam", "team": "N09T09"}, timeout=10
    ).json()
    refused = session.post(
        f"{dashboard.base_url}/api/dead-letters/requeue",
        json={"filter": {"error_class": "StaffNotInTeam", "team": "N09T09"}, "expected_count": 1},
        headers={"X-XSRFToken": token},
        timeout=10,
    )
    parked_after_refusal = {
        d.event_id for d in store.operator_view.list_dead_letters(DeadLetterFilter(status="parked")).items
    }
    accepted = session.post(
        f"{dashboard.base_url}/api/dead-letters/requeue",
        json={"filter": {"error_class": "StaffNotInTeam", "team": "N09T09"}, "expected_count": 2},
        headers={"X-XSRFToken": token},
        timeout=10,
    )

    assert listed["total"] == 2
    assert listed["counts"]["by_error_class"] == {"StaffNotInTeam": 2}
    assert refused.status_code == 409
    assert parked_after_refusal == {"api-1", "api-2", "api-3"}
    assert [r["done"] for r in accepted.json()["results"]] == [True, True]
    assert {d.event_id for d in store.operator_view.list_dead_letters(DeadLetterFilter(status="parked")).items} == {
        "api-3"
    }


def test_confirmation_page_states_the_count_and_the_bulk_form_acts_on_that_many(dashboard, fail, store):
    fail("page-1", "StaffNotInTeam", "Staff A not in Team N08T08")
    session = dashboard.session()
    confirm = session.get(
        f"{dashboard.base_url}/dead-letters/confirm", params={"action": "requeue", "team": "N08T08"}, timeout=10
    )
    token = session.cookies["_xsrf"]
    fail("page-2", "StaffNotInTeam", "Staff B not in Team N08T08")
    stale = session.post(
        f"{dashboard.base_url}/dead-letters/bulk",
        data={"_xsrf": token, "action": "requeue", "team": "N08T08", "expected": "1"},
        timeout=10,
    )
    done = session.post(
        f"{dashboard.base_url}/dead-letters/bulk",
        data={"_xsrf": token, "action": "requeue", "team": "N08T08", "expected": "2"},
        allow_redirects=False,
        timeout=10,
    )

    assert 'data-count="1"' in confirm.text
    assert 'id="count-changed"' in stale.text
    assert 'data-count="2"' in stale.text
    assert {d.status for d in store.operator_view.list_dead_letters(None).items} == {"requeued"}
    assert done.status_code == 303


def test_cli_requeue_all_refuses_more_rows_than_expected(store, fail):
    fail("cli-1", "StaffNotInTeam", "Staff A not in Team N07T07")
    fail("cli-2", "StaffNotInTeam", "Staff B not in Team N07T07")
    operations = Operations(OperatorView(store.engine, lease=store.lease), lambda _: "task-1", dlq=None)

    def run(*args):
        return CliRunner().invoke(main, list(args), obj=operations)

    refused = run("dead-letters", "requeue", "--all", "--team", "N07T07", "--expect", "1")
    listed = run("dead-letters", "list", "--error-class", "StaffNotInTeam", "--team", "n07t07")
    done = run("dead-letters", "requeue", "--all", "--team", "N07T07", "--expect", "2")

    assert refused.exit_code == 1
    assert "more than the 1 confirmed" in refused.output
    assert "by error class: StaffNotInTeam 2" in listed.output
    assert done.output.strip().endswith("2 of 2 requeued")
