from datetime import UTC, datetime, timedelta

import click
import pytest

from allocations.sqs_dlq import _peeked
from allocations.state.operator_view import OperatorView
from allocations.state.records import ActionResult, DeadLetterFilter, HistoryEntry
from tasks.cli_operations import _targets
from tasks.operations import to_json, when

AT = datetime(2025, 6, 4, 13, 5, 9, tzinfo=UTC)


def test_records_become_json_with_iso_times():
    entry = HistoryEntry(1, 2, "requeued", AT, "task-1", None)

    assert to_json({"history": [entry], "result": ActionResult(2, done=True, status="requeued")}) == {
        "history": [
            {
                "id": 1,
                "dead_letter_id": 2,
                "action": "requeued",
                "at": "2025-06-04T13:05:09+00:00",
                "task_id": "task-1",
                "detail": None,
            }
        ],
        "result": {"id": 2, "done": True, "status": "requeued", "task_id": None, "message": None},
    }


def test_times_are_shown_in_utc_to_the_second_and_missing_ones_as_blank():
    assert when(AT) == "2025-06-04 13:05:09 UTC"
    assert when(None) == ""


def test_ids_for_a_bulk_action_are_deduplicated_in_their_given_order():
    assert OperatorView(engine=None, lease=timedelta(0)).target_ids([3, 1, 3, 2]) == [3, 1, 2]


def test_peeked_message_names_the_event_or_why_it_cannot_be_read():
    sns = '{"Type": "Notification", "MessageId": "m-1", "Message": "{\\"eventType\\": \\"event.manager.allocated\\"}"}'
    readable = _peeked({"MessageId": "q-1", "Body": sns, "Attributes": {"ApproximateReceiveCount": "4"}})
    unreadable = _peeked({"MessageId": "q-2", "Body": "<xml/>"})

    assert (readable.event_id, readable.event_type, readable.receive_count) == ("m-1", "event.manager.allocated", 4)
    assert readable.problem is None
    assert unreadable.event_id is None
    assert unreadable.problem.startswith("SQS body is not JSON")


def test_cli_actions_take_ids_or_all_with_a_filter_but_not_both():
    where = DeadLetterFilter(crn="X000001")

    assert _targets([4, 5], every=False, where=where) == [4, 5]
    assert _targets([], every=True, where=where) is where
    with pytest.raises(click.UsageError, match="not both"):
        _targets([4], every=True, where=where)
    with pytest.raises(click.UsageError, match="give dead letter ids"):
        _targets([], every=False, where=where)
