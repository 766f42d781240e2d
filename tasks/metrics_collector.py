"""Gauges read when Prometheus scrapes: dead letters and pending events (database), SQS depths, heartbeats.

Each source is read through ``tasks.probes.Bounded`` (at most HEALTH_CHECK_TIMEOUT seconds, reused for a few
seconds), so a scrape never hangs on a dependency; a source that did not answer is reported by
``allocations_metrics_source_up{source=...} 0`` and its gauges are left out rather than shown as zero.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from allocations.state.ledger import PENDING
from allocations.state.models import dead_letter_table, ledger_table
from allocations.state.records import DeadLetterStatus
from tasks.heartbeat import EVENT_LOOP, INGEST
from tasks.probes import Bounded, QueueDepth, SqsQueues

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prometheus_client.metrics_core import Metric
    from sqlalchemy import Engine

SCRAPE_TTL = 5.0


@dataclass(frozen=True)
class StateCounts:
    """Dead letters parked and events pending, with the age of the oldest of each (seconds; None when none)."""

    parked: int
    oldest_parked_age: float | None
    pending: int
    oldest_pending_age: float | None


@dataclass(frozen=True)
class SqsCounts:
    """Both queues' depths and the age of the oldest DLQ message seen (seconds; None when none)."""

    events: QueueDepth
    dlq: QueueDepth
    oldest_dlq_age: float | None


def read_state(engine: Engine) -> StateCounts:
    """Two aggregate queries on indexed columns (state, status)."""
    now = datetime.now(UTC)
    with engine.connect() as connection:
        parked, parked_since = connection.execute(
            select(func.count(), func.min(dead_letter_table.c.last_failed_at)).where(
                dead_letter_table.c.status == DeadLetterStatus.PARKED.value
            )
        ).one()
        pending, pending_since = connection.execute(
            select(func.count(), func.min(ledger_table.c.received_at)).where(ledger_table.c.state == PENDING)
        ).one()
    return StateCounts(
        int(parked),
        None if parked_since is None else (now - parked_since).total_seconds(),
        int(pending),
        None if pending_since is None else (now - pending_since).total_seconds(),
    )


def read_sqs(queues: SqsQueues) -> SqsCounts:
    """Depths of both queues; the DLQ's oldest message age from a look at it, when it holds any."""
    dlq = queues.depth("dlq")
    oldest = queues.oldest_sent_at("dlq") if dlq.visible else None
    return SqsCounts(queues.depth("events"), dlq, None if oldest is None else max(0.0, time.time() - oldest))


class ScrapeGauges:
    """A prometheus-client collector of the gauges above, for the worker's ``/metrics``."""

    def __init__(self, engine: Engine, queues: SqsQueues, *, timeout: float, ingest: bool) -> None:
        self._state = Bounded(lambda: read_state(engine), timeout=timeout, ttl=SCRAPE_TTL)
        self._sqs = Bounded(lambda: read_sqs(queues), timeout=timeout, ttl=SCRAPE_TTL)
        self._ingest = ingest

    def collect(self) -> Iterator[Metric]:
        """Every gauge whose source answered, and which sources did."""
        up = GaugeMetricFamily("allocations_metrics_source_up", "1 when the source answered this scrape.",
                               labels=["source"])  # fmt: skip
        state, sqs = self._state.get(), self._sqs.get()
        up.add_metric(["database"], 1.0 if state.ok else 0.0)
        up.add_metric(["sqs"], 1.0 if sqs.ok else 0.0)
        yield up
        if state.value is not None:
            yield from _state_gauges(state.value)
        if sqs.value is not None:
            yield from _sqs_gauges(sqs.value)
        yield from self._heartbeats()

    def _heartbeats(self) -> Iterator[Metric]:
        if self._ingest and (age := INGEST.age()) is not None:
            yield GaugeMetricFamily("allocations_ingest_last_poll_age_seconds",
                                    "Seconds since the SQS ingest last called receive.", value=age)  # fmt: skip
        if (age := EVENT_LOOP.age()) is not None:
            yield GaugeMetricFamily("allocations_event_loop_last_tick_age_seconds",
                                    "Seconds since the task consumer's event loop last turned.", value=age)  # fmt: skip


def _state_gauges(counts: StateCounts) -> Iterator[Metric]:
    yield GaugeMetricFamily("allocations_dead_letters_parked", "Dead letters parked, waiting for an operator.",
                            value=counts.parked)  # fmt: skip
    yield GaugeMetricFamily("allocations_dead_letter_oldest_parked_age_seconds",
                            "Seconds since the oldest parked dead letter was parked (0 when none).",
                            value=counts.oldest_parked_age or 0.0)  # fmt: skip
    yield GaugeMetricFamily("allocations_pending_events", "Events received and not yet final, in the ledger.",
                            value=counts.pending)  # fmt: skip
    yield GaugeMetricFamily("allocations_oldest_pending_event_age_seconds",
                            "Seconds since the oldest pending event was received (0 when none).",
                            value=counts.oldest_pending_age or 0.0)  # fmt: skip


def _sqs_gauges(counts: SqsCounts) -> Iterator[Metric]:
    depth = GaugeMetricFamily("allocations_sqs_messages", "Approximate messages on the events queue and its DLQ.",
                              labels=["queue", "state"])  # fmt: skip
    for queue, found in (("events", counts.events), ("dlq", counts.dlq)):
        depth.add_metric([queue, "visible"], found.visible)
        depth.add_metric([queue, "in_flight"], found.in_flight)
        depth.add_metric([queue, "delayed"], found.delayed)
    yield depth
    yield GaugeMetricFamily("allocations_sqs_dlq_oldest_message_age_seconds",
                            "Age of the oldest SQS DLQ message seen in a look at up to 10 (0 when empty).",
                            value=counts.oldest_dlq_age or 0.0)  # fmt: skip
