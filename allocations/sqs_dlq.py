"""The SQS DLQ of poison messages (never became tasks): its depth, a non-consuming peek, redrive and its moves.

"Move all" uses StartMessageMoveTask where the endpoint supports it (a move that runs in SQS, listed by
ListMessageMoveTasks and cancelled by CancelMessageMoveTask), else receive-send-delete. "Move at most N" always uses
receive-send-delete: a move task has a rate but no count. Both are safe to repeat (a message sent but not yet deleted
is delivered twice at worst, and the event id makes the second a duplicate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from allocations.printable import printable, printable_text
from allocations.sqs import queue_url
from allocations.sqs_body import parse_sqs_body
from allocations.sqs_moves import MoveTask, MoveTasks, MoveTasksUnsupported

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

__all__ = ["DlqDepth", "MoveTask", "MoveTasksUnsupported", "PeekedMessage", "RedriveResult", "SqsDlq"]

_BATCH = 10
_IN_FLIGHT_WHILE_MOVING = 60  # seconds a received message stays hidden between its send and its delete


@dataclass(frozen=True)
class DlqDepth:
    """Approximate message counts of the DLQ."""

    queue_url: str
    visible: int
    in_flight: int


@dataclass(frozen=True)
class PeekedMessage:
    """A DLQ message as it can be shown, with the event id and type when the body can be read.

    ``body`` is escaped and cut (``allocations.printable``); ``body_size`` is the original's size in bytes.
    """

    message_id: str
    body: str
    receive_count: int
    sent_at: str | None
    event_id: str | None
    event_type: str | None
    problem: str | None
    body_size: int = 0
    body_escaped: bool = False
    body_truncated: bool = False


@dataclass(frozen=True)
class RedriveResult:
    """How messages were moved back: ``move-task`` (asynchronous, with its handle) or ``receive-send-delete``.

    ``requested`` is the "at most" asked for (None: all); ``moved`` is None for a move task, which reports later.
    """

    method: str
    moved: int | None
    task_handle: str | None = None
    requested: int | None = None


class SqsDlq:
    """The DLQ ``dlq`` of the events queue ``queue`` (names or URLs) on ``client``'s endpoint."""

    def __init__(self, client: SQSClient, queue: str, dlq: str) -> None:
        self.client = client
        self.queue = queue
        self.dlq = dlq
        self.move_tasks = MoveTasks(client)

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
            for message in fresh[: max_messages - len(seen)]:
                seen[message["MessageId"]] = _peeked(message)
            if len(seen) >= max_messages:
                break
        return list(seen.values())

    def redrive(self, max_messages: int | None = None) -> RedriveResult:
        """Move DLQ messages back to the events queue: all, or at most ``max_messages`` (never more)."""
        if max_messages is not None and max_messages < 1:
            raise ValueError("max_messages must be a positive number")
        source, destination = queue_url(self.client, self.dlq), queue_url(self.client, self.queue)
        if max_messages is None:
            try:
                handle = self.move_tasks.start(self._arn(source), self._arn(destination))
                return RedriveResult("move-task", None, handle)
            except MoveTasksUnsupported:
                pass
            # Bounded by what waits now: a message that comes back while the move runs waits for the next one.
            max_messages = self.depth().visible
            moved = self._move_by_hand(source, destination, max_messages)
            return RedriveResult("receive-send-delete", moved)
        moved = self._move_by_hand(source, destination, max_messages)
        return RedriveResult("receive-send-delete", moved, requested=max_messages)

    def moves(self) -> list[MoveTask]:
        """The DLQ's recent move tasks, newest first (MoveTasksUnsupported where the endpoint has none)."""
        return self.move_tasks.list(self._arn(queue_url(self.client, self.dlq)))

    def cancel_move(self, task_handle: str) -> int:
        """Cancel a running move task; how many messages it had moved (MoveTasksUnsupported where it cannot)."""
        return self.move_tasks.cancel(task_handle)

    def _move_by_hand(self, source: str, destination: str, max_messages: int) -> int:
        moved = 0
        while moved < max_messages:
            wanted = min(_BATCH, max_messages - moved)
            batch = self._receive(source, wanted, visibility_timeout=_IN_FLIGHT_WHILE_MOVING)
            if not batch:
                break
            for message in batch[:wanted]:
                attributes = message.get("MessageAttributes")
                self.client.send_message(
                    QueueUrl=destination,
                    MessageBody=message["Body"],
                    **({"MessageAttributes": attributes} if attributes else {}),
                )
                self.client.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
            for message in batch[wanted:]:  # never more than asked for, even from an endpoint that over-delivers
                self.client.change_message_visibility(
                    QueueUrl=source, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
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
    raw = message.get("Body")
    body = raw if isinstance(raw, str) else repr(raw)
    event_id = event_type = problem = None
    try:
        received = parse_sqs_body(body, message.get("MessageAttributes"))
        event_id, event_type = printable_text(received.event_id, 200), printable_text(received.event_type, 200)
    except Exception as error:  # noqa: BLE001 - a peek shows why a body cannot be read, whatever the reason
        problem = printable_text(str(error), 500)
    shown = printable(body)
    return PeekedMessage(
        message_id=printable_text(str(message.get("MessageId", "")), 200),
        body=shown.text,
        receive_count=_whole(attributes.get("ApproximateReceiveCount")),
        sent_at=attributes.get("SentTimestamp"),
        event_id=event_id,
        event_type=event_type,
        problem=problem,
        body_size=shown.size,
        body_escaped=shown.escaped,
        body_truncated=shown.truncated,
    )


def _whole(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
