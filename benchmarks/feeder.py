"""A closed-loop feeder: at most ``in_flight`` events between SendMessage and their final outcome in the ledger.

A trigger, created in the benchmark's database only, NOTIFYs ``bench_finished`` when a ledger row leaves
``pending`` (delivered at COMMIT), with the event id, its state and ``finished_at``; the feeder LISTENs, so it polls
nothing. Send time is ``time.time()`` just before SendMessage; commit time is the row's ``finished_at`` (same host).
"""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg

from allocations.sqs import send_event

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from mypy_boto3_sqs import SQSClient

    from benchmarks.plan import Allocation

CHANNEL = "bench_finished"
TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION workforce_allocations.bench_notify_finished() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('{CHANNEL}', NEW.event_id || ' ' || NEW.state || ' ' || extract(epoch FROM NEW.finished_at));
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS bench_notify_finished ON workforce_allocations.event_ledger;
CREATE TRIGGER bench_notify_finished AFTER UPDATE OF state ON workforce_allocations.event_ledger FOR EACH ROW
  WHEN (OLD.state = 'pending' AND NEW.state <> 'pending')
  EXECUTE FUNCTION workforce_allocations.bench_notify_finished();
"""
# Longer than the retry budget's largest delay (RETRY_MAX_DELAY, 300 s): a retried event is slow, not lost.
STALL_SECONDS = 420.0


@dataclass(frozen=True)
class Finished:
    """One event's send and commit times (epoch seconds) and its final state."""

    event_id: str
    event_type: str
    sent: float
    committed: float
    state: str

    @property
    def latency_ms(self) -> float:
        """Send-to-commit milliseconds."""
        return (self.committed - self.sent) * 1000


def put_details(stub_url: str, allocations: Sequence[Allocation]) -> None:
    """Load every detail into the stub before the clock starts (``PUT /_stub/details/<kind>/<id>``)."""
    for allocation in allocations:
        body = json.dumps(allocation.detail).encode()
        url = f"{stub_url}/_stub/details/{allocation.kind}/{allocation.detail['id']}"
        request = urllib.request.Request(url, body, {"Content-Type": "application/json"}, method="PUT")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the loopback stub
            pass


class Feeder:
    """Sends allocations to the queue, keeps ``in_flight`` of them unfinished, and records when each finished."""

    def __init__(self, libpq_url: str, client: SQSClient, queue_url: str, stub_url: str) -> None:
        self.client, self.queue_url, self.stub_url = client, queue_url, stub_url
        self.libpq_url = libpq_url
        self.conn = psycopg.connect(libpq_url, autocommit=True)
        self.conn.execute(TRIGGER_SQL)
        self.conn.execute(f"LISTEN {CHANNEL}")
        self.backend_pid = self.conn.info.backend_pid

    def analyze_ledger(self) -> None:
        """``ANALYZE`` the ledger, as autovacuum does as it grows, on a PostgreSQL that runs autovacuum.

        Without fresh statistics, a connection that prepared the ledger's statements while the table was small
        keeps a sequential-scan plan for them: measured on a server with autovacuum off, 50 events/s fell to 34
        after 40,000 events (half a sequential scan of the whole ledger per event), and came back after an ANALYZE.
        A connection of its own: the listening one is busy delivering notifications (``run`` calls this from there).
        """
        with psycopg.connect(self.libpq_url, autocommit=True) as conn:
            conn.execute("ANALYZE workforce_allocations.event_ledger")

    def close(self) -> None:
        """Close the listening connection."""
        self.conn.close()

    def run(
        self, allocations: Sequence[Allocation], in_flight: int, on_finished: Callable[[int], None] | None = None
    ) -> list[Finished]:
        """Send every allocation, never more than ``in_flight`` unfinished; ``on_finished(n)`` after the n-th."""
        sent: dict[str, tuple[float, Allocation]] = {}
        finished: list[Finished] = []
        queue = list(reversed(allocations))
        last_progress = time.monotonic()
        while queue or sent:
            while queue and len(sent) < in_flight:
                allocation = queue.pop()
                received = allocation.received(self.stub_url)
                sent[allocation.event_id] = (time.time(), allocation)
                send_event(self.client, self.queue_url, received)
            for note in self.conn.notifies(timeout=1.0, stop_after=1):
                event_id, state, committed = note.payload.split(" ")
                if event_id not in sent:
                    continue
                at, allocation = sent.pop(event_id)
                finished.append(Finished(event_id, allocation.event_type.value, at, float(committed), state))
                last_progress = time.monotonic()
                if on_finished is not None:
                    on_finished(len(finished))
            if time.monotonic() - last_progress > STALL_SECONDS:
                raise RuntimeError(f"no event finished for {STALL_SECONDS:.0f}s; {len(sent)} in flight")
        return finished

    def one_at_a_time(self, allocations: Sequence[Allocation]) -> list[Finished]:
        """Each allocation sent alone, the next only after the previous one's commit."""
        return self.run(allocations, 1)
