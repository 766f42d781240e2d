"""What the ingest does with the messages of one SQS receive: record them together, settle each, then dispatch.

Each message is read, the events are recorded in the ledger together, every message is settled (acked, rejected or
released) whatever fails, the acked ones are deleted, and then each new event is dispatched.

Recording a receive's events together costs one INSERT for all of them, where one per message cost a transaction
and a savepoint each. A message is acked only once its event is in the ledger; when the ledger cannot take them,
every message of the receive is released and SQS shows them again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from allocations.log_context import event_context
from allocations.outcome import Outcome
from allocations.sqs_body import MalformedMessage, parse_sqs_body
from tasks import tracing
from tasks.dispatch import dispatch, task_name
from tasks.runtime import runtime

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from kombu.message import Message

    from allocations.events import ReceivedEvent
    from allocations.state.ledger import Receipt

log = logging.getLogger("allocations.ingest")

UNSUPPORTED = Outcome.ignored("Unsupported event type")


class Settle(Enum):
    """What happens to an SQS message once the ingest is done with it."""

    ACK = "ack"  # recorded in the ledger (or nothing to record): deleted from the queue
    REJECT = "reject"  # can never become an event: left for the RedrivePolicy to move to the SQS DLQ
    RELEASE = "release"  # not recorded: left on the queue for another receive


@dataclass
class Recorded:
    """What reading and recording a receive's messages decided: how to settle each, and what to announce after."""

    decisions: list[Settle]
    events: list[tuple[ReceivedEvent, Receipt, bool]] = field(default_factory=list)  # the bool: first in the receive


class ReceiveBatch:
    """The messages kombu delivers for one receive (``on_message`` is the consumer's callback), handled together."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def on_message(self, message: Message) -> None:
        """Keep the message until the receive's last one is delivered."""
        self.messages.append(message)

    def handle(self, delete_acked: Callable[[], None]) -> int:
        """Record the kept messages' events, settle the messages, ``delete_acked``, then dispatch; how many there were.

        The messages are deleted as soon as their events are in the ledger, before any dispatch: the longer a
        recorded message stays on the queue, the likelier SQS shows it again (its visibility timeout running out on
        a busy machine) and counts one more receive towards the RedrivePolicy.
        """
        messages, self.messages = self.messages, []
        recorded = record([(m.body, m.delivery_info.get("sqs_message", {})) for m in messages])
        for message, decision in zip(messages, recorded.decisions, strict=True):
            settle(message, decision)
        delete_acked()
        announce(recorded)
        return len(messages)


def handle(body: str, attributes: Any) -> Settle:
    """One message on its own: recorded, then announced; what to do with it."""
    recorded = record([(body, {"MessageAttributes": attributes})])
    announce(recorded)
    return recorded.decisions[0]


def record(messages: Sequence[tuple[str, dict[str, Any]]]) -> Recorded:
    """Read each message (its body and SQS message) and record the events in the ledger together; never raises."""
    recorded = Recorded([Settle.REJECT] * len(messages))
    readable: list[tuple[int, ReceivedEvent]] = []
    for index, (body, sqs_message) in enumerate(messages):
        received = _read(body, sqs_message.get("MessageAttributes"))
        if received is not None:
            readable.append((index, received))
    if not readable:
        return recorded
    try:
        arrivals = [(received, None if task_name(received.event_type) else UNSUPPORTED) for _, received in readable]
        receipts = runtime().state.receive_many(arrivals)
    except Exception:
        log.exception("could not record %d SQS messages; released, SQS shows them again", len(readable))
        for index, _ in readable:
            recorded.decisions[index] = Settle.RELEASE
        return recorded
    seen: set[str] = set()
    for index, received in readable:
        recorded.decisions[index] = Settle.ACK  # recorded: whatever happens next, the ledger has it
        recorded.events.append((received, receipts[received.event_id], received.event_id not in seen))
        seen.add(received.event_id)
    return recorded


def announce(recorded: Recorded) -> None:
    """Log or dispatch each recorded event; never raises (an event not dispatched is the reconciler's)."""
    for received, receipt, first in recorded.events:
        try:
            _after_receipt(received, receipt, first=first)
        except Exception:
            log.exception("event %s recorded, not dispatched; the reconciler dispatches it", received.event_id)


def _read(body: str, attributes: Any) -> ReceivedEvent | None:
    try:
        return parse_sqs_body(body, attributes)
    except MalformedMessage as error:
        with tracing.span("allocations.ingest"):
            tracing.annotate(outcome="rejected")
            log.warning("outcome='rejected' error=%r", str(error))
        return None


def _after_receipt(received: ReceivedEvent, receipt: Receipt, *, first: bool) -> None:
    """Log or dispatch one recorded event (a trace starts here, and every line names the event)."""
    with tracing.span("allocations.ingest"), event_context(received.event_id):
        tracing.annotate(event_id=received.event_id, event_type=received.event_type)
        unsupported = task_name(received.event_type) is None
        tracing.annotate(outcome="ignored" if unsupported else "already-final" if receipt.final else "dispatched")
        if unsupported:
            log.info("outcome='ignored' event_id=%r event_type=%r reason=%r", received.event_id, received.event_type,
                     UNSUPPORTED.reason)  # fmt: skip
        elif receipt.final:
            log.info("outcome='already-final' event_id=%r state=%r", received.event_id, receipt.state)
        elif not first:  # the same event twice in one receive (an SNS duplicate) is dispatched once
            log.info("outcome='repeated-in-receive' event_id=%r", received.event_id)
        else:
            _dispatch(received)


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


def settle(message: Message, decision: Settle) -> None:
    """Ack, reject or release ``message``; a failure here only means SQS shows it again (the ledger knows it)."""
    try:
        if decision is Settle.ACK:
            message.ack()
        elif decision is Settle.REJECT:
            message.reject()
        else:
            message.channel.release(message.delivery_tag)
    except Exception:
        log.warning("could not settle SQS message %r", message.delivery_info.get("sqs_message", {}).get("MessageId"),
                    exc_info=True)  # fmt: skip
