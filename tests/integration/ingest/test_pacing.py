"""The ingest leaves events on SQS while the workers have a backlog, and takes them together once it drains."""

import json
import socket
import threading
import time

import redis
from ingest_support import EVENT, depth, published_tasks
from kombu import Consumer, Queue

from allocations.config import load_settings
from allocations.sqs import queue_name, sns_notification
from allocations.sqs_body import parse_sqs_body
from tasks import app
from tasks.ingest import receive_once, sqs_connection
from tasks.ingest_batch import ReceiveBatch
from tasks.ingest_pacing import BrokerBacklog, Pacer


def broker(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url.replace("redis+socket://", "unix://"))


def test_the_backlog_is_the_number_of_tasks_waiting_in_the_celery_queue(queues, redis_url):
    _, _, _, task_queue = queues
    backlog = BrokerBacklog(app, task_queue)
    try:
        assert backlog() == 0  # no queue yet
        broker(redis_url).lpush(task_queue, *[b"{}"] * 5)
        assert backlog() == 5
    finally:
        backlog.close()


def test_an_unreachable_broker_counts_as_no_backlog(monkeypatch):
    for key in ("broker_url", "broker_read_url"):
        monkeypatch.setitem(app.conf, key, "redis://127.0.0.1:9/0")
    monkeypatch.setitem(app.conf, "broker_connection_timeout", 0.5)
    backlog = BrokerBacklog(app, "anything")
    started = time.monotonic()

    assert backlog() == 0
    assert time.monotonic() - started < 10
    started = time.monotonic()
    assert backlog() == 0  # not asked again at once: no second connection attempt
    assert time.monotonic() - started < 0.1


def test_a_broker_that_never_answers_does_not_hold_the_ingest(monkeypatch):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts every connection, never answers
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(silent.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    for key in ("broker_url", "broker_read_url"):  # the read URL, once resolved, no longer follows broker_url
        monkeypatch.setitem(app.conf, key, f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
    backlog = BrokerBacklog(app, "anything")
    readings: list[int] = []
    reader = threading.Thread(target=lambda: readings.append(backlog()), daemon=True)
    try:
        reader.start()
        reader.join(10)
        assert readings == [0]  # answered (no backlog) instead of waiting for the broker for ever
    finally:
        for connection in held:
            connection.close()
        silent.close()


def test_events_wait_on_sqs_while_the_workers_have_a_backlog(queues, redis_url):
    client, url, _, task_queue = queues
    waiting = broker(redis_url)
    waiting.lpush(task_queue, *[b"{}"] * 8)  # tasks the workers have not taken yet
    for number in range(3):
        event = {**EVENT, "detailUrl": f"{EVENT['detailUrl']}-paced-{number}"}
        received = parse_sqs_body(json.dumps({"MessageId": f"sns-paced-{number}", "Message": json.dumps(event)}))
        client.send_message(QueueUrl=url, MessageBody=sns_notification(received))
    backlog = BrokerBacklog(app, task_queue)
    pacer = Pacer(backlog, limit=8, max_pause=5)
    stopping = threading.Event()
    drained = threading.Timer(1.0, lambda: waiting.delete(task_queue))  # the workers catch up after a second

    batch = ReceiveBatch()
    with sqs_connection(load_settings(), url) as connection:
        channel = connection.default_channel
        with Consumer(channel, [Queue(queue_name(url), no_declare=True)], on_message=batch.on_message):
            started = time.monotonic()
            drained.start()
            waited = pacer.wait(stopping)
            handled = receive_once(connection, channel, batch, timeout=1)
    backlog.close()

    assert 0.9 <= waited < 4  # waited for the backlog, not for its whole pause
    assert time.monotonic() - started >= 0.9
    assert handled == 3  # the three events, taken by one receive
    assert len(published_tasks(redis_url, task_queue)) == 3
    assert depth(client, url) == 0
