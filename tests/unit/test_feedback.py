"""Every action says what it did: the sentence on the page, in the API's JSON and from the CLI."""

from allocations.sqs_dlq import RedriveResult
from allocations.state.records import ActionResult
from tasks.feedback import action_summary, redrive_summary


def test_a_requeue_names_what_it_did_and_why_the_rest_was_left():
    results = [
        ActionResult(12, done=True, status="requeued", task_id="t-12"),
        ActionResult(15, done=True, status="requeued", task_id="t-15"),
        ActionResult(18, done=True, status="requeued", task_id="t-18"),
        ActionResult(20, done=False, status="resolved", message="already resolved"),
        ActionResult(99, done=False, status="missing", message="no such dead letter"),
        ActionResult(21, done=False, status="parked", message="dispatch failed: broker down"),
    ]

    assert action_summary(results, "Re-enqueued") == (
        "Re-enqueued 3 dead letters: #12, #15, #18; 1 was not parked (#20 already resolved); 1 not found (#99);"
        " 1 could not be dispatched (#21 dispatch failed: broker down)"
    )


def test_one_nothing_and_many():
    one = [ActionResult(7, done=True, status="discarded")]
    many = [ActionResult(n, done=True, status="requeued") for n in range(25)]

    assert action_summary(one, "Discarded") == "Discarded 1 dead letter: #7"
    assert action_summary([], "Re-enqueued") == "Re-enqueued nothing: no dead letter matched"
    assert action_summary(many, "Re-enqueued").endswith("#18, #19 and 5 more")


def test_a_redrive_says_how_it_moved_and_what_is_left():
    by_hand = RedriveResult("receive-send-delete", 2, requested=2)
    task = RedriveResult("move-task", None, "handle-1")

    assert redrive_summary(by_hand, 1) == (
        "Moved 2 messages back to the events queue (at most 2 asked); 1 message still waiting"
    )
    assert redrive_summary(task).startswith("Started an SQS move task for every message (handle handle-1)")
