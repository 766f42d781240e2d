"""Publish allocations the way Workload does: the detail served by the stub, the SNS-wrapped event on SQS."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from allocations.event_types import EventType
from allocations.events import ReceivedEvent
from allocations.sqs import send_event

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

    from allocations_local.workload_stub import WorkloadStub

# Workload's detail paths: /allocation/person/{id}, /allocation/event/{id}, /allocation/requirements/{id} ...
DETAIL_KIND = {
    EventType.PERSON: "person",
    EventType.EVENT: "event",
    EventType.REQUIREMENT: "requirements",
    EventType.LICENCE_CONDITION: "licence-conditions",
}
DESCRIPTION = {
    EventType.PERSON: "Person allocated event",
    EventType.EVENT: "Event allocated event",
    EventType.REQUIREMENT: "Requirement allocated event",
    EventType.LICENCE_CONDITION: "Licence condition allocated event",
}


def domain_event(event_type: EventType, detail_url: str, crn: str, allocation_id: str) -> ReceivedEvent:
    """The HMPPS domain event Workload publishes for an allocation, with a fresh SNS MessageId."""
    payload = {
        "eventType": event_type.value,
        "version": 1,
        "description": DESCRIPTION[event_type],
        "detailUrl": detail_url,
        "additionalInformation": {"allocationId": allocation_id},
        "personReference": {"identifiers": [{"type": "CRN", "value": crn}]},
    }
    return ReceivedEvent(str(uuid.uuid4()), event_type.value, payload)


def publish_allocation(  # noqa: PLR0913 - where the detail goes, where the event goes, and what they say
    stub: WorkloadStub, client: SQSClient, queue_url: str, *, event_type: EventType, crn: str, detail: dict[str, Any]
) -> ReceivedEvent:
    """Serve ``detail`` from the stub (a fresh id unless given) and send its event to the queue."""
    detail = {"id": str(uuid.uuid4()), **detail}
    detail_url = stub.add_detail(DETAIL_KIND[event_type], detail)
    received = domain_event(event_type, detail_url, crn, detail["id"])
    send_event(client, queue_url, received)
    return received
