"""SQS message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask) from a DLQ.

Not every SQS endpoint has them (moto answers a bare 500): those calls raise ``MoveTasksUnsupported``, and the
answer is remembered, so a page does not ask a local endpoint again on every load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# What endpoints without move tasks answer (moto: a bare 500).
UNSUPPORTED_CODES = frozenset(
    {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "InvalidAction", "500", "501"}
)
RUNNING = "RUNNING"
_LISTED = 10  # ListMessageMoveTasks' maximum


class MoveTasksUnsupported(Exception):
    """The SQS endpoint has no message move tasks."""


@dataclass(frozen=True)
class MoveTask:
    """One move task from the DLQ, as ListMessageMoveTasks reports it.

    Attributes:
        status: RUNNING, CANCELLING, CANCELLED, COMPLETED or FAILED.
        task_handle: the handle to cancel it with (SQS gives one only while it runs).
        moved: messages moved so far (approximate).
        to_move: messages it set out to move (approximate; None when SQS does not say).
        started_at: when it started, UTC.
        destination_arn: where it moves to (None: back to each message's source queue).
        failure_reason: why it failed, when it did.
    """

    status: str
    task_handle: str | None
    moved: int
    to_move: int | None
    started_at: datetime | None
    destination_arn: str | None
    failure_reason: str | None

    @property
    def running(self) -> bool:
        """True while the move runs (and so can be cancelled)."""
        return self.status == RUNNING and self.task_handle is not None


class MoveTasks:
    """The move-task calls on ``client``'s endpoint."""

    def __init__(self, client: SQSClient) -> None:
        self.client = client
        self.supported: bool | None = None  # None until the endpoint has answered once

    def start(self, source_arn: str, destination_arn: str) -> str:
        """Start moving every message of the source to the destination; the task's handle."""
        response = self._call("start_message_move_task", SourceArn=source_arn, DestinationArn=destination_arn)
        return str(response["TaskHandle"])

    def list(self, source_arn: str) -> list[MoveTask]:
        """The source's most recent move tasks (running or finished), newest first, as SQS lists them."""
        response = self._call("list_message_move_tasks", SourceArn=source_arn, MaxResults=_LISTED)
        return [_move_task(entry) for entry in response.get("Results", [])]

    def cancel(self, task_handle: str) -> int:
        """Cancel a running move task; how many messages it had moved."""
        response = self._call("cancel_message_move_task", TaskHandle=task_handle)
        return int(response.get("ApproximateNumberOfMessagesMoved", 0))

    def _call(self, operation: str, **parameters: Any) -> Any:
        if self.supported is False:
            raise MoveTasksUnsupported(f"This SQS endpoint has no {_action(operation)}")
        try:
            response = getattr(self.client, operation)(**parameters)
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in UNSUPPORTED_CODES:
                self.supported = False
                raise MoveTasksUnsupported(f"This SQS endpoint has no {_action(operation)}") from None
            raise
        self.supported = True
        return response


def _move_task(entry: dict[str, Any]) -> MoveTask:
    started = entry.get("StartedTimestamp")
    to_move = entry.get("ApproximateNumberOfMessagesToMove")
    return MoveTask(
        status=str(entry.get("Status", "")),
        task_handle=entry.get("TaskHandle"),
        moved=int(entry.get("ApproximateNumberOfMessagesMoved", 0)),
        to_move=int(to_move) if to_move is not None else None,
        started_at=datetime.fromtimestamp(int(started) / 1000, tz=UTC) if started is not None else None,
        destination_arn=entry.get("DestinationArn"),
        failure_reason=entry.get("FailureReason"),
    )


def _action(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))
