"""kombu's SQS transport, made to hand every body to the ingest untouched and to release a delivery without acking.

kombu decodes each SQS body itself before any consumer sees it (base64 guessing, JSON with its own type hooks) and
catches only some decoder errors: a body such as ``{"__type__": …}``, a 5,000-digit number or deeply nested JSON
raised out of the event loop and stopped the worker. The ingest parses bodies itself, so this channel does not.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import virtual
from kombu.transport.SQS import Channel, Transport


class RawBodyChannel(Channel):
    """An SQS channel whose messages carry the SQS body as received, never decoded."""

    def _message_to_python(self, message: dict[str, Any], _queue_name: str, q_url: str) -> dict[str, Any]:
        body = message.get("Body")
        return {
            "body": body if isinstance(body, str) else "",
            "properties": {
                "delivery_info": {"sqs_message": message, "sqs_queue": q_url},
                "delivery_tag": message["ReceiptHandle"],
            },
        }

    def release(self, delivery_tag: str) -> None:
        """Free the delivery's prefetch slot and leave the message on the queue (SQS shows it again later)."""
        virtual.Channel.basic_ack(self, delivery_tag)


class RawBodyTransport(Transport):
    """kombu's SQS transport with ``RawBodyChannel``."""

    Channel = RawBodyChannel
