"""The ingest deletes the messages of one receive with one DeleteMessageBatch, and only once they are recorded."""

import json

from ingest_support import EVENT, depth, published_tasks
from kombu import Consumer, Queue

from allocations.config import load_settings
from allocations.sqs import queue_name, sns_notification
from allocations.sqs_body import parse_sqs_body
from tasks import runtime as runtime_module
from tasks.ingest import receive_once, sqs_connection
from tasks.ingest_batch import ReceiveBatch

VISIBILITY_TIMEOUT = 30  # a message shown again while the test runs would blur the count of deletes


def test_the_messages_of_one_receive_are_deleted_by_one_batch_call(queues, redis_url):
    client, url, _, task_queue = queues
    for number in range(6):
        event = {**EVENT, "detailUrl": f"{EVENT['detailUrl']}-{number}"}
        received = parse_sqs_body(json.dumps({"MessageId": f"sns-batch-{number}", "Message": json.dumps(event)}))
        client.send_message(QueueUrl=url, MessageBody=sns_notification(received))
    calls: list[str] = []

    batch = ReceiveBatch()
    with sqs_connection(load_settings(), url) as connection:
        channel = connection.default_channel
        channel.sqs().meta.events.register("before-call.sqs.*", lambda model, **_: calls.append(model.name))
        receive = channel._receive_message

        def counted_receive(*args, **kwargs):
            response = receive(*args, **kwargs)
            if response.get("Messages"):
                calls.append("ReceiveMessage")
            return response

        channel._receive_message = counted_receive
        with Consumer(channel, [Queue(queue_name(url), no_declare=True)], on_message=batch.on_message):
            for _ in range(10):
                receive_once(connection, channel, batch, timeout=1)
                if len(published_tasks(redis_url, task_queue)) == 6:
                    break

    assert len(published_tasks(redis_url, task_queue)) == 6
    assert depth(client, url) == 0
    assert "DeleteMessage" not in calls
    deletes = calls.count("DeleteMessageBatch")
    assert 1 <= deletes <= calls.count("ReceiveMessage")  # one per receive that returned messages, at most
    assert all(runtime_module.runtime().state.final_outcome(f"sns-batch-{n}") is None for n in range(6))  # pending


def test_an_ack_waits_no_longer_than_its_limit_when_a_receive_is_slow_to_handle(queues, monkeypatch):
    client, url, _, _ = queues
    for number in range(3):
        received = parse_sqs_body(json.dumps({"MessageId": f"sns-slow-{number}", "Message": json.dumps(EVENT)}))
        client.send_message(QueueUrl=url, MessageBody=sns_notification(received))
    monkeypatch.setattr("tasks.sqs_transport.ACK_DELAY_LIMIT", 0.0)  # every ack is past its limit at once
    calls: list[str] = []

    batch = ReceiveBatch()
    with sqs_connection(load_settings(), url) as connection:
        channel = connection.default_channel
        channel.sqs().meta.events.register("before-call.sqs.DeleteMessageBatch", lambda **_: calls.append("batch"))
        with Consumer(channel, [Queue(queue_name(url), no_declare=True)], on_message=batch.on_message):
            for _ in range(10):
                receive_once(connection, channel, batch, timeout=1)
                if depth(client, url) == 0:
                    break

    assert depth(client, url) == 0
    assert len(calls) == 3  # each ack flushed as it came: none waited for the end of its receive


def test_the_same_event_twice_in_one_receive_is_recorded_once_and_dispatched_once(queues, redis_url):
    client, url, _, task_queue = queues
    received = parse_sqs_body(json.dumps({"MessageId": "sns-twice", "Message": json.dumps(EVENT)}))
    for _ in range(2):  # SNS delivers at least once: the same notification can arrive twice
        client.send_message(QueueUrl=url, MessageBody=sns_notification(received))
    batch = ReceiveBatch()

    with sqs_connection(load_settings(), url) as connection:
        channel = connection.default_channel
        with Consumer(channel, [Queue(queue_name(url), no_declare=True)], on_message=batch.on_message):
            handled = 0
            for _ in range(10):
                handled += receive_once(connection, channel, batch, timeout=1)
                if handled == 2:
                    break

    assert handled == 2
    assert depth(client, url) == 0  # both copies acked
    assert [t["headers"]["task"] for t in published_tasks(redis_url, task_queue)] == ["allocations.person_allocated"]
