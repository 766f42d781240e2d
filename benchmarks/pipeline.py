"""The pipeline benchmark: seed Delius at a scale, drive events through real processes, compare with the domain alone.

Run ``scripts/benchmark.sh [--people 10000] [--concurrency 1 2 4] [--workers 1 2] [--quick] [--compare old.json]``.
Per (workers, concurrency) it starts the workers on a fresh SQS queue and feeds warm-up + measured + ``in_flight``
events with a closed loop; the steady window runs from the warm-up's last commit to the measured events' last, so
``in_flight`` events are unfinished at both ends. Writes ``artifacts/benchmark-<timestamp>.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import signal
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil  # type: ignore[import-untyped]
import psycopg
import redis
from sqlalchemy.engine import make_url

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.sqs import sqs_client
from allocations_local import services
from allocations_local.environment import LocalStack, service_environment
from allocations_local.queues import create_queues
from allocations_local.workload_stub import TOKEN_PATH
from benchmarks import report, stack
from benchmarks.baseline import run_baseline
from benchmarks.feeder import Feeder, put_details
from benchmarks.ledger import check_ledger
from benchmarks.measure import CpuMeter, Snapshot, backend_pids, peak_rss_bytes
from benchmarks.plan import parse_weights, plan
from benchmarks.seed import Seeded, database_name, ensure_seeded

if TYPE_CHECKING:
    from allocations.event_types import EventType

ROOT = Path(__file__).resolve().parent.parent
USER = DEFAULT_DELIUS_USERNAME


ANALYZE_EVERY = 5_000  # finished events between two ANALYZEs of the ledger (not counted: the feeder's backend)


def options(argv: list[str] | None) -> argparse.Namespace:
    """The command line; ``--quick`` shrinks every count for a smoke test."""
    parser = argparse.ArgumentParser(prog="scripts/benchmark.sh", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="seeded people (database reused per scale)")
    parser.add_argument("--events", type=int, default=2000, help="measured events per configuration")
    parser.add_argument("--warmup", type=int, default=200, help="events before the steady window")
    parser.add_argument("--in-flight", type=int, default=20, help="events between send and commit at once")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4], help="pool processes per worker")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="worker instances on one queue")
    parser.add_argument("--mix", default="1,1,1,1", help="weights person,event,requirement,licence-condition")
    parser.add_argument("--single", type=int, default=20, help="events sent one at a time for the 1-event latency")
    parser.add_argument("--baseline-events", type=int, default=None, help="direct writes (default: --events)")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the plans")
    parser.add_argument("--output", type=Path, default=None, help="JSON path (default artifacts/benchmark-<ts>.json)")
    parser.add_argument("--compare", type=Path, default=None, help="an earlier JSON to print ratios against")
    parser.add_argument("--quick", action="store_true", help="smoke test: 10k people, a few hundred events, 1 x 2")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.events, args.warmup, args.single = 10_000, 200, 40, 5
        if "--concurrency" not in (argv or sys.argv):
            args.concurrency = [2]
    args.baseline_events = args.baseline_events or args.events
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; every child process is stopped by its PID on the way out, Ctrl-C and SIGTERM included."""
    args = options(argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(variable, "local")  # moto accepts any credentials; boto3 insists on some
    started = datetime.now(UTC)
    rng = random.Random(args.seed if args.seed is not None else time.time_ns())  # noqa: S311 - not cryptography
    weights = parse_weights(args.mix)
    with contextlib.ExitStack() as cleanup:
        logs = ROOT / "artifacts" / f"benchmark-logs-{started.strftime('%Y%m%dT%H%M%S')}"  # every child's output
        logs.mkdir(parents=True)
        pg_dir = ROOT / ".local" / "benchmark" / "pg"
        server, stop_pg = services.start_postgres(os.environ.get("DATABASE_URL"), pg_dir)
        cleanup.callback(stop_pg)
        seeded = ensure_seeded(server, args.people, USER)
        sys.stdout.write(f"seed: {seeded.scale.people:,} people in {seeded.seconds:.1f} s (reused: {seeded.reused})\n")
        children: dict[str, stack.Child] = {}
        for name, start in (("redis", stack.start_redis), ("moto", stack.start_moto), ("stub", stack.start_stub)):
            child, address = start(logs)
            cleanup.callback(child.stop)
            children[name] = child
            children[name + "_url"] = address  # type: ignore[assignment]
        redis_url, moto_url, stub_url = (str(children[n + "_url"]) for n in ("redis", "moto", "stub"))
        libpq = seeded.url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(libpq, autocommit=True) as conn:  # a killed run's events: no reconciler may take them
            conn.execute("DELETE FROM workforce_allocations.event_ledger WHERE state = 'pending'")
        base = plan(seeded.url, seeded.scale, args.baseline_events + 20, rng, weights)
        baseline = run_baseline(seeded.url, USER, base, 20, stub_url).as_json()
        sys.stdout.write(
            f"baseline: {baseline['events_per_s']:.0f} events/s, {baseline['cpu_ms_per_event']:.2f} ms CPU\n"
        )
        client = sqs_client("eu-west-2", moto_url)
        runs = []
        for workers in args.workers:
            for concurrency in args.concurrency:
                feeder = Feeder(libpq, client, "", stub_url)
                cleanup.callback(feeder.close)
                shared = Shared(args, seeded, children, (redis_url, moto_url, stub_url), feeder, rng, weights, logs)
                runs.append(_configuration(shared, workers, concurrency, baseline))
                sys.stdout.write(f"{workers} x {concurrency}: {runs[-1]['events_per_s']:.1f} events/s\n")
        result: dict[str, Any] = {
            "started_at": started.isoformat(),
            "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
            "seed": {
                "people": args.people,
                "database": database_name(args.people),
                "seconds": seeded.seconds,
                "reused": seeded.reused,
            },
            "baseline": baseline,
            "runs": runs,
        }
    output = args.output or ROOT / "artifacts" / f"benchmark-{started.strftime('%Y%m%dT%H%M%S')}.json"
    report.write(result, output)
    sys.stdout.write("\n" + report.table(result) + f"\nJSON: {output}\n")
    if args.compare:
        sys.stdout.write(report.compare(result, args.compare))
    return 0 if all(r["ledger"]["ok"] for r in result["runs"]) else 1


@dataclass(frozen=True)
class Shared:
    """What every configuration of one run shares: options, database, children and their URLs, feeder, plans."""

    args: argparse.Namespace
    seeded: Seeded
    children: dict[str, stack.Child]
    urls: tuple[str, str, str]
    feeder: Feeder
    rng: random.Random
    weights: dict[EventType, float]
    logs: Path


def _configuration(shared: Shared, workers: int, concurrency: int, baseline: dict[str, Any]) -> dict[str, Any]:
    """One (workers, concurrency): fresh queues and broker, the steady window, the 1-event latency, the checks."""
    args, seeded, children, feeder, rng, weights, logs = (
        shared.args, shared.seeded, shared.children, shared.feeder, shared.rng, shared.weights, shared.logs
    )  # fmt: skip
    redis_url, moto_url, stub_url = shared.urls
    redis.Redis.from_url(redis_url).flushall()
    queue = f"bench-{secrets.token_hex(4)}"
    feeder.queue_url, _ = create_queues(feeder.client, queue, f"{queue}-dlq")
    local = LocalStack(seeded.url, redis_url, moto_url, queue, f"{queue}-dlq", stub_url, stub_url + TOKEN_PATH)
    env = {**os.environ, **service_environment(local, CELERY_TASK_QUEUE=f"tasks-{queue}")}
    began = datetime.now(UTC)
    crew = [stack.start_worker(f"bench{n}-{queue}", env, concurrency, logs) for n in range(workers)]
    try:
        # One plan for both, so no person is in both with dates read from the same state (a duplicate, not applied).
        count = args.warmup + args.events + args.in_flight
        everything = plan(seeded.url, seeded.scale, count + args.single, rng, weights)
        measured, single = everything[:count], everything[count:]
        put_details(stub_url, measured + single)
        pools = {w.pid: [p.pid for p in psutil.Process(w.pid).children(recursive=True)] for w in crew}
        database = str(make_url(seeded.url).database)
        libpq = seeded.url.replace("postgresql+psycopg://", "postgresql://", 1)
        meter = CpuMeter(
            lambda: {
                "worker_main": list(pools),
                "worker_pool": [p for w in crew for p in _children(w.pid)],
                "postgres": backend_pids(libpq, database, {feeder.backend_pid}),
                **{name: [children[name].pid] for name in ("redis", "moto", "stub")},
            }
        )
        marks: dict[str, Snapshot] = {}

        def on_finished(n: int) -> None:
            if n == args.warmup or n % ANALYZE_EVERY == 0:
                feeder.analyze_ledger()  # as autovacuum would (see Feeder.analyze_ledger)
            if n == args.warmup:
                marks["start"] = meter.snapshot()
            elif n == args.warmup + args.events:
                marks["end"] = meter.snapshot()

        finished = feeder.run(measured, args.in_flight, on_finished)
        alone = feeder.one_at_a_time(single)
        peak = {w.pid: [peak_rss_bytes(w.pid)] + [peak_rss_bytes(p) for p in _children(w.pid)] for w in crew}
    finally:
        for worker in crew:
            worker.stop()
    return report.summary(
        args,
        workers=workers,
        concurrency=concurrency,
        finished=finished,
        alone=alone,
        marks=marks,
        peak=peak,
        baseline=baseline,
    ) | {"ledger": check_ledger(libpq, [f.event_id for f in finished + alone], began)}


def _children(pid: int) -> list[int]:
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


if __name__ == "__main__":
    sys.exit(main())
