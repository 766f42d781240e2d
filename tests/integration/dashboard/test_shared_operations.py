"""``tasks.operations``: what the dashboard and the CLI share beyond what their own tests see."""

import dataclasses
from datetime import timedelta
from types import SimpleNamespace

from allocations.config import Limits
from allocations.sqs_dlq import DlqDepth
from allocations.state.operator_view import OperatorView
from allocations.state.records import DeadLetterFilter, Page
from tasks.dispatch import dispatch
from tasks.operations import DeadLetterDetail, DlqPeek, Operations, to_json


def operations_on(store) -> Operations:
    return Operations(OperatorView(store.engine, lease=store.lease), lambda _: "task-x", dlq=None)


def test_production_wiring_reads_the_state_database_and_queues_from_the_settings(database_url):
    settings = SimpleNamespace(
        state_database_url=database_url,
        aws_region="eu-west-2",
        sqs_endpoint_url="http://127.0.0.1:9",
        sqs_queue="events",
        sqs_dlq="events-dlq",
        limits=Limits(lease=240.0),
    )

    operations = Operations.from_settings(settings)

    assert operations.state.engine.url.render_as_string(hide_password=False) == database_url
    assert operations.state.lease == timedelta(seconds=240)  # RECONCILE_AFTER: re-enqueued events are leased as any
    assert operations.dispatch is dispatch
    assert (operations.dlq.queue, operations.dlq.dlq) == ("events", "events-dlq")
    operations.state.engine.dispose()


def test_show_gives_the_dead_letter_with_its_history_or_none(store, park):
    dead_letter_id = park("ops-show")
    operations = operations_on(store)

    detail = operations.show(dead_letter_id)

    assert detail is not None
    assert detail.dead_letter.event_id == "ops-show"
    assert [entry.action for entry in detail.history] == ["failed"]
    assert operations.show(dead_letter_id + 1000) is None


def test_bulk_actions_by_filter_cover_parked_rows_and_record_the_actor(store, park):
    kept, other = park("ops-bulk-1", "X000501"), park("ops-bulk-2", "X000502")
    operations = operations_on(store)

    [result] = operations.requeue(DeadLetterFilter(crn="X000501"), actor="someone")

    assert (result.id, result.done, result.task_id) == (kept, True, "task-x")
    assert operations.state.history(kept)[-1].detail == "someone"
    assert operations.list_dead_letters(DeadLetterFilter(status="parked")).total == 1
    assert operations.list_dead_letters(DeadLetterFilter(status="parked")).items[0].id == other


def test_typed_results_serialise_to_the_documents_the_api_and_cli_print():
    page = Page(items=[], total=0, limit=50, offset=0)
    peek = DlqPeek(DlqDepth("http://sqs/dlq", 2, 1), [])

    assert list(to_json(page)) == ["items", "total", "limit", "offset"]
    assert [field.name for field in dataclasses.fields(DeadLetterDetail)] == ["dead_letter", "history"]
    assert to_json(peek) == {
        "depth": {"queue_url": "http://sqs/dlq", "visible": 2, "in_flight": 1},
        "messages": [],
        "moves": None,
    }
