"""The events queue and its DLQ on SQS (boto3): clients, queue URLs, the redrive check, dead-letter sends."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

    from allocations.events import ReceivedEvent

MAX_RECEIVE_COUNT = 3


class QueueMisconfigured(Exception):
    """The events queue cannot be consumed safely (no RedrivePolicy: rejected messages would be lost)."""


def sqs_client(region: str, endpoint_url: str | None = None) -> SQSClient:
    """A boto3 SQS client for the region and endpoint (botocore honours AWS_ENDPOINT_URL_SQS too)."""
    return boto3.client("sqs", region_name=region, endpoint_url=endpoint_url)


def queue_url(client: SQSClient, name_or_url: str) -> str:
    """The queue URL for a queue name or URL."""
    if name_or_url.startswith(("http://", "https://")):
        return name_or_url
    return client.get_queue_url(QueueName=name_or_url)["QueueUrl"]


def queue_name(name_or_url: str) -> str:
    """The queue name for a queue name or URL."""
    return name_or_url.rstrip("/").rsplit("/", 1)[-1]


def require_redrive_policy(client: SQSClient, url: str) -> dict[str, Any]:
    """The queue's RedrivePolicy; raise QueueMisconfigured when it has none."""
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"]).get("Attributes", {})
    if "RedrivePolicy" not in attributes:
        raise QueueMisconfigured(
            f"SQS queue {url} has no RedrivePolicy: malformed messages would be deleted instead of dead-lettered. "
            "Give it a dead-letter queue (maxReceiveCount 3) before starting the worker."
        )
    policy: dict[str, Any] = json.loads(attributes["RedrivePolicy"])
    return policy


def sns_notification(received: ReceivedEvent) -> str:
    """The SQS body an SNS topic would deliver for this event; its MessageId keeps the event id stable."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": received.event_id,
            "Message": json.dumps(received.payload),
            "MessageAttributes": {"eventType": {"Type": "String", "Value": received.event_type}},
        }
    )


def send_event(client: SQSClient, url: str, received: ReceivedEvent) -> str:
    """Send the event, SNS-wrapped, to the queue at ``url``; returns the SQS message id."""
    response = client.send_message(
        QueueUrl=url,
        MessageBody=sns_notification(received),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": received.event_type}},
    )
    return response["MessageId"]
