"""``LOG_FORMAT=json``: one JSON object per line, the outcome's fields, and the event id inside an attempt only."""

import io
import json
import logging
import threading
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from celery.signals import after_setup_logger, after_setup_task_logger

from allocations.events import ReceivedEvent
from allocations.log_context import EventIdFilter, JsonFormatter, current_event_id, event_context, json_requested
from tasks.failure import log_outcome, protected
from tasks.logging_setup import CeleryTaskFilter

EVENT = ReceivedEvent(
    "5d0c1d3e-event",
    "person.community.manager.allocated",
    {
        "detailUrl": "https://workload.example/allocation/person/1",
        "personReference": {"identifiers": [{"type": "CRN", "value": "X123456"}]},
    },
)


@pytest.fixture
def captured():
    """A handler as ``LOG_FORMAT=json`` installs it, on a logger of its own; yields the parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(EventIdFilter())
    logger = logging.getLogger("allocations.outcome")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)

    def lines():
        text = stream.getvalue()
        assert text.endswith("\n")
        return [json.loads(line) for line in text.splitlines()]

    yield lines
    logger.removeHandler(handler)
    logger.setLevel(previous)


def fake_task():
    return SimpleNamespace(request=SimpleNamespace(retries=0, id="task-1"), name="allocations.person_allocated")


def test_an_outcome_line_is_one_json_object_with_its_fields_and_the_event_id(captured):
    def step(handling):
        log_outcome("applied", handling.fields(), reason=None, contact_id=42)
        return "applied"

    assert protected(fake_task(), EVENT.to_task_arg(), 0, step) == "applied"

    [line] = captured()
    assert datetime.fromisoformat(line["timestamp"]).utcoffset().total_seconds() == 0
    assert (line["level"], line["logger"]) == ("INFO", "allocations.outcome")
    assert line["message"].startswith("outcome='applied' event_id='5d0c1d3e-event'")
    assert line["event_id"] == "5d0c1d3e-event"
    assert {key: line[key] for key in ("outcome", "event_type", "crn", "detail_url", "task_id", "attempt")} == {
        "outcome": "applied",
        "event_type": "person.community.manager.allocated",
        "crn": "X123456",
        "detail_url": "https://workload.example/allocation/person/1",
        "task_id": "task-1",
        "attempt": 1,
    }
    assert line["contact_id"] == 42
    assert "reason" not in line


def test_every_line_inside_an_attempt_carries_the_event_id_and_none_outside(captured):
    log = logging.getLogger("allocations.outcome")
    log.info("before")

    def step(_):
        log.debug("inside, plain")
        log.warning("inside, with a\nnewline and \x1b[31m an escape")

    protected(fake_task(), EVENT.to_task_arg(), 0, step)
    log.info("after")

    lines = captured()
    assert [line["message"] for line in lines] == ["before", "inside, plain", lines[2]["message"], "after"]
    assert lines[2]["message"] == "inside, with a\nnewline and \x1b[31m an escape"
    assert [line.get("event_id") for line in lines] == [None, EVENT.event_id, EVENT.event_id, None]
    assert current_event_id() is None


def test_contexts_nest_and_threads_do_not_share_them(captured):
    log = logging.getLogger("allocations.outcome")
    seen_in_thread = []
    with event_context("outer"):
        with event_context("inner"):
            log.info("inner")
        thread = threading.Thread(target=lambda: seen_in_thread.append(current_event_id()))
        thread.start()
        thread.join()
        log.info("outer")

    assert [line["event_id"] for line in captured()] == ["inner", "outer"]
    assert seen_in_thread == [None]


def test_exceptions_and_values_json_cannot_hold_still_make_one_valid_line(captured):
    log = logging.getLogger("allocations.outcome")
    try:
        json.loads("{bad\njson")
    except ValueError:
        log.exception("failed", extra={"allocation": {"when": datetime(2025, 1, 2, tzinfo=UTC)}})
    log.info("not a number", extra={"allocation": {"ratio": float("nan"), "attempt": 2}})

    failed, not_a_number = captured()
    assert "JSONDecodeError" in failed["exception"]
    assert failed["when"] == "2025-01-02 00:00:00+00:00"
    assert (not_a_number["ratio"], not_a_number["attempt"]) == ("nan", 2)


@pytest.mark.parametrize(("value", "expected"), [("json", True), (" JSON ", True), ("text", False), ("", False)])
def test_json_is_requested_by_log_format_only(value, expected):
    assert json_requested({"LOG_FORMAT": value}) is expected
    assert json_requested({}) is False


def test_celery_signals_turn_its_handlers_to_json_only_when_asked(monkeypatch):
    root, task_logger = logging.getLogger("tests.root-like"), logging.getLogger("tests.celery-task-like")
    for logger in (root, task_logger):
        logger.handlers = [logging.StreamHandler(io.StringIO())]

    monkeypatch.delenv("LOG_FORMAT", raising=False)
    after_setup_logger.send(sender=None, logger=root, loglevel=logging.INFO, logfile=None, format="", colorize=False)
    assert not isinstance(root.handlers[0].formatter, JsonFormatter)

    monkeypatch.setenv("LOG_FORMAT", "json")
    after_setup_logger.send(sender=None, logger=root, loglevel=logging.INFO, logfile=None, format="", colorize=False)
    after_setup_task_logger.send(
        sender=None, logger=task_logger, loglevel=logging.INFO, logfile=None, format="", colorize=False
    )
    for logger in (root, task_logger):
        [handler] = logger.handlers
        assert isinstance(handler.formatter, JsonFormatter)
        assert {type(found) for found in handler.filters} == {EventIdFilter, CeleryTaskFilter}
