"""The SQS DLQ: "at most N" on every path, move tasks listed and cancelled, and peeks that never fail on a body.

moto has no message move tasks (it answers 500), so the move-task calls are checked against botocore's Stubber,
which holds the client to SQS's real request and response shapes; everything else runs against moto.
"""

import boto3
import pytest
from botocore.stub import ANY, Stubber

from allocations.events import ReceivedEvent
from allocations.sqs import send_event
from allocations.sqs_dlq import MoveTasksUnsupported, SqsDlq
from allocations_local.queues import create_queues
from allocations_local.services import unique_name

REGION = "eu-west-2"
SOURCE = "https://sqs.eu-west-2.amazonaws.com/111111111111/events-dlq"
DESTINATION = "https://sqs.eu-west-2.amazonaws.com/111111111111/events"
SOURCE_ARN, DESTINATION_ARN = (
    "arn:aws:sqs:eu-west-2:111111111111:events-dlq",
    "arn:aws:sqs:eu-west-2:111111111111:events",
)


@pytest.fixture
def queues(sqs_endpoint):
    client = boto3.client(
        "sqs", region_name=REGION, endpoint_url=sqs_endpoint, aws_access_key_id="x", aws_secret_access_key="x"
    )
    name = unique_name("moves")
    queue_url, dlq_url = create_queues(client, name, f"{name}-dlq")
    return client, queue_url, dlq_url, SqsDlq(client, name, f"{name}-dlq")


