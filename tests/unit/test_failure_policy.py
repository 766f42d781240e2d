"""The one place that maps failures to Celery behaviour, with fakes for the task, the state and SQS."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
import pytest
from celery.exceptions import Reject, Retry
from sqlalchemy.exc import OperationalError, ProgrammingError

from allocations.config import RetryBudget
from allocations.errors import AlreadyHandled, IgnorableMessage, InvalidMessage, NotFound, WorkloadUnavailable
from allocations.events import ReceivedEvent
from tasks import failure
from tasks.failure import Handling, conclude, handle_failure

EVENT = ReceivedEvent(
    "event-1",
    "person.community.manager.allocated",
    {
        "detailUrl": "http://wl/allocation/person/1",
        "personReference": {"identifiers": [{"type": "CRN", "value": "X1"}]},
    },
)


@dataclass
class FakeRequest:
    retries: int
    id: str = "task-1"


@dataclass
class FakeTask:
    retries: int
    retried_with: list = field(default_factory=list)

    @property
    def request(self):
        return FakeRequest(self.retries)

    def retry(self, exc, countdown, max_retries=None):
        self.retried_with.append((exc, countdown, max_retries))
        return Retry(exc=exc, when=countdown)


@dataclass
class FakeState:
    broken: bool = False
    final: bool = False
    dead_letters: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    postponed: list = field(default_factory=list)
    due: list = field(default_factory=list)

    def dead_letter(self, attempt, failure):
        if self.broken:
            raise ConnectionError("state database down")
        if self.final:
            return False
        self.dead_letters.append((attempt, failure))
        return True

    def record_outcome(self, attempt, outcome):
        if self.broken:
            raise ConnectionError("state database down")
        if self.final:
            return False
        self.outcomes.append((attempt, outcome))
        return True

    def postpone(self, event_id, delay):
        self.postponed.append((event_id, delay))

    def due_now(self, event_id):
        self.due.append(event_id)


@dataclass
class FakeSettings:
    retry: RetryBudget = field(default_factory=lambda: RetryBudget(first_delay=2, max_delay=300, max_retries=3))
    aws_region: str = "eu-west-2"
    sqs_endpoint_url: str | None = None
    sqs_dlq: str = "http://sqs/dlq"


@dataclass
class FakeRuntime:
    state: FakeState
    settings: FakeSettings = field(default_factory=FakeSettings)


@pytest.fixture
def state(monkeypatch):
    fake = FakeState()
    monkeypatch.setattr(failure, "runtime", lambda: FakeRuntime(fake))
    return fake


def handling(retries: int) -> Handling:
    return Handling(FakeTask(retries), EVENT, datetime(2026, 1, 1, tzinfo=UTC), attempt=retries + 1)


def test_transient_failure_with_budget_left_is_retried_with_a_jittered_countdown(state):
    attempt = handling(retries=2)
    with pytest.raises(Retry):
        handle_failure(attempt, WorkloadUnavailable("503 from http://wl"))
    [(_, countdown, _)] = attempt.task.retried_with
    assert 0 <= countdown <= 8
    assert state.dead_letters == []
    assert state.postponed == [("event-1", countdown)]


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
    attempt = Handling(FakeTask(0), odd, datetime(2026, 1, 1, tzinfo=UTC), attempt=1)

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
        handle_failure(Handling(UnpublishableTask(0), EVENT, datetime.now(UTC), 1), WorkloadUnavailable("503"))

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


def test_an_ignorable_condition_is_recorded_as_ignored_with_its_reason_and_not_retried(state):
    attempt = handling(retries=0)

    result = conclude(attempt, IgnorableMessage("Pending transfer exists in Delius", eventNumber="1"))

    assert result == "ignored"
    [(recorded, outcome)] = state.outcomes
    assert (recorded.number, outcome.kind.value, outcome.reason) == (1, "ignored", "Pending transfer exists in Delius")
    assert outcome.properties == {"eventNumber": "1"}
    assert attempt.task.retried_with == []


def test_an_event_another_copy_finished_ends_already_final_with_nothing_recorded(state):
    assert conclude(handling(retries=0), AlreadyHandled("event-1")) == "already-final"
    assert (state.outcomes, state.dead_letters) == ([], [])


def test_an_ignored_outcome_that_cannot_be_recorded_is_retried(state):
    state.broken = True
    attempt = handling(retries=0)
    with pytest.raises(Retry):
        conclude(attempt, IgnorableMessage("Team ended"))
    [(error, _, _)] = attempt.task.retried_with
    assert isinstance(error, ConnectionError)


def test_a_lost_database_connection_is_retried_as_a_transient_failure_named_for_operators(state):
    attempt = handling(retries=8)
    lost = OperationalError("SELECT 1", {}, psycopg.OperationalError("server closed the connection"))
    with pytest.raises(Exception, match="Database unavailable: OperationalError"):
        conclude(attempt, lost)
    [(_, failed)] = state.dead_letters
    assert failed.error_class == "TransientFailure"


def test_a_database_error_that_is_not_operational_keeps_its_own_name(state):
    attempt = handling(retries=8)
    wrong = ProgrammingError("SELECT nope", {}, psycopg.errors.UndefinedColumn("column nope does not exist"))
    with pytest.raises(ProgrammingError):
        conclude(attempt, wrong)
    [(_, failed)] = state.dead_letters
    assert failed.error_class == "ProgrammingError"
