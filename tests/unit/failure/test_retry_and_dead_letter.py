"""Retry or dead letter: the failure route's decisions, with fakes for the task, the state and SQS."""

import pytest
from celery.exceptions import Reject, Retry
from failure_fakes import EVENT, FakeTask, handling

from allocations.errors import InvalidMessage, NotFound, WorkloadUnavailable
from allocations.events import ReceivedEvent
from tasks import failure
from tasks.failure import Handling, handle_failure


def test_transient_failure_with_budget_left_is_retried_with_a_jittered_countdown(state):
    attempt = handling(retries=2)
    with pytest.raises(Retry):
        handle_failure(attempt, WorkloadUnavailable("503 from http://wl"))
    [(_, countdown, _)] = attempt.task.retried_with
    assert 0 <= countdown <= 8
    assert state.dead_letters == []
    assert state.postponed == [("event-1", countdown)]
    assert state.errors == ["WorkloadUnavailable: 503 from http://wl"]  # shown by the Retrying view


def test_transient_failure_is_dead_lettered_when_the_budget_is_spent(state):
    attempt = handling(retries=3)
    with pytest.raises(NotFound):
        handle_failure(attempt, NotFound("Staff with code of N01A001 not found"))
    [(recorded, failed)] = state.dead_letters
    assert (recorded.event, recorded.number, recorded.task_id) == (EVENT, 4, "task-1")
    assert failed.error_class == "NotFound"
    assert failed.message == "Staff with code of N01A001 not found"
    assert recorded.shown.crn == "X1"
    assert "NotFound" in failed.traceback


def test_invalid_message_is_dead_lettered_at_once(state):
    attempt = handling(retries=0)
    with pytest.raises(InvalidMessage):
        handle_failure(attempt, InvalidMessage("No CRN available in person reference"))
    assert attempt.task.retried_with == []
    assert [failed.error_class for _, failed in state.dead_letters] == ["InvalidMessage"]


def test_unexpected_errors_are_retried_like_transient_ones(state):
    attempt = handling(retries=0)
    with pytest.raises(Retry):
        handle_failure(attempt, RuntimeError("bug"))
    assert state.dead_letters == []


def test_event_goes_to_the_sqs_dlq_when_the_dead_letter_table_is_down(state, monkeypatch):
    state.broken = True
    sent = []
    monkeypatch.setattr(failure, "sqs_client", lambda *_: "client")
    monkeypatch.setattr(failure, "queue_url", lambda _client, name: name)
    monkeypatch.setattr(failure, "send_event", lambda _client, url, received: sent.append((url, received)))
    with pytest.raises(InvalidMessage):
        handle_failure(handling(retries=0), InvalidMessage("bad"))
    assert sent == [("http://sqs/dlq", EVENT)]


def test_event_is_retried_later_when_both_dead_letter_routes_are_down(state, monkeypatch):
    state.broken = True

    def unavailable(*_):
        raise ConnectionError("sqs down")

    monkeypatch.setattr(failure, "sqs_client", unavailable)
    attempt = handling(retries=5)
    with pytest.raises(Retry):
        handle_failure(attempt, InvalidMessage("bad"))
    [(_, countdown, max_retries)] = attempt.task.retried_with
    assert (countdown, max_retries) == (failure.DEAD_LETTER_ROUTE_RETRY_SECONDS, None)


@pytest.mark.parametrize(
    "payload",
    [
        {"personReference": ["X1"]},
        {"personReference": {"identifiers": "X1"}},
        {"personReference": {"identifiers": [["CRN", "X1"]]}},
        {"personReference": {"identifiers": [{"type": "CRN", "value": 7}]}},
        {"detailUrl": {"href": "http://wl/1"}},
    ],
)
def test_an_event_whose_fields_have_unexpected_types_is_still_dead_lettered(state, payload):
    odd = ReceivedEvent("event-odd", "person.community.manager.allocated", payload)
    attempt = Handling(FakeTask(0), odd, attempt=1)

    with pytest.raises(InvalidMessage):
        handle_failure(attempt, InvalidMessage("No CRN available in person reference"))

    [(recorded, _)] = state.dead_letters
    assert recorded.event == odd
    assert (recorded.shown.crn, recorded.shown.detail_url) == (None, None)


def test_a_retry_that_cannot_be_published_hands_the_event_to_the_reconciler_at_once(state):
    class UnpublishableTask(FakeTask):
        def retry(self, *_, **__):
            raise Reject(ConnectionError("Redis refused the write"), requeue=False)

    with pytest.raises(Reject):
        handle_failure(Handling(UnpublishableTask(0), EVENT, 1), WorkloadUnavailable("503"))

    assert state.due == ["event-1"]


def test_a_failure_of_an_event_another_copy_already_finished_parks_nothing(state):
    state.final = True
    with pytest.raises(NotFound):
        handle_failure(handling(retries=3), NotFound("gone"))
    assert state.dead_letters == []


def test_an_error_inside_the_failure_route_leaves_the_event_to_the_reconciler(monkeypatch):
    def no_runtime():
        raise RuntimeError("settings unavailable")

    monkeypatch.setattr(failure, "runtime", no_runtime)
    with pytest.raises(WorkloadUnavailable):
        handle_failure(handling(retries=0), WorkloadUnavailable("503"))
