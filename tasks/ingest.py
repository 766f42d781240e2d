"""The SQS ingest: a consumer step in the worker that turns SNS-wrapped domain events into Celery tasks.

It owns a separate kombu connection on the SQS transport (the Celery broker is Redis). Each event is recorded in
the service's ledger before its SQS message is deleted; from then on the ledger, not the broker, guarantees it:
a task the broker loses or cannot publish is dispatched again by the reconciler. A message whose event could not be
recorded is released, not acked, and SQS shows it again. A body that cannot be read is rejected: the queue's
RedrivePolicy moves it to the SQS DLQ after maxReceiveCount receives. No body, and no SQS error, stops the worker.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from celery import bootsteps
from celery.exceptions import WorkerShutdown
from kombu.connection import Connection
from kombu.entity import Queue
from kombu.messaging import Consumer

from allocations.config import Settings, load_settings
from allocations.events import MalformedMessage, ReceivedEvent, parse_sqs_body
from allocations.outcome import Outcome
from allocations.sqs import QueueMisconfigured, queue_name, queue_url, require_redrive_policy, sqs_client
from tasks.dispatch import dispatch, task_name
from tasks.failure import payload_crn
from tasks.runtime import runtime
from tasks.sqs_transport import RawBodyTransport

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
        self.queue_url: str | None = None

    def get_consumers(self, channel: Any) -> list[Consumer]:  # noqa: ARG002 - the broker channel is not ours
        """One consumer on the events queue, on our own SQS connection."""
        settings = load_settings()
        if self.queue_url is None:
            # Checked once, at start-up: a consumer restart (after a broker outage) must not depend on SQS answering.
            self.queue_url = checked_queue_url(settings)
        self.connection = sqs_connection(settings, self.queue_url)
        queue = Queue(queue_name(self.queue_url), no_declare=True)
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
    return Connection(broker, transport=RawBodyTransport, transport_options=options)


def on_message(message: Message) -> None:
    """Handle one SQS message; whatever goes wrong, the message is acked, rejected or released, never held."""
    sqs_message = message.delivery_info.get("sqs_message", {})
    try:
        settle = handle(message.body, sqs_message.get("MessageAttributes"))
    except Exception:
        log.exception("could not record SQS message %r; released, SQS shows it again", sqs_message.get("MessageId"))
        settle = Settle.RELEASE
    try:
        if settle is Settle.ACK:
            message.ack()
        elif settle is Settle.REJECT:
            message.reject()
        else:
            message.channel.release(message.delivery_tag)
    except Exception:
        # kombu has freed the delivery's slot; SQS shows the message again and the ledger knows it already.
        log.warning("could not settle SQS message %r", sqs_message.get("MessageId"), exc_info=True)


class Settle(Enum):
    """What happens to an SQS message once the ingest is done with it."""

    ACK = "ack"  # recorded in the ledger (or nothing to record): deleted from the queue
    REJECT = "reject"  # can never become an event: left for the RedrivePolicy to move to the SQS DLQ
    RELEASE = "release"  # not recorded: left on the queue for another receive


def handle(body: str, attributes: Any) -> Settle:
    """Parse, record in the ledger, dispatch; say what to do with the SQS message."""
    try:
        received = parse_sqs_body(body, attributes)
    except MalformedMessage as error:
        log.warning("outcome='rejected' error=%r", str(error))
        return Settle.REJECT
    state = runtime().state
    supported = task_name(received.event_type) is not None
    unsupported = None if supported else Outcome.ignored("Unsupported event type")
    detail_url = received.payload.get("detailUrl")
    receipt = state.receive(
        received,
        crn=payload_crn(received.payload),
        detail_url=detail_url if isinstance(detail_url, str) else None,
        final=unsupported,
    )
    if unsupported is not None:
        log.info("outcome='ignored' event_id=%r event_type=%r reason=%r", received.event_id, received.event_type,
                 unsupported.reason)  # fmt: skip
    elif receipt.final:
        log.info("outcome='already-final' event_id=%r state=%r", received.event_id, receipt.state)
    else:
        _dispatch(received)
    return Settle.ACK


def _dispatch(received: ReceivedEvent) -> None:
    try:
        task_id = dispatch(received)
    except Exception:
        log.warning("could not publish event %s; the reconciler dispatches it", received.event_id, exc_info=True)
        runtime().state.due_now(received.event_id)
        return
    log.info(
        "outcome='dispatched' event_id=%r event_type=%r task_id=%r", received.event_id, received.event_type, task_id
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
