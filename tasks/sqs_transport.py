"""kombu's SQS transport: every body handed over untouched, deliveries released without acking, deletes batched.

kombu decodes each SQS body itself before any consumer sees it (base64 guessing, JSON with its own type hooks) and
catches only some decoder errors: a body such as ``{"__type__": …}``, a 5,000-digit number or deeply nested JSON
raised out of the event loop and stopped the worker. The ingest parses bodies itself, so this channel does not.

kombu deletes each acknowledged message with a DeleteMessage call of its own (≈ 1.1 ms of client and ≈ 2.1 ms of
endpoint CPU each, measured against moto); a DeleteMessageBatch of up to ten costs ≈ 0.15 ms per message. This
channel keeps acks until ``flush_acks``, which the ingest calls after each receive's messages are handled, or
until the oldest kept ack's message was received ``ACK_DELAY_LIMIT`` ago (far inside any visibility timeout). A
message is acked only once its event is in the ledger, so a delete that fails (or is lost with the process) only
makes SQS show the message again, and the ingest finds its event already recorded.

The channel never uses an event loop. kombu's SQS channel adopts the process's kombu loop (a Celery worker's main
process has one) and schedules an asynchronous poll of every consumed queue on it. The ingest polls from its own
thread: a second poller on the worker's loop took half of the messages, handed them to the ingest from another
thread, and left them waiting until the ingest's own long polls ran out (about 4 s for an event sent alone).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any

from kombu.transport import virtual
from kombu.transport.SQS import Channel, Transport

log = logging.getLogger("allocations.ingest")

SQS_BATCH_LIMIT = 10  # DeleteMessageBatch takes at most ten entries
ACK_DELAY_LIMIT = 0.25  # seconds from a message's receipt to its delete, at most (plus one message's handling)


class RawBodyChannel(Channel):
    """An SQS channel whose messages carry the SQS body as received, never decoded, and whose acks are batched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hub = None  # polled only by the ingest's thread (the module's docstring says why)
        self._unsent_acks: list[tuple[str, str, str]] = []  # delivery tag, queue URL, receipt handle
        self._oldest_unsent: float | None = None  # when the message of the oldest kept ack was received

    def _message_to_python(self, message: dict[str, Any], _queue_name: str, q_url: str) -> dict[str, Any]:
        body = message.get("Body")
        return {
            "body": body if isinstance(body, str) else "",
            "properties": {
                "delivery_info": {"sqs_message": message, "sqs_queue": q_url, "received_at": time.monotonic()},
                "delivery_tag": message["ReceiptHandle"],
            },
        }

    def basic_ack(self, delivery_tag: str, multiple: bool = False) -> None:  # noqa: ARG002, FBT001, FBT002 - kombu's
        """Keep the ack for the next ``flush_acks``; its prefetch slot stays held until then."""
        try:
            info = self.qos.get(delivery_tag).delivery_info
            self._unsent_acks.append((delivery_tag, info["sqs_queue"], info["sqs_message"]["ReceiptHandle"]))
            received_at = float(info["received_at"])
        except KeyError:
            virtual.Channel.basic_ack(self, delivery_tag)
            return
        self._oldest_unsent = min(received_at, self._oldest_unsent or received_at)
        if len(self._unsent_acks) >= SQS_BATCH_LIMIT or time.monotonic() - self._oldest_unsent > ACK_DELAY_LIMIT:
            self.flush_acks()

    def flush_acks(self) -> None:
        """Delete the acknowledged messages, ten per call, and free their prefetch slots whatever happens."""
        unsent, self._unsent_acks, self._oldest_unsent = self._unsent_acks, [], None
        by_queue: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for delivery_tag, queue_url, receipt_handle in unsent:
            by_queue[queue_url].append((delivery_tag, receipt_handle))
        for queue_url, acks in by_queue.items():
            for start in range(0, len(acks), SQS_BATCH_LIMIT):
                self._delete_batch(queue_url, acks[start : start + SQS_BATCH_LIMIT])

    def _delete_batch(self, queue_url: str, acks: list[tuple[str, str]]) -> None:
        entries = [{"Id": str(index), "ReceiptHandle": handle} for index, (_, handle) in enumerate(acks)]
        try:
            failed = self.sqs().delete_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed", [])
            for failure in failed:
                log.warning("SQS did not delete an acknowledged message (SQS shows it again): %s", failure)
        except Exception:
            log.warning("could not delete %d acknowledged SQS messages; SQS shows them again", len(acks), exc_info=True)
        finally:
            for delivery_tag, _ in acks:
                virtual.Channel.basic_ack(self, delivery_tag)

    def release(self, delivery_tag: str) -> None:
        """Free the delivery's prefetch slot and leave the message on the queue (SQS shows it again later)."""
        virtual.Channel.basic_ack(self, delivery_tag)

    def close(self) -> None:
        """Delete what was acknowledged before closing."""
        try:
            self.flush_acks()
        finally:
            super().close()


class RawBodyTransport(Transport):
    """kombu's SQS transport with ``RawBodyChannel``."""

    Channel = RawBodyChannel
