"""The SQS ingest: a step of the worker that turns SNS-wrapped domain events into Celery tasks.

It owns a separate kombu connection on the SQS transport (the Celery broker is Redis). Each event is recorded in
the service's ledger before its SQS message is deleted; from then on the ledger, not the broker, guarantees it:
a task the broker loses or cannot publish is dispatched again by the reconciler. A message whose event could not be
recorded is released, not acked, and SQS shows it again. A body that cannot be read is rejected: the queue's
RedrivePolicy moves it to the SQS DLQ after maxReceiveCount receives. No body, and no SQS error, stops the worker.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

from celery import bootsteps
from celery.exceptions import WorkerShutdown
from kombu.connection import Connection
from kombu.entity import Queue
from kombu.messaging import Consumer

from allocations.config import Settings, load_settings
from allocations.sqs import QueueMisconfigured, queue_name, queue_url, require_redrive_policy, sqs_client
from tasks.app import app
from tasks.heartbeat import INGEST as HEARTBEAT
from tasks.ingest_batch import ReceiveBatch
from tasks.ingest_pacing import BrokerBacklog, Pacer
from tasks.sqs_transport import RawBodyChannel, RawBodyTransport

log = logging.getLogger("allocations.ingest")

# Redelivery after a crash, and the pace at which a rejected message reaches the DLQ, follow the queue's own
# VisibilityTimeout: kombu applies its visibility_timeout option only to queues it creates itself.
WAIT_TIME_SECONDS = 2
PREFETCH = 10
MAX_RECONNECT_DELAY = 30.0


class SqsIngest(bootsteps.StartStopStep):  # type: ignore[misc]
    """Consumes ``SQS_QUEUE`` in a thread of the worker's main process and dispatches one task per event.

    A thread of its own, not the worker's event loop: Celery resets that loop (its timers and its readers) whenever
    it reconnects to the broker, and an SQS consumer registered there stopped receiving for good (measured after a
    Redis restart). The thread depends on nothing but SQS and the ledger, and outlives any broker outage.
    """

    requires = ("tasks.startup:TimeLimitsCheck",)

    def __init__(self, parent: Any, *, sqs_ingest: bool = True, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.enabled = sqs_ingest
        self.loop: IngestLoop | None = None

    def start(self, parent: Any) -> None:  # noqa: ARG002 - the worker is not needed
        """Check the queue (refuse to start on one without a RedrivePolicy), then consume it."""
        settings = load_settings()
        self.loop = IngestLoop(settings, checked_queue_url(settings))
        self.loop.start()

    def stop(self, parent: Any) -> None:  # noqa: ARG002 - the worker is not needed
        """Stop receiving; messages received and not yet settled become visible again on SQS."""
        if self.loop is not None:
            self.loop.stop()
            self.loop = None


class IngestLoop:
    """Receive, record, dispatch, ack: one SQS connection, reopened with backoff after any error."""

    def __init__(self, settings: Settings, url: str) -> None:
        self.settings = settings
        self.url = url
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="sqs-ingest", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self.thread.start()

    def stop(self) -> None:
        """Ask the thread to stop, and wait for it a little longer than one long poll."""
        self.stopping.set()
        self.thread.join(WAIT_TIME_SECONDS + 5)

    def run(self) -> None:
        """Consume until stopped; after an error (SQS unreachable, a botocore error) wait and reconnect."""
        failures = 0
        while not self.stopping.is_set():
            HEARTBEAT.beat()
            try:
                self.consume()
                failures = 0
            except Exception:
                failures += 1
                delay = min(MAX_RECONNECT_DELAY, 0.5 * 2**failures)
                log.warning("SQS ingest interrupted; reconnecting in %.1f s", delay, exc_info=True)
                HEARTBEAT.beat(pause=delay)  # waiting on purpose: alive (readiness reports SQS)
                self.stopping.wait(delay)

    def consume(self) -> None:
        """One connection's worth of receiving, paced by the workers' backlog (``tasks.ingest_pacing``)."""
        backlog = BrokerBacklog(app, app.conf.task_default_queue)
        pacer = Pacer(backlog, self.settings.ingest_max_backlog)
        with sqs_connection(self.settings, self.url) as connection, contextlib.closing(backlog):
            queue = Queue(queue_name(self.url), no_declare=True)
            channel = connection.default_channel
            batch = ReceiveBatch()
            with Consumer(channel, [queue], on_message=batch.on_message, prefetch_count=PREFETCH):
                while not self.stopping.is_set():
                    HEARTBEAT.beat()  # the liveness probe fails when receive calls stop (INGEST_STALL_AFTER)
                    pacer.wait(self.stopping)
                    receive_once(connection, channel, batch)


def receive_once(
    connection: Connection, channel: RawBodyChannel, batch: ReceiveBatch, timeout: float = WAIT_TIME_SECONDS + 1
) -> int:
    """One receive: its events recorded together, its messages deleted together, then dispatched; how many."""
    with contextlib.suppress(TimeoutError, socket.timeout):
        connection.drain_events(timeout=timeout)
    return batch.handle(delete_acked=channel.flush_acks)


def sqs_connection(settings: Settings, url: str) -> Connection:
    """A kombu SQS connection; the endpoint comes from the URL host (kombu ignores predefined queue hosts)."""
    options: dict[str, Any] = {
        "region": settings.aws_region,
        "predefined_queues": {queue_name(url): {"url": url}},
        "wait_time_seconds": WAIT_TIME_SECONDS,
        # Long polling already waits for messages: no extra client-side pause after an empty poll.
        "polling_interval": 0,
        # kombu rewrites ['All'] into a form some endpoints ignore: name the one attribute raw delivery needs.
        "fetch_message_attributes": {"MessageAttributeNames": ["eventType"]},
    }
    broker = "sqs://"
    if settings.sqs_endpoint_url:
        endpoint = urlsplit(settings.sqs_endpoint_url)
        options["is_secure"] = endpoint.scheme == "https"
        broker = f"sqs://@{endpoint.netloc}"
    return Connection(broker, transport=RawBodyTransport, transport_options=options)


def checked_queue_url(settings: Settings) -> str:
    """The events queue URL, once it is known to have a RedrivePolicy; else stop the worker with the reason."""
    client = sqs_client(settings.aws_region, settings.sqs_endpoint_url)
    url = queue_url(client, settings.sqs_queue)
    try:
        require_redrive_policy(client, url)
    except QueueMisconfigured as error:
        log.critical("%s", error)
        raise WorkerShutdown(str(error)) from None
    return url
