"""What the ingest tests share: a domain event, running the real receive loop, and reading the queues."""

import json
import time

import redis
from kombu import Consumer, Queue

from allocations.config import Settings
from allocations.sqs import queue_name
from tasks.ingest import receive_once, sqs_connection
from tasks.ingest_batch import ReceiveBatch

EVENT = {
    "eventType": "person.community.manager.allocated",
    "detailUrl": "http://127.0.0.1:1/allocation/person/9a1e0c55",
    "personReference": {"identifiers": [{"type": "CRN", "value": "A987654"}]},
}


def consume(settings: Settings, url: str, until, timeout: float = 15.0) -> None:
    """Run the ingest consumer until ``until()`` holds (the test then asserts the details)."""
    batch = ReceiveBatch()
    with sqs_connection(settings, url) as connection:
        consumer = Consumer(
            connection.default_channel, [Queue(queue_name(url), no_declare=True)], on_message=batch.on_message
        )
        with consumer:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not until():
                receive_once(connection, connection.default_channel, batch, timeout=1)


def depth(client, url) -> int:
    attributes = client.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def published_tasks(redis_url: str, task_queue: str) -> list[dict]:
    client = redis.Redis.from_url(redis_url.replace("redis+socket://", "unix://"))
    return [json.loads(raw) for raw in client.lrange(task_queue, 0, -1)]
