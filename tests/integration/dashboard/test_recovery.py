"""Recovery at incident scale: a background re-enqueue by filter, resumed by another process, stopped on request."""

from collections import Counter
from datetime import timedelta

import pytest
from click.testing import CliRunner

from allocations.state import recovery
from allocations.state.filters import parse_filter
from allocations.state.operator_view import OperatorView
from allocations.state.records import DeadLetterFilter
from tasks.cli import main
from tasks.operations import Operations
from tasks.recovery import RecoveryRunner, parse_rate


@pytest.fixture
def sent():
    return Counter()


def runner(store, sent, owner, **options):
    def dispatch(event):
        sent[event.event_id] += 1
        return f"task-{event.event_id}-{sent[event.event_id]}"

    return RecoveryRunner(store.engine, dispatch, requeue_lease=store.lease, owner=owner, **options)


def test_rate_is_read_per_second_minute_or_hour():
    assert (parse_rate("20/s"), parse_rate("600/m"), parse_rate("7200/h"), parse_rate("5")) == (20, 10, 2, 5)
    with pytest.raises(ValueError, match="positive"):
        parse_rate("0/s")


def test_a_job_abandoned_halfway_is_resumed_by_another_process_and_no_row_is_dispatched_twice(store, park, sent):
    ids = [park(f"rec-{n}", "X000100") for n in range(12)]
    park("other-crn", "X000200")
    job = recovery.start(store.engine, parse_filter({"crn": "X000100"}), 1000.0, "operator")

    first = runner(store, sent, "dashboard-1")
    first.run(recovery.claim(store.engine, first.owner, first.job_lease), max_rows=5)  # then its process dies
    still_held = recovery.claim(store.engine, "dashboard-2", timedelta(seconds=30))
    second = runner(store, sent, "dashboard-2", job_lease=timedelta(0))
    taken_over = recovery.claim(store.engine, second.owner, second.job_lease)
    second.run(taken_over)
    finished = recovery.get(store.engine, job.id)

    assert job.total == 12
    assert still_held is None  # the first owner's heartbeat is recent: nobody else takes its job
    assert taken_over.cursor == ids[4]  # progress kept in the job row
    assert sent == Counter({f"rec-{n}": 1 for n in range(12)})
    assert (finished.status, finished.dispatched, finished.skipped, finished.done) == ("finished", 12, 0, 12)
    assert {d.status for d in store.operator_view.list_dead_letters(DeadLetterFilter(crn="X000100")).items} == {
        "requeued"
    }
    assert store.operator_view.list_dead_letters(DeadLetterFilter(crn="X000200")).items[0].status == "parked"


def test_a_job_resumed_from_a_cursor_behind_what_was_sent_sends_those_rows_no_more(store, park, sent):
    for n in range(4):
        park(f"again-{n}", "X000300")
    job = recovery.start(store.engine, parse_filter({"crn": "X000300"}), 1000.0, None)
    first = runner(store, sent, "a")
    claimed = recovery.claim(store.engine, "a", first.job_lease)
    first.run(claimed, max_rows=2)
    # A process that died after dispatching but before reporting: the job's cursor is behind what was sent.
    replayed = recovery.RecoveryJob(**{**vars(claimed), "cursor": 0})

    first.run(replayed)

    assert sent == Counter({f"again-{n}": 1 for n in range(4)})
    # Claimed rows are requeued, no longer parked: the job's filter passes them by (the claim would refuse them too).
    assert recovery.get(store.engine, job.id).dispatched == 4


def test_a_stopped_job_dispatches_nothing_more(store, park, sent):
    for n in range(3):
        park(f"stop-{n}", "X000400")
    job = recovery.start(store.engine, parse_filter({"crn": "X000400"}), 1000.0, None)
    stopped = recovery.stop(store.engine, job.id, "operator")
    the_runner = runner(store, sent, "c")

    assert recovery.claim(store.engine, "c", the_runner.job_lease) is None
    assert (stopped.status, stopped.message) == ("stopped", "stopped by operator")
    assert sent == Counter()


def test_cli_starts_shows_and_stops_a_job(store, park):
    park("cli-rec", "X000500")
    operations = Operations(OperatorView(store.engine, lease=store.lease), lambda _: "t", None)

    def run(*args):
        return CliRunner().invoke(main, ["dead-letters", "recovery", *args], obj=operations)

    started = run("start", "--crn", "X000500", "--rate", "20/s")
    job_id = recovery.recent(store.engine, 1)[0].id
    status = run("status", str(job_id))
    stopped = run("stop", str(job_id))

    assert started.output.startswith(f"job {job_id}  running  0/1 done")
    assert "at 20/s  filter: crn=X000500" in status.output
    assert f"job {job_id}  stopped" in stopped.output
