"""``LOG_FORMAT=json`` end to end: a worker's logging as Celery sets it up, and the ``allocations`` command.

Each runs in a process of its own, as in production, and every line it writes to stderr must parse as JSON.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.integration

FIELDS = {"timestamp", "level", "logger", "message"}

WORKER_LIKE = textwrap.dedent(
    """
    import logging, warnings
    from celery.utils.log import get_task_logger
    from allocations.events import ReceivedEvent
    from tasks import app
    from tasks.failure import log_outcome, protected
    from types import SimpleNamespace

    app.log.setup(loglevel="INFO", redirect_stdouts=True, redirect_level="WARNING")
    logging.getLogger("allocations.ingest").info("outside any attempt")
    event = ReceivedEvent("evt-json-1", "person.community.manager.allocated", {
        "detailUrl": "https://workload.example/allocation/person/1",
        "personReference": {"identifiers": [{"type": "CRN", "value": "X123456"}]},
    })
    task = SimpleNamespace(name="allocations.person_allocated", request=SimpleNamespace(retries=0, id="task-json-1"))

    def step(handling):
        get_task_logger("tasks.allocation").warning("a task line\\nover two lines")
        print("printed inside the attempt")
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("allocations.delius").exception("with a traceback")
        log_outcome("retrying", handling.fields(), error="WorkloadUnavailable: 503", countdown=1.5)

    protected(task, event.to_task_arg(), 0, step)
    warnings.warn("after the attempt")
    """
)


def run(argv, **env):
    environment = {**os.environ, **env}
    return subprocess.run(argv, env=environment, capture_output=True, text=True, timeout=60, check=False)


def json_lines(stderr):
    lines = stderr.splitlines()
    assert lines, "nothing was logged"
    parsed = [json.loads(line) for line in lines]
    assert all(line.keys() >= FIELDS for line in parsed), parsed
    return parsed


def test_every_line_of_a_worker_like_process_is_json_and_an_attempt_names_its_event():
    result = run([sys.executable, "-c", WORKER_LIKE], LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stderr)
    by_message = {line["message"].split("\n")[0]: line for line in lines}
    assert "event_id" not in by_message["outside any attempt"]
    inside = ["a task line", "printed inside the attempt", "with a traceback"]
    assert [by_message[message]["event_id"] for message in inside] == ["evt-json-1"] * 3
    assert "RuntimeError: boom" in by_message["with a traceback"]["exception"]
    [outcome] = [line for line in lines if line.get("outcome") == "retrying"]
    assert (outcome["event_id"], outcome["crn"], outcome["task_id"], outcome["countdown"]) == (
        "evt-json-1",
        "X123456",
        "task-json-1",
        1.5,
    )
    [warned] = [line for line in lines if "after the attempt" in line["message"]]
    assert (warned["logger"], "event_id" in warned) == ("py.warnings", False)


def test_the_default_stays_text():
    result = run([sys.executable, "-c", WORKER_LIKE], LOG_FORMAT="text")

    assert result.returncode == 0, result.stderr
    assert "outside any attempt" in result.stderr
    assert not result.stderr.lstrip().startswith("{")


CLI_WITH_A_LOGGING_COMMAND = textwrap.dedent(
    """
    import logging
    from allocations.log_context import event_context
    from tasks.cli import main

    @main.command("log-something")
    def log_something():
        logging.getLogger("allocations.cli").debug("debug line")
        with event_context("evt-cli-1"):
            logging.getLogger("allocations.cli").warning("over\\ntwo lines")

    main()
    """
)


@pytest.mark.parametrize("verbose", [[], ["-v"]])
def test_every_line_the_allocations_command_logs_is_json(verbose):
    # The command group as installed, with one command that logs: the group's callback sets logging up.
    result = run([sys.executable, "-c", CLI_WITH_A_LOGGING_COMMAND, *verbose, "log-something"], LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stderr)
    assert [line["message"] for line in lines] == ["debug line"] * bool(verbose) + ["over\ntwo lines"]
    assert (lines[-1]["level"], lines[-1]["logger"], lines[-1]["event_id"]) == (
        "WARNING",
        "allocations.cli",
        "evt-cli-1",
    )
