"""What the dashboard and the CLI act on: the state store, the task dispatcher and the SQS DLQ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocations.database import make_engine
from allocations.sqs import sqs_client
from allocations.state.sqs_dlq import SqsDlq
from allocations.state.store import StateStore

if TYPE_CHECKING:
    from allocations.config import Settings
    from allocations.state.actions import Dispatch


@dataclass(frozen=True)
class Operations:
    """The service's state, how to re-send an event's task, and the DLQ of poison messages."""

    store: StateStore
    dispatch: Dispatch
    dlq: SqsDlq

    @classmethod
    def from_settings(cls, settings: Settings) -> Operations:
        """Production wiring: the state database, the Celery app's dispatcher and the configured queues."""
        from tasks.dispatch import dispatch  # noqa: PLC0415 - imports the Celery app only when it is needed

        client = sqs_client(settings.aws_region, settings.sqs_endpoint_url)
        return cls(
            StateStore(make_engine(settings.state_database_url)),
            dispatch,
            SqsDlq(client, settings.sqs_queue, settings.sqs_dlq),
        )
