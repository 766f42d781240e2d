"""The SQS ingest: a consumer step in the worker that turns SNS-wrapped domain events into Celery tasks.

It owns a separate kombu connection on the SQS transport (the Celery broker is Redis). A message is acked only
after its task was published, so a killed worker re-delivers it (at least once, never lost). A body that cannot be
read is rejected: the queue's RedrivePolicy moves it to the SQS DLQ after maxReceiveCount receives. A raw SQS
message is never requeued (kombu cannot requeue it: KeyError 'exchange').
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from celery import bootsteps
from celery.exceptions import WorkerShutdown
from kombu.connection import Connection
from kombu.entity import Queue
from kombu.messaging import Consumer

from allocations.config import Settings, load_settings
from allocations.events import MalformedMessage, parse_sqs_body
from allocations.sqs import QueueMisconfigured, queue_name, queue_url, require_redrive_policy, sqs_client
from tasks.dispatch import dispatch, task_name

if TYPE_CHECKING:
    from kombu.message import Message

log = logging.getLogger("allocations.ingest")

# Redelivery after a crash, and the pace at which a rejected message reaches the DLQ, follow the queue's own
# VisibilityTimeout: kombu applies its visibility_timeout option only to queues it creates itself.
WAIT_TIME_SECONDS = 2
PREFETCH = 10


class SqsIngest(bootsteps.ConsumerStep):  # type: ignore[misc]
    """Consumes ``SQS_QUEUE`` inside the worker's event loop and dispatches one task per event."""

    def __init__(self, parent: Any, *, sqs_ingest: bool = True, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.enabled = sqs_ingest
        self.connection: Connection | None = None

    def get_consumers(self, channel: Any) -> list[Consumer]:  # noqa: ARG002 - the broker channel is not ours
        """One consumer on the events queue, on our own SQS connection."""
        settings = load_settings()
        url = checked_queue_url(settings)
        self.connection = sqs_connection(settings, url)
        queue = Queue(queue_name(url), no_declare=True)
        return [
            Consumer(
                self.connection.default_channel,
                queues=[queue],
                on_message=on_message,
                prefetch_count=PREFETCH,
            )
        ]

    def shutdown(self, c: Any) -> None:
        """Close the consumers, then our SQS connection."""
        super().shutdown(c)
        if self.connection is not None:
            self.connection.release()
            self.connection = None


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
    return Connection(broker, transport_options=options)


def on_message(message: Message) -> None:
    """Parse, dispatch, ack; or reject what can never become an event."""
    sqs_message = message.delivery_info.get("sqs_message", {})
    try:
        received = parse_sqs_body(message.body, sqs_message.get("MessageAttributes"))
    except MalformedMessage as error:
        log.warning("outcome='rejected' sqs_message_id=%r error=%r", sqs_message.get("MessageId"), str(error))
        message.reject()
        return
    if task_name(received.event_type) is None:
        log.info(
            "outcome='ignored' event_id=%r event_type=%r reason='Unsupported event type'",
            received.event_id,
            received.event_type,
        )
        message.ack()
        return
    try:
        task_id = dispatch(received)
    except Exception:
        # Not acked: SQS re-delivers after the visibility timeout (and dead-letters after maxReceiveCount).
        log.exception("could not publish event %s; left on the queue", received.event_id)
        return
    message.ack()
    log.info(
        "outcome='dispatched' event_id=%r event_type=%r task_id=%r",
        received.event_id,
        received.event_type,
        task_id,
    )


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
