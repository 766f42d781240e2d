"""``allocations dead-letters|outcomes|sqs-dlq`` with click's runner, on the real database, Redis and SQS."""

import getpass
import json

from allocations.events import ReceivedEvent
from allocations.sqs import send_event


def test_list_prints_newest_first_with_a_total(cli, park):
    park("cli-a", "X000001")
    park("cli-b", "X000002")

    result = cli("dead-letters", "list")
    filtered = cli("dead-letters", "list", "--crn", "X000002", "--json")

    lines = result.output.splitlines()
    assert "cli-b" in lines[0]
    assert "cli-a" in lines[1]
    assert lines[-1] == "2 matching, showing 1-2"
    assert [d["event_id"] for d in json.loads(filtered.output)["items"]] == ["cli-b"]


def test_show_prints_error_traceback_and_history(cli, park):
    dead_letter_id = park("cli-show")

    result = cli("dead-letters", "show", str(dead_letter_id))
    missing = cli("dead-letters", "show", "999999")

    assert "error_class: StaffNotInTeam" in result.output
    assert "Traceback (most recent call last)" in result.output
    assert "failed" in result.output.split("history:")[1]
    assert missing.exit_code == 1


def test_requeue_dispatches_once_and_a_repeat_is_a_harmless_no_op(cli, park, store):
    dead_letter_id = park("cli-requeue")

    first = cli("dead-letters", "requeue", str(dead_letter_id))
    second = cli("dead-letters", "requeue", str(dead_letter_id))

    assert first.exit_code == 0, first.output
    assert "1 of 1 requeued" in first.output, first.output
    assert second.exit_code == 0
    assert "skipped: already requeued" in second.output
    assert cli.queued() == 1
    assert (
        store.operator_view.history(dead_letter_id)[-1].detail == getpass.getuser()
    )  # the OS user who ran the command


def test_requeue_all_by_filter_and_unknown_ids_fail(cli, park):
    park("cli-bulk-1", "X000009")
    park("cli-bulk-2", "X000009")
    park("cli-other", "X000010")

    bulk = cli("dead-letters", "requeue", "--all", "--crn", "X000009", "--json")
    unknown = cli("dead-letters", "requeue", "424242")
    neither = cli("dead-letters", "requeue")

    assert [r["done"] for r in json.loads(bulk.output)["results"]] == [True, True]
    assert cli.queued() == 2
    assert unknown.exit_code == 1
    assert neither.exit_code == 2


def test_discard_needs_a_reason(cli, park, store):
    dead_letter_id = park("cli-discard")

    without = cli("dead-letters", "discard", str(dead_letter_id))
    blank = cli("dead-letters", "discard", str(dead_letter_id), "--reason", " ")
    done = cli("dead-letters", "discard", str(dead_letter_id), "--reason", "Duplicate of a manual entry")

    assert without.exit_code == 2
    assert blank.exit_code == 2
    assert done.exit_code == 0
    assert store.operator_view.get_dead_letter(dead_letter_id).discarded_reason == "Duplicate of a manual entry"


def test_outcomes_by_event_id_or_crn(cli, park):
    park("cli-outcome", "X000321")

    by_crn = cli("outcomes", "X000321")
    by_event = cli("outcomes", "cli-outcome", "--json")
    nothing = cli("outcomes", "nobody")

    assert "dead-lettered" in by_crn.output
    assert "task=task-cli-outcome" in by_crn.output
    assert json.loads(by_event.output)["outcomes"][0]["reason"].startswith("StaffNotInTeam")
    assert nothing.output.strip() == "no outcome recorded for nobody"


def test_sqs_dlq_peek_then_redrive(cli, sqs_queues):
    client, queue_url, dlq_url = sqs_queues
    send_event(
        client,
        dlq_url,
        ReceivedEvent("cli-poison", "event.manager.allocated", {"eventType": "event.manager.allocated"}),
    )
    before = int(
        client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
    )

    peek = cli("sqs-dlq", "peek")
    redrive = cli("sqs-dlq", "redrive")
    empty = cli("sqs-dlq", "peek", "--json")

    assert "1 waiting" in peek.output
    assert "event.manager.allocated cli-poison" in peek.output
    assert redrive.output.strip() == "Moved 1 message back to the events queue; 0 messages still waiting"
    assert json.loads(empty.output)["depth"]["visible"] == 0
    assert waiting(client, queue_url) == before + 1


def waiting(client, url) -> int:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])
