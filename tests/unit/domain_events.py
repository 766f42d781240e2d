"""A Workload domain event and the SQS bodies that carry it, for the message parsing and event tests."""

import json

DOMAIN_EVENT = {
    "eventType": "event.manager.allocated",
    "version": 1,
    "description": "Event allocated event",
    "detailUrl": "https://workload.example/allocation/event/3f1c2a9e-8b7d-4e6f-a1b2-c3d4e5f60718",
    "occurredAt": "2025-03-04T14:05:09.118+00:00",
    "additionalInformation": {"allocationId": "3f1c2a9e-8b7d-4e6f-a1b2-c3d4e5f60718"},
    "personReference": {"identifiers": [{"type": "NOMS", "value": "A1234BC"}, {"type": "CRN", "value": "A987654"}]},
}


def sns_body(event: dict, **extra) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "0b6f3c2e-1d5a-4a57-9a0e-5b7d2e1f9c44",
            "TopicArn": "arn:aws:sns:eu-west-2:000000000000:hmppsdomaintopic",
            "Message": json.dumps(event),
            "MessageAttributes": {"eventType": {"Type": "String", "Value": event.get("eventType", "")}},
            **extra,
        }
    )


def raw_event(**changes) -> dict:
    return {key: value for key, value in {**DOMAIN_EVENT, **changes}.items() if value is not None}
