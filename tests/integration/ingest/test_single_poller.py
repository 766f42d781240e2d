"""Inside a worker, the ingest's thread is the only one that polls the events queue.

A Celery worker's main process has a kombu event loop (a ``Hub``), and kombu's SQS channel registers its consumers
on whatever loop the process has. The ingest's channel, opened in its own thread, must not: a second poller on the
worker's loop took half of the messages, handed them to the ingest's receive batch from another thread, and left
them there until the ingest's own long polls timed out (about 4 s for an event sent alone).
"""

import json
import time

from ingest_support import EVENT, depth, published_tasks
from kombu import Consumer, Queue
from kombu.asynchronous import Hub, set_event_loop

from allocations.config import load_settings
from allocations.sqs import queue_name, sns_notification
from allocations.sqs_body import parse_sqs_body
from tasks.ingest import receive_once, sqs_connection
from tasks.ingest_batch import ReceiveBatch


class RecordingHub(Hub):
    """A worker's event loop that records what is scheduled on it instead of running it."""

    def __init__(self) -> None:
        super().__init__()
        self.scheduled: list[object] = []

    def call_soon(self, callback, *args):
        self.scheduled.append((callback, args))

    def call_later(self, delay, callback, *args):
        self.scheduled.append((delay, callback, args))


def test_the_ingest_schedules_no_poll_on_the_workers_event_loop(queues, redis_url):
    client, url, _, task_queue = queues
    hub = RecordingHub()
    set_event_loop(hub)  # as in a worker's main process
    try:
        batch = ReceiveBatch()
        with sqs_connection(load_settings(), url) as connection:
            channel = connection.default_channel
            with Consumer(channel, [Queue(queue_name(url), no_declare=True)], on_message=batch.on_message):
                received = parse_sqs_body(json.dumps({"MessageId": "sns-alone", "Message": json.dumps(EVENT)}))
                client.send_message(QueueUrl=url, MessageBody=sns_notification(received))
                started = time.monotonic()
                handled = receive_once(connection, channel, batch, timeout=5)
                elapsed = time.monotonic() - started
    finally:
        set_event_loop(None)

    assert hub.scheduled == []
    assert handled == 1
    assert elapsed < 1.5  # the long poll returned with the message, not at its end
    assert [t["headers"]["task"] for t in published_tasks(redis_url, task_queue)] == ["allocations.person_allocated"]
    assert depth(client, url) == 0
