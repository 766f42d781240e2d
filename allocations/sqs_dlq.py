"""The SQS DLQ of poison messages (never became tasks): its depth, a non-consuming peek, and redrive.

Redrive uses StartMessageMoveTask where the endpoint supports it, else receive-send-delete; both are safe to repeat
(a message sent but not yet deleted is delivered twice at worst, and the event id makes the second a duplicate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from allocations.errors import InvalidMessage
from allocations.sqs import queue_url
from allocations.sqs_body import parse_sqs_body

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# What endpoints without StartMessageMoveTask answer (moto: a bare 500).
_UNSUPPORTED = {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "InvalidAction", "500", "501"}
_BATCH = 10


@dataclass(frozen=True)
class DlqDepth:
    """Approximate message counts of the DLQ."""

    queue_url: str
    visible: int
    in_flight: int


@dataclass(frozen=True)
class PeekedMessage:
    """A DLQ message as it is, with the event id and type when the body can be read."""

    message_id: str
    body: str
    receive_count: int
    sent_at: str | None
    event_id: str | None
    event_type: str | None
    problem: str | None


@dataclass(frozen=True)
class RedriveResult:
    """How messages were moved back: ``move-task`` (asynchronous, with its handle) or ``receive-send-delete``."""

    method: str
    moved: int | None
    task_handle: str | None = None


class SqsDlq:
    """The DLQ ``dlq`` of the events queue ``queue`` (names or URLs) on ``client``'s endpoint."""

    def __init__(self, client: SQSClient, queue: str, dlq: str) -> None:
        self.client = client
        self.queue = queue
        self.dlq = dlq

    def depth(self) -> DlqDepth:
        """Visible and in-flight message counts."""
        url = queue_url(self.client, self.dlq)
        attributes = self.client.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        visible = attributes.get("ApproximateNumberOfMessages", "0")
        return DlqDepth(url, int(visible), int(attributes.get("ApproximateNumberOfMessagesNotVisible", "0")))

    def peek(self, max_messages: int = 10) -> list[PeekedMessage]:
        """Up to ``max_messages`` messages, left visible (VisibilityTimeout 0), so nothing is consumed."""
        url = queue_url(self.client, self.dlq)
        seen: dict[str, PeekedMessage] = {}
        for _ in range(max(1, -(-max_messages // _BATCH)) * 2):
            batch = self._receive(url, min(_BATCH, max_messages - len(seen)), visibility_timeout=0)
            fresh = [m for m in batch if m["MessageId"] not in seen]
            if not fresh:
                break
            for message in fresh:
                seen[message["MessageId"]] = _peeked(message)
            if len(seen) >= max_messages:
                break
        return list(seen.values())

    def redrive(self, max_messages: int | None = None) -> RedriveResult:
        """Move DLQ messages back to the events queue (all, or at most ``max_messages``)."""
        source, destination = queue_url(self.client, self.dlq), queue_url(self.client, self.queue)
        try:
            options: dict[str, Any] = {"MaxNumberOfMessagesPerSecond": 50} if max_messages else {}
            handle = self.client.start_message_move_task(
                SourceArn=self._arn(source), DestinationArn=self._arn(destination), **options
            )["TaskHandle"]
            return RedriveResult("move-task", None, handle)
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) not in _UNSUPPORTED:
                raise
        return RedriveResult("receive-send-delete", self._move_by_hand(source, destination, max_messages))

    def _move_by_hand(self, source: str, destination: str, max_messages: int | None) -> int:
        moved = 0
        while max_messages is None or moved < max_messages:
            wanted = _BATCH if max_messages is None else min(_BATCH, max_messages - moved)
            batch = self._receive(source, wanted, visibility_timeout=60)
            if not batch:
                break
            for message in batch:
                attributes = message.get("MessageAttributes")
                self.client.send_message(
                    QueueUrl=destination,
                    MessageBody=message["Body"],
                    **({"MessageAttributes": attributes} if attributes else {}),
                )
                self.client.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
        return moved

    def _receive(self, url: str, count: int, visibility_timeout: int) -> list[Any]:
        response = self.client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=max(1, count),
            VisibilityTimeout=visibility_timeout,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(response.get("Messages", []))

    def _arn(self, url: str) -> str:
        attributes = self.client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        return attributes["QueueArn"]


def _peeked(message: Any) -> PeekedMessage:
    attributes = message.get("Attributes", {})
    event_id = event_type = problem = None
    try:
        received = parse_sqs_body(message["Body"], message.get("MessageAttributes"))
        event_id, event_type = received.event_id, received.event_type
    except InvalidMessage as error:
        problem = str(error)
    return PeekedMessage(
        message_id=message["MessageId"],
        body=message["Body"],
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        sent_at=attributes.get("SentTimestamp"),
        event_id=event_id,
        event_type=event_type,
        problem=problem,
    )
