"""The ingest consumer against a real SQS endpoint (moto server) and a real Redis broker."""

import json
import time
from dataclasses import replace

import pytest
from celery.exceptions import WorkerShutdown
from faults.support.redis_server import RedisServer
from ingest_support import EVENT, consume, depth, published_tasks
from kombu import Consumer, Queue

from allocations.config import load_settings
from allocations.outcome import Outcome
from allocations.sqs import queue_name, sns_notification
from allocations.sqs_body import parse_sqs_body
from allocations.state.ledger import Attempt
from allocations_local.services import unique_name
from tasks import app
from tasks import runtime as runtime_module
from tasks.ingest import PREFETCH, checked_queue_url, receive_once, sqs_connection
from tasks.ingest_batch import ReceiveBatch


def test_sns_wrapped_event_becomes_its_task_and_is_deleted_from_sqs(queues, redis_url):
    client, url, _, task_queue = queues
    received = parse_sqs_body(json.dumps({"MessageId": "sns-1", "Message": json.dumps(EVENT)}))
    client.send_message(QueueUrl=url, MessageBody=sns_notification(received))

    consume(load_settings(), url, until=lambda: depth(client, url) == 0)

    tasks = published_tasks(redis_url, task_queue)
    assert [t["headers"]["task"] for t in tasks] == ["allocations.person_allocated"]
    assert depth(client, url) == 0


def test_raw_delivery_reads_the_event_type_attribute(queues, redis_url):
    client, url, _, task_queue = queues
    bare = {k: v for k, v in EVENT.items() if k != "eventType"}
    client.send_message(
        QueueUrl=url,
        MessageBody=json.dumps(bare),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "event.manager.allocated"}},
    )

    consume(load_settings(), url, until=lambda: published_tasks(redis_url, task_queue))

    assert [t["headers"]["task"] for t in published_tasks(redis_url, task_queue)] == ["allocations.event_allocated"]


def test_unsupported_event_type_is_acked_without_a_task(queues, redis_url):
    client, url, _, task_queue = queues
    client.send_message(QueueUrl=url, MessageBody=json.dumps({**EVENT, "eventType": "probation-case.deleted"}))

    consume(load_settings(), url, until=lambda: depth(client, url) == 0)

    assert published_tasks(redis_url, task_queue) == []
    assert depth(client, url) == 0


def test_malformed_body_is_rejected_until_the_redrive_policy_moves_it_to_the_dlq(queues, redis_url):
    client, url, dlq_url, task_queue = queues
    client.send_message(QueueUrl=url, MessageBody="{not json")

    consume(load_settings(), url, until=lambda: depth(client, dlq_url) == 1)

    assert published_tasks(redis_url, task_queue) == []
    assert depth(client, url) == 0
    messages = client.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in messages] == ["{not json"]


def test_a_queue_without_redrive_policy_refuses_to_start(queues, caplog):
    client, _, _, _ = queues
    bare_queue = unique_name("no-redrive")
    client.create_queue(QueueName=bare_queue)
    settings = replace(load_settings(), sqs_queue=bare_queue)

    with pytest.raises(WorkerShutdown, match="has no RedrivePolicy"):
        checked_queue_url(settings)
    assert "Give it a dead-letter queue" in caplog.text


POISON_BODIES = [
    '{"__type__": "datetime", "__value__": "never"}',
    '{"properties": "not a mapping", "body": 1}',
    '{"properties": {"delivery_info": 3}, "body": "x", "content-type": "application/x-python-serialize"}',
    "1" * 5000,
    '{"Message": ' + "1" * 5000 + "}",
    "[" * 100_000 + "]" * 100_000,
    '{"a": ' * 5000 + "1" + "}" * 5000,
    "eyJfX3R5cGVfXyI6ICJ4In0=",  # base64 of a decoder-breaking object
    '{"Message": "{\\"eventType\\": 1}", "MessageId": {"x": 1}}',
    "\u0000",
    "null",
]