@pytest.fixture
def stubbed():
    client = boto3.client("sqs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield stubber, SqsDlq(client, DESTINATION, SOURCE)
        stubber.assert_no_pending_responses()


def waiting(client, url) -> int:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def poison(n: int) -> ReceivedEvent:
    return ReceivedEvent(f"poison-{n}", "person.community.manager.allocated", {"eventType": "x"})


def message(n: int, body: str = "{}") -> dict:
    return {"MessageId": f"m-{n}", "ReceiptHandle": f"r-{n}", "Body": body, "MD5OfBody": "0" * 32}


def expect_arns(stubber) -> None:
    for url, arn in ((SOURCE, SOURCE_ARN), (DESTINATION, DESTINATION_ARN)):
        stubber.add_response(
            "get_queue_attributes", {"Attributes": {"QueueArn": arn}}, {"QueueUrl": url, "AttributeNames": ["QueueArn"]}
        )


@pytest.mark.parametrize(("waiting_messages", "limit"), [(25, 12), (3, 10), (10, 10)])
def test_move_at_most_n_moves_exactly_that_many_or_all_there_are(queues, waiting_messages, limit):
    client, queue_url, dlq_url, dlq = queues
    for n in range(waiting_messages):
        send_event(client, dlq_url, poison(n))

    result = dlq.redrive(limit)

    moved = min(waiting_messages, limit)
    assert (result.method, result.moved, result.requested) == ("receive-send-delete", moved, limit)
    assert waiting(client, queue_url) == moved
    assert waiting(client, dlq_url) == waiting_messages - moved


def test_move_all_without_move_tasks_moves_what_waited_when_it_started(queues):
    client, queue_url, dlq_url, dlq = queues
    for n in range(14):
        send_event(client, dlq_url, poison(n))

    result = dlq.redrive()

    assert (result.method, result.moved) == ("receive-send-delete", 14)
    assert waiting(client, queue_url) == 14
    with pytest.raises(MoveTasksUnsupported):
        dlq.moves()
    assert dlq.move_tasks.supported is False


def test_at_most_n_never_starts_a_move_task_and_hands_back_what_an_endpoint_over_delivers(stubbed):
    stubber, dlq = stubbed
    # Asked for 2, the endpoint answers 3: two move, the third is made visible again. No StartMessageMoveTask call is
    # stubbed, so one would fail the test.
    stubber.add_response(
        "receive_message", {"Messages": [message(1), message(2), message(3)]}, {"QueueUrl": SOURCE, **_receive(2)}
    )
    for n in (1, 2):
        stubber.add_response("send_message", {"MessageId": f"sent-{n}"}, {"QueueUrl": DESTINATION, "MessageBody": "{}"})
        stubber.add_response("delete_message", {}, {"QueueUrl": SOURCE, "ReceiptHandle": f"r-{n}"})
    stubber.add_response(
        "change_message_visibility", {}, {"QueueUrl": SOURCE, "ReceiptHandle": "r-3", "VisibilityTimeout": 0}
    )

    result = dlq.redrive(2)

    assert (result.method, result.moved, result.requested) == ("receive-send-delete", 2, 2)


def test_move_all_starts_a_move_task_where_sqs_has_them(stubbed):
    stubber, dlq = stubbed
    expect_arns(stubber)
    stubber.add_response(
        "start_message_move_task",
        {"TaskHandle": "handle-1"},
        {"SourceArn": SOURCE_ARN, "DestinationArn": DESTINATION_ARN},
    )

    result = dlq.redrive()

    assert (result.method, result.moved, result.task_handle) == ("move-task", None, "handle-1")


def test_moves_are_listed_newest_first_and_a_running_one_can_be_cancelled(stubbed):
    stubber, dlq = stubbed
    stubber.add_response(
        "get_queue_attributes", {"Attributes": {"QueueArn": SOURCE_ARN}}, {"QueueUrl": SOURCE, "AttributeNames": ANY}
    )
    running = {
        "TaskHandle": "handle-2",
        "Status": "RUNNING",
        "SourceArn": SOURCE_ARN,
        "DestinationArn": DESTINATION_ARN,
        "ApproximateNumberOfMessagesMoved": 40,
        "ApproximateNumberOfMessagesToMove": 100,
        "StartedTimestamp": 1_717_507_509_000,
    }
    failed = {"Status": "FAILED", "SourceArn": SOURCE_ARN, "FailureReason": "AccessDenied", "StartedTimestamp": 1}
    stubber.add_response(
        "list_message_move_tasks", {"Results": [running, failed]}, {"SourceArn": SOURCE_ARN, "MaxResults": 10}
    )
    stubber.add_response(
        "cancel_message_move_task", {"ApproximateNumberOfMessagesMoved": 41}, {"TaskHandle": "handle-2"}
    )

    moves = dlq.moves()
    cancelled = dlq.cancel_move("handle-2")

    assert [(m.status, m.running, m.moved, m.to_move) for m in moves] == [
        ("RUNNING", True, 40, 100),
        ("FAILED", False, 0, None),
    ]
    assert moves[0].started_at.isoformat() == "2024-06-04T13:25:09+00:00"
    assert moves[1].failure_reason == "AccessDenied"
    assert cancelled == 41


def test_an_endpoint_without_move_tasks_is_asked_once(stubbed):
    stubber, dlq = stubbed
    stubber.add_client_error("cancel_message_move_task", service_error_code="InvalidAction", http_status_code=400)

    with pytest.raises(MoveTasksUnsupported, match="CancelMessageMoveTask"):
        dlq.cancel_move("handle-3")
    with pytest.raises(MoveTasksUnsupported):  # no response is stubbed: a second request would fail differently
        dlq.cancel_move("handle-3")


def test_peek_shows_unreadable_bodies_escaped_and_cut(queues):
    client, _, dlq_url, dlq = queues
    bodies = {
        "not-json": "{not json",
        "controls": '{"eventType": "x\x07y", "bell": "\x1b[31m"}',
        "huge": "[" + "1," * 100_000 + "1]",
    }
    for body in bodies.values():
        client.send_message(QueueUrl=dlq_url, MessageBody=body)

    peeked = {m.body[:3]: m for m in dlq.peek(10)}

    not_json, controls, huge = peeked["{no"], peeked['{"e'], peeked["[1,"]
    assert not_json.problem.startswith("SQS body is not JSON")
    assert (not_json.body, not_json.body_escaped, not_json.body_truncated) == ("{not json", False, False)
    assert controls.body == '{"eventType": "x\\x07y", "bell": "\\x1b[31m"}'
    assert controls.body_escaped is True
    assert (len(huge.body), huge.body_size, huge.body_truncated) == (4000, len(bodies["huge"]), True)
    assert huge.problem is not None


def test_peek_escapes_lone_surrogates_a_json_protocol_can_hand_back(stubbed):
    stubber, dlq = stubbed
    body = '{"Type": "Notification", "MessageId": "\ud800", "Message": "{}"}'
    stubber.add_response("receive_message", {"Messages": [message(1, body)]}, {"QueueUrl": SOURCE, **_receive(1, 0)})

    [peeked] = dlq.peek(1)

    assert peeked.body == '{"Type": "Notification", "MessageId": "\\ud800", "Message": "{}"}'
    assert peeked.body.encode("utf-8")  # a page can be written with it
    assert peeked.body_size == len(body) + 2  # the surrogate is three bytes
    assert peeked.problem is not None


def _receive(count: int, visibility_timeout: int = 60) -> dict:
    return {
        "MaxNumberOfMessages": count,
        "VisibilityTimeout": visibility_timeout,
        "WaitTimeSeconds": 0,
        "AttributeNames": ["All"],
        "MessageAttributeNames": ["All"],
    }


def test_the_dashboard_moves_at_most_n_says_so_and_shows_odd_bodies_escaped(dashboard, sqs_queues):
    client, queue_url, dlq_url = sqs_queues
    for body in ("plain text", "bell \x07", "{broken"):
        client.send_message(QueueUrl=dlq_url, MessageBody=body)
    session = dashboard.session()
    page = session.get(f"{dashboard.base_url}/sqs-dlq", timeout=10)
    headers = {"X-XSRFToken": dashboard.token(session)}
    before = waiting(client, queue_url)

    moved = session.post(f"{dashboard.base_url}/api/sqs-dlq/redrive", json={"max": 2}, headers=headers, timeout=10)
    peek = session.get(f"{dashboard.base_url}/api/sqs-dlq", timeout=10).json()
    cancel = session.post(
        f"{dashboard.base_url}/api/sqs-dlq/cancel", json={"task_handle": "h"}, headers=headers, timeout=10
    )
    rest = session.post(f"{dashboard.base_url}/api/sqs-dlq/redrive", json={}, headers=headers, timeout=10).json()

    assert page.status_code == 200
    assert "bell \\x07" in page.text
    assert "unprintable characters shown escaped" in page.text
    assert 'id="moves-unsupported"' in page.text
    assert moved.json()["message"] == (
        "Moved 2 messages back to the events queue (at most 2 asked); 1 message still waiting"
    )
    assert waiting(client, queue_url) == before + 3
    assert peek["depth"]["visible"] == 1
    assert peek["moves"] is None
    assert (cancel.status_code, cancel.text) == (501, "This SQS endpoint has no CancelMessageMoveTask")
    assert rest["result"]["moved"] == 1
