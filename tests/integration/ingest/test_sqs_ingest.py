"""The ingest consumer against a real SQS endpoint (moto server) and a real Redis broker."""

import contextlib
import json
import time
from dataclasses import replace

import pytest
import redis
from celery.exceptions import WorkerShutdown
from kombu import Consumer, Queue

from allocations.config import Settings, load_settings
from allocations.events import parse_sqs_body
from allocations.local.environment import LocalStack, service_environment
from allocations.local.services import unique_name
from allocations.sqs import create_queues, queue_name, sns_notification, sqs_client
from tasks import app
from tasks.ingest import checked_queue_url, on_message, sqs_connection

EVENT = {
    "eventType": "person.community.manager.allocated",
    "detailUrl": "http://127.0.0.1:1/allocation/person/9a1e0c55",
    "personReference": {"identifiers": [{"type": "CRN", "value": "A987654"}]},
}


@pytest.fixture
def queues(sqs_endpoint, redis_url, monkeypatch):
    name = unique_name("ingest")
    stack = LocalStack(
        "postgresql+psycopg://unused/db", redis_url, sqs_endpoint, name, f"{name}-dlq", "http://x", "http://x/t"
    )
    for key, value in service_environment(stack).items():
        monkeypatch.setenv(key, value)
    client = sqs_client("eu-west-2", sqs_endpoint)
    url, dlq_url = create_queues(client, name, f"{name}-dlq", visibility_timeout=1)
    task_queue = unique_name("tasks")
    saved = {key: app.conf[key] for key in ("broker_url", "task_default_queue")}
    app.conf.update(broker_url=redis_url, task_default_queue=task_queue)
    yield client, url, dlq_url, task_queue
    app.conf.update(saved)


def consume(settings: Settings, url: str, until, timeout: float = 15.0) -> None:
    """Run the ingest consumer until ``until()`` holds (the test then asserts the details)."""
    with sqs_connection(settings, url) as connection:
        consumer = Consumer(
            connection.default_channel, [Queue(queue_name(url), no_declare=True)], on_message=on_message
        )
        with consumer:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not until():
                with contextlib.suppress(TimeoutError):
                    connection.drain_events(timeout=1)


def depth(client, url) -> int:
    attributes = client.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def published_tasks(redis_url: str, task_queue: str) -> list[dict]:
    client = redis.Redis.from_url(redis_url.replace("redis+socket://", "unix://"))
    return [json.loads(raw) for raw in client.lrange(task_queue, 0, -1)]


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