def test_poison_bodies_are_rejected_without_stopping_the_consumer_and_a_valid_event_behind_them_is_dispatched(
    queues, redis_url
):
    client, url, dlq_url, task_queue = queues
    for body in POISON_BODIES:
        client.send_message(QueueUrl=url, MessageBody=body)
    received = parse_sqs_body(json.dumps({"MessageId": "sns-after-poison", "Message": json.dumps(EVENT)}))
    client.send_message(QueueUrl=url, MessageBody=sns_notification(received))

    consume(load_settings(), url, until=lambda: depth(client, dlq_url) == len(POISON_BODIES), timeout=60)

    assert [t["headers"]["task"] for t in published_tasks(redis_url, task_queue)] == ["allocations.person_allocated"]
    assert depth(client, url) == 0
    assert depth(client, dlq_url) == len(POISON_BODIES)


def test_an_event_recorded_before_is_acked_without_a_second_task_once_final(queues, redis_url):
    client, url, _, task_queue = queues
    received = parse_sqs_body(json.dumps({"MessageId": "sns-final", "Message": json.dumps(EVENT)}))
    state = runtime_module.runtime().state
    state.receive(received)
    state.record_outcome(Attempt(received, 1, "t", None), Outcome.applied())
    client.send_message(QueueUrl=url, MessageBody=sns_notification(received))

    consume(load_settings(), url, until=lambda: depth(client, url) == 0)

    assert published_tasks(redis_url, task_queue) == []
    assert state.final_outcome("sns-final").outcome == "applied"


def test_an_event_that_cannot_be_recorded_is_released_not_acked_and_holds_no_delivery_slot(
    queues, redis_url, monkeypatch
):
    client, url, _, task_queue = queues
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/unreachable")
    for n in range(PREFETCH + 2):
        event = parse_sqs_body(json.dumps({"MessageId": f"sns-unrecorded-{n}", "Message": json.dumps(EVENT)}))
        client.send_message(QueueUrl=url, MessageBody=sns_notification(event))
    settings = load_settings()
    handled = []

    with sqs_connection(settings, url) as connection:
        channel = connection.default_channel
        batch = ReceiveBatch()
        consumer = Consumer(
            channel,
            [Queue(queue_name(url), no_declare=True)],
            on_message=lambda message: (batch.on_message(message), handled.append(message.delivery_tag)),
            prefetch_count=PREFETCH,
        )
        with consumer:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(handled) < PREFETCH + 2:
                receive_once(connection, channel, batch, timeout=1)
        assert len(handled) >= PREFETCH + 2
        unsettled = len(channel.qos._delivered) - len(channel.qos._dirty)  # kombu forgets settled ones lazily
        assert unsettled == 0

    assert published_tasks(redis_url, task_queue) == []
    assert depth(client, url) == PREFETCH + 2


def test_an_event_whose_task_cannot_be_published_is_acked_and_left_due_for_the_reconciler(queues, monkeypatch):
    client, url, _, _ = queues
    received = parse_sqs_body(json.dumps({"MessageId": "sns-unpublished", "Message": json.dumps(EVENT)}))
    client.send_message(QueueUrl=url, MessageBody=sns_notification(received))

    with RedisServer() as broker:
        broker.refuse_writes()  # maxmemory reached: every publish is refused
        monkeypatch.setenv("CELERY_BROKER_URL", broker.url)  # Celery reads it before its own setting
        monkeypatch.setitem(app.conf, "broker_url", broker.url)
        monkeypatch.setitem(app.conf, "task_publish_retry_policy", {"max_retries": 1, "interval_start": 0})
        monkeypatch.setattr(app, "_pool", None)  # connections to the refusing broker, dropped with it
        monkeypatch.setattr(app.amqp, "_producer_pool", None)
        consume(load_settings(), url, until=lambda: depth(client, url) == 0, timeout=30)
        app.pool.force_close_all()

    state = runtime_module.runtime().state
    assert depth(client, url) == 0
    assert state.operator_view.outcomes_for("sns-unpublished")[0].outcome == "pending"
    assert [e.event_id for e in state.claim_due() if e.event_id == "sns-unpublished"] == ["sns-unpublished"]
