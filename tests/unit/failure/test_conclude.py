"""What the end of an attempt means before any retry: ignored, already final, a database error named for operators."""

import psycopg
import pytest
from celery.exceptions import Retry
from failure_fakes import handling
from sqlalchemy.exc import OperationalError, ProgrammingError

from allocations.errors import AlreadyHandled, IgnorableMessage
from tasks.failure import conclude


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
