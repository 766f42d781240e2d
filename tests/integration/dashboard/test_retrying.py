"""The Retrying view: events in backoff with their next attempt and last error; retry now and dead-letter now."""

from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import received

from allocations.state.ledger import now
from allocations.state.operator_view import OperatorView
from allocations.state.records import DeadLetterFilter, DeadLetterStatus
from tasks import retrying
from tasks.cli import main
from tasks.operations import Operations

SENT: list[str] = []


@pytest.fixture
def operations(store):
    SENT.clear()

    def dispatch(event):
        SENT.append(event.event_id)
        return f"task-{len(SENT)}"

    return Operations(OperatorView(store.engine, lease=store.lease), dispatch, dlq=None)


def in_backoff(store, event_id, delay=600.0, error="TransientFailure: Workload answered 503"):
    event = received(event_id)
    store.receive(event)
    store.start_attempt(event)
    store.postpone(event_id, delay, error)
    return event


def test_a_scheduled_retry_is_listed_with_its_next_attempt_and_error_until_an_attempt_starts(store, operations):
    before = now()
    event = in_backoff(store, "e-backoff", delay=600)

    (row,) = retrying.list_retrying(operations)
    assert (row.event_id, row.attempts, row.last_error) == ("e-backoff", 1, "TransientFailure: Workload answered 503")
    assert before + timedelta(seconds=600) <= row.next_attempt_at <= now() + timedelta(seconds=600)
    assert row.due_at == row.next_attempt_at + store.lease  # the reconciler waits one lease longer

    store.start_attempt(event)  # the countdown fired: an attempt runs, the event is no longer waiting
    assert retrying.list_retrying(operations) == []


def test_retry_now_dispatches_the_event_once_and_takes_it_out_of_backoff(store, operations):
    in_backoff(store, "e-now")

    first = retrying.retry_now(operations, ["e-now", "e-now"])
    again = retrying.retry_now(operations, ["e-now"])

    assert SENT == ["e-now"]
    assert [(r.done, r.message) for r in first] == [(True, "task task-1")]
    assert (again[0].done, again[0].message) == (False, "not in backoff (an attempt is running or due now)")
    assert retrying.list_retrying(operations) == []
    assert retrying.retry_summary(first, "Retried now") == "Retried now 1 event: e-now"


def test_dead_letter_now_parks_the_event_naming_the_operator_and_its_late_retry_finds_it_final(store, operations):
    event = in_backoff(store, "e-park")

    (result,) = retrying.dead_letter_now(operations, ["e-park"], "alice")

    assert result.done
    (parked,) = store.operator_view.list_dead_letters(DeadLetterFilter(status=DeadLetterStatus.PARKED.value)).items
    assert (parked.event_id, parked.error_class) == ("e-park", "InvalidMessage")
    assert parked.error_message == "dead-lettered by alice while retrying TransientFailure: Workload answered 503"
    assert store.final_outcome("e-park").outcome == "dead-lettered"
    assert store.start_attempt(event) is None  # the countdown's copy: already final, nothing to do
    (late,) = retrying.dead_letter_now(operations, ["e-park"], "bob")
    assert (late.done, late.message) == (False, "already dead-lettered")


def test_an_unknown_or_final_event_is_neither_retried_nor_parked(store, operations):
    results = retrying.retry_now(operations, ["nope"])
    summary = retrying.retry_summary(results, "Retried now")
    assert summary == "Retried now 0 events; 1 was not in backoff (nope not found)"
    assert SENT == []


def test_page_and_api_list_and_retry_for_an_operator_only(store, dashboard, read_only_dashboard):
    in_backoff(store, "e-page")
    session = dashboard.session()

    page = session.get(f"{dashboard.base_url}/retrying", timeout=10)
    assert page.status_code == 200
    assert 'data-event-id="e-page"' in page.text
    assert "TransientFailure: Workload answered 503" in page.text
    assert 'id="auto-refresh"' in page.text
    listed = session.get(f"{dashboard.base_url}/api/retrying", timeout=10).json()["retrying"]
    assert [r["event_id"] for r in listed] == ["e-page"]

    viewer = read_only_dashboard.session()
    token = read_only_dashboard.token(viewer)
    refused = viewer.post(
        f"{read_only_dashboard.base_url}/api/retrying/retry-now",
        json={"event_ids": ["e-page"]},
        headers={"X-XSRFToken": token},
        timeout=10,
    )
    assert refused.status_code == 403

    queued = dashboard.queued()
    token = dashboard.token(session)
    answer = session.post(
        f"{dashboard.base_url}/api/retrying/retry-now",
        json={"event_ids": ["e-page"]},
        headers={"X-XSRFToken": token},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.json()["message"].startswith("Retried now 1 event: e-page")
    assert dashboard.queued() == queued + 1


def test_the_page_form_dead_letters_and_says_what_it_did(store, dashboard):
    in_backoff(store, "e-form")
    session = dashboard.session()
    token = dashboard.token(session)
    answer = session.post(
        f"{dashboard.base_url}/retrying/dead-letter-now", data={"_xsrf": token, "event_id": "e-form"}, timeout=10
    )
    assert answer.status_code == 200
    assert "Dead-lettered now 1 event: e-form" in answer.text
    assert store.final_outcome("e-form").outcome == "dead-lettered"


def test_cli_lists_and_dead_letters_as_the_os_user(store, operations):
    in_backoff(store, "e-cli")
    runner = CliRunner()

    listed = runner.invoke(main, ["retrying", "list"], obj=operations, catch_exceptions=False)
    assert "e-cli" in listed.output
    assert "1 in backoff" in listed.output

    parked = runner.invoke(main, ["retrying", "dead-letter-now", "e-cli"], obj=operations, catch_exceptions=False)
    assert parked.exit_code == 0
    assert parked.output.startswith("Dead-lettered now 1 event: e-cli")
    missing = runner.invoke(main, ["retrying", "retry-now", "e-cli"], obj=operations, catch_exceptions=False)
    assert missing.exit_code == 1
    assert "e-cli already dead-lettered" in missing.output
