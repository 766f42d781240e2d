"""Create the events queue and its DLQ the way production has them: local stack and tests only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from allocations.sqs import MAX_RECEIVE_COUNT, queue_name

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


def create_queues(client: SQSClient, queue: str, dlq: str, visibility_timeout: int = 30) -> tuple[str, str]:
    """Create the events queue and its DLQ, wired by a RedrivePolicy; returns both queue URLs.

    Args:
        client: The SQS client (a local endpoint).
        queue: The events queue's name or URL.
        dlq: The dead-letter queue's name or URL.
        visibility_timeout: The events queue's visibility timeout, in seconds.
    """
    dlq_url = client.create_queue(QueueName=queue_name(dlq))["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)})
    url = client.create_queue(
        QueueName=queue_name(queue),
        Attributes={"RedrivePolicy": policy, "VisibilityTimeout": str(visibility_timeout)},
    )["QueueUrl"]
    return url, dlq_url
