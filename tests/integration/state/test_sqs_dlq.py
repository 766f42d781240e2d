"""The SQS DLQ helpers against moto's real SQS protocol (no StartMessageMoveTask there: the fallback runs)."""

import boto3
import pytest

from allocations.events import ReceivedEvent
from allocations.sqs import send_event
from allocations.sqs_dlq import SqsDlq
from allocations_local.queues import create_queues
from allocations_local.services import unique_name


@pytest.fixture
def queues(sqs_endpoint):
    client = boto3.client(
        "sqs", region_name="eu-west-2", endpoint_url=sqs_endpoint, aws_access_key_id="x", aws_secret_access_key="x"
    )
    name = unique_name("dlq-test")
    queue_url, dlq_url = create_queues(client, name, f"{name}-dlq")
    return client, queue_url, dlq_url, SqsDlq(client, name, f"{name}-dlq")


def event(n: int) -> ReceivedEvent:
    return ReceivedEvent(f"poison-{n}", "person.community.manager.allocated", {"eventType": "x"})


def waiting(client, url) -> int:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_peek_reads_event_ids_and_leaves_messages_on_the_queue(queues):
    client, _, dlq_url, dlq = queues
    for n in range(3):
        send_event(client, dlq_url, event(n))
    client.send_message(QueueUrl=dlq_url, MessageBody="{}")

    peeked = dlq.peek(10)

    assert {m.event_id for m in peeked} == {"poison-0", "poison-1", "poison-2", None}
    assert [m.problem for m in peeked if m.event_id is None] == ["No eventType in the message or its attributes"]
    assert dlq.depth().visible == 4
    assert waiting(client, dlq_url) == 4


def test_peek_stops_at_the_requested_count(queues):
    client, _, dlq_url, dlq = queues
    for n in range(5):
        send_event(client, dlq_url, event(n))

    assert len(dlq.peek(2)) == 2


def test_redrive_falls_back_to_receive_send_delete_and_keeps_the_message_attributes(queues):
    client, queue_url, dlq_url, dlq = queues
    for n in range(12):
        send_event(client, dlq_url, event(n))

    result = dlq.redrive()
    again = dlq.redrive()

    assert (result.method, result.moved) == ("receive-send-delete", 12)
    assert again.moved == 0
    assert waiting(client, dlq_url) == 0
    assert waiting(client, queue_url) == 12
    message = client.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])["Messages"][0]
    assert message["MessageAttributes"]["eventType"]["StringValue"] == "person.community.manager.allocated"


def test_redrive_moves_at_most_the_requested_number(queues):
    client, queue_url, dlq_url, dlq = queues
    for n in range(4):
        send_event(client, dlq_url, event(n))

    result = dlq.redrive(3)

    assert result.moved == 3
    assert waiting(client, queue_url) == 3
    assert dlq.depth().visible == 1
