"""Recovery at incident scale: 10,000 parked dead letters re-enqueued in the background at a set rate.

``python -m benchmarks.recovery [--rows 10000] [--rate 500/s]``: a fresh database on ``DATABASE_URL``'s server
(else an embedded PostgreSQL), the service's schema at head, the rows parked with one INSERT … SELECT. A recovery
job covers them all; one runner takes it, is abandoned halfway (as when its dashboard process dies), and a second
runner takes the job over from its last report. Dispatch is a counter (no broker): what is measured is the job's
pacing and the re-enqueue claim. Prints the time to dispatch all, the rate held (overall and per one-second
window), and how many rows were dispatched more than once (must be 0).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from allocations.database import make_engine
from allocations.state import recovery
from allocations.state.filters import parse_filter
from allocations.state.schema import upgrade_state_schema
from allocations_local import services
from tasks.recovery import RecoveryRunner, parse_rate

if TYPE_CHECKING:
    from allocations.events import ReceivedEvent

LEASE = timedelta(seconds=180)
_PARK = """
INSERT INTO workforce_allocations.dead_letter (id, event_id, event_type, crn, detail_url, event, error_class,
  error_message, traceback, attempts, failure_count, status, first_failed_at, last_failed_at, requeue_count,
  row_version)
SELECT nextval('workforce_allocations.dead_letter_id_seq'), 'bench-' || n, 'person.community.manager.allocated',
  'X' || lpad(n::text, 6, '0'), 'http://127.0.0.1:9/allocation/' || n,
  json_build_object('event_id', 'bench-' || n, 'event_type', 'person.community.manager.allocated',
    'payload', json_build_object('eventType', 'person.community.manager.allocated')),
  'NotFound', 'Staff with code of N01LATE not found', 'tb', 9, 1, 'parked', now(), now(), 0, 0
FROM generate_series(1, :rows) AS n
"""


def main() -> None:
    """Seed, run the job with a takeover halfway, print the numbers."""
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--rows", type=int, default=10_000)
    arguments.add_argument("--rate", default="500/s")
    options = arguments.parse_args()
    rate = parse_rate(options.rate)
    with tempfile.TemporaryDirectory(prefix="recovery-bench-") as scratch:
        server, stop = services.start_postgres(os.environ.get("DATABASE_URL"), Path(scratch) / "data")
        url = services.create_database(server, services.unique_name("recovery_bench"))
        engine = make_engine(url)
        try:
            run(engine, options.rows, rate)
        finally:
            engine.dispose()
            services.drop_database(url)
            stop()


def run(engine: Engine, rows: int, rate: float) -> None:
    """Park ``rows`` rows, recover them at ``rate`` with one takeover, and print what happened."""
    upgrade_state_schema(engine)
    with engine.begin() as connection:
        connection.execute(text(_PARK), {"rows": rows})
    sent: Counter[str] = Counter()
    times: list[float] = []

    def dispatch(event: ReceivedEvent) -> str:
        sent[event.event_id] += 1
        times.append(time.monotonic())
        return "counted"

    job = recovery.start(engine, parse_filter({}), rate, "benchmark")
    first = RecoveryRunner(engine, dispatch, requeue_lease=LEASE, owner="dashboard-1")
    second = RecoveryRunner(engine, dispatch, requeue_lease=LEASE, owner="dashboard-2", job_lease=timedelta(0))
    started = time.monotonic()
    claimed = recovery.claim(engine, first.owner, first.job_lease)
    assert claimed is not None  # noqa: S101 - started just above
    first.run(claimed, max_rows=rows // 2)
    taken_over = recovery.claim(engine, second.owner, second.job_lease)
    assert taken_over is not None  # noqa: S101 - the first owner's lease is 0 for the second runner
    second.run(taken_over)
    elapsed = time.monotonic() - started
    final = recovery.get(engine, job.id)
    assert final is not None  # noqa: S101 - never deleted
    windows = Counter(int(t - started) for t in times)
    full = [windows[s] for s in sorted(windows)[:-1]] or [len(times)]  # the last second is partial
    print(  # noqa: T201 - the benchmark's report
        f"rows parked: {rows}; job total {job.total}; rate set {rate:g}/s"
    )
    print(  # noqa: T201 - the benchmark's report
        f"resumed by a second runner at cursor {taken_over.cursor}"
    )
    print(  # noqa: T201 - the benchmark's report
        f"time to dispatch all: {elapsed:.1f} s; rate held: {len(times) / elapsed:.1f}/s overall,"
        f" per 1-s window min {min(full)} / max {max(full)}"
    )
    print(  # noqa: T201 - the benchmark's report
        f"dispatched: {len(sent)} distinct of {sum(sent.values())} dispatches; dispatched twice: "
        f"{sum(1 for n in sent.values() if n > 1)}"
    )
    print(  # noqa: T201 - the benchmark's report
        f"job: {final.status}, dispatched {final.dispatched}, skipped {final.skipped}, failed {final.failed}"
    )


if __name__ == "__main__":
    main()
