"""The benchmark's printed table, its JSON file, and the ratios against an earlier JSON file."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from benchmarks.measure import CpuMeter, percentile

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

    from benchmarks.feeder import Finished
    from benchmarks.measure import Snapshot

# Every field a run's JSON has; the benchmark test asserts them.
RUN_FIELDS = (
    "workers",
    "concurrency",
    "events",
    "warmup",
    "in_flight",
    "window_s",
    "events_per_s",
    "latency_ms",
    "single_event_p50_ms",
    "cpu_ms_per_event",
    "busy_cores",
    "peak_rss_mb",
    "rss_mb",
    "vs_baseline",
    "ledger",
)
TOP_FIELDS = ("started_at", "options", "machine", "seed", "baseline", "runs")


def table(result: dict[str, Any]) -> str:
    """A short text table of the runs and the baseline."""
    seed, base = result["seed"], result["baseline"]
    lines = [
        (
            f"people {seed['people']:,} ({seed['database']}, seeded in {seed['seconds']:.1f} s"
            f"{', reused' if seed['reused'] else ''}); mix {result['options']['mix']} person,event,requirement,licence"
        ),
        (
            f"baseline (in-process write_detail): {base['events_per_s']:.0f} events/s, {base['cpu_ms_per_event']:.2f}"
            f" ms CPU, {base['db_ms_per_event']:.2f} ms in the database per event; statements per type "
            + ", ".join(f"{t.split('.')[0]} {n:.1f}" for t, n in base["statements_per_type"].items())
        ),
        "",
        (
            f"{'workers x pool':<15}{'ev/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'1-ev':>7} | CPU ms/event:"
            f"{'main':>6}{'pool':>6}{'pg':>6}{'redis':>6}{'moto':>6}{'stub':>6}{'total':>7} |{'cores':>6}"
            f"{'RSS MB':>8}{'RSS +%':>7} | {'wCPU/base':>9}{'ev/s/base':>10}"
        ),
    ]
    for run in result["runs"]:
        cpu, lat, vs = run["cpu_ms_per_event"], run["latency_ms"], run["vs_baseline"]
        lines.append(
            f"{run['workers']} x {run['concurrency']:<11}{run['events_per_s']:>7.1f}{lat['p50']:>7.0f}"
            f"{lat['p95']:>7.0f}{lat['p99']:>7.0f}{run['single_event_p50_ms']:>7.0f} |{'':>13}"
            + "".join(f"{cpu[k]:>6.1f}" for k in ("worker_main", "worker_pool", "postgres", "redis", "moto", "stub"))
            + f"{cpu['total']:>7.1f} |{run['busy_cores']:>6.2f}{run['peak_rss_mb']['workers_total']:>8.0f}"
            f"{run['rss_mb']['growth_pct']:>+7.1f} | {vs['worker_cpu']:>9.2f}{vs['throughput']:>10.3f}"
        )
    return "\n".join(lines) + "\n"


def write(result: dict[str, Any], path: Path) -> None:
    """Write ``result`` as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")


def compare(result: dict[str, Any], previous_path: Path) -> str:
    """Ratios this run / the earlier one, per matching (workers, concurrency) run."""
    previous = json.loads(previous_path.read_text())
    earlier = {(r["workers"], r["concurrency"]): r for r in previous["runs"]}
    lines = [f"ratios against {previous_path.name} (this / that; events/s > 1 and the rest < 1 is better):"]
    metrics: dict[str, Callable[[dict[str, Any]], float]] = {
        "events/s": lambda r: r["events_per_s"],
        "p50": lambda r: r["latency_ms"]["p50"],
        "p95": lambda r: r["latency_ms"]["p95"],
        "1-event p50": lambda r: r["single_event_p50_ms"],
        "worker CPU": lambda r: r["cpu_ms_per_event"]["worker_main"] + r["cpu_ms_per_event"]["worker_pool"],
        "total CPU": lambda r: r["cpu_ms_per_event"]["total"],
    }
    for run in result["runs"]:
        other = earlier.get((run["workers"], run["concurrency"]))
        if other is None:
            lines.append(f"{run['workers']} x {run['concurrency']}: not in {previous_path.name}")
            continue
        ratios = ", ".join(f"{name} {_ratio(get(run), get(other))}" for name, get in metrics.items())
        lines.append(f"{run['workers']} x {run['concurrency']}: {ratios}")
    base_then, base_now = previous["baseline"]["cpu_ms_per_event"], result["baseline"]["cpu_ms_per_event"]
    lines.append(f"baseline CPU per event: {_ratio(base_now, base_then)}")
    return "\n".join(lines) + "\n"


def _ratio(now: float, then: float) -> str:
    return f"{now / then:.2f}" if then else "n/a"


def summary(  # noqa: PLR0913 - the measurements of one configuration
    args: argparse.Namespace,
    *,
    workers: int,
    concurrency: int,
    finished: list[Finished],
    alone: list[Finished],
    marks: dict[str, Snapshot],
    peak: dict[int, list[int]],
    baseline: dict[str, Any],
) -> dict[str, Any]:
    """One configuration's fields of the JSON: rates, latencies, CPU per event per role, memory, baseline ratios."""
    window = marks["end"].at - marks["start"].at
    steady = finished[args.warmup : args.warmup + args.events]
    used = CpuMeter.used(marks["start"], marks["end"])
    cpu = {role: seconds * 1000 / args.events for role, seconds in used.items()}
    cpu["total"] = sum(cpu.values())
    latencies = [f.latency_ms for f in steady]
    rate = args.events / window
    mb = 1024 * 1024
    return {
        "workers": workers,
        "concurrency": concurrency,
        "events": args.events,
        "warmup": args.warmup,
        "in_flight": args.in_flight,
        "window_s": window,
        "events_per_s": rate,
        "latency_ms": {f"p{p}": percentile(latencies, p / 100) for p in (50, 95, 99)},
        "single_event_p50_ms": percentile([f.latency_ms for f in alone], 0.5),
        "cpu_ms_per_event": cpu,
        "busy_cores": sum(used.values()) / window,
        "peak_rss_mb": {
            "worker_main": max(p[0] for p in peak.values()) / mb,
            "worker_pool": max((max(p[1:], default=0) for p in peak.values()), default=0) / mb,
            "workers_total": sum(sum(p) for p in peak.values()) / mb,
        },
        # Resident memory of every worker process at the start and the end of the steady window.
        "rss_mb": {
            "start": marks["start"].worker_rss / mb,
            "end": marks["end"].worker_rss / mb,
            "growth_pct": 100 * (marks["end"].worker_rss / marks["start"].worker_rss - 1)
            if marks["start"].worker_rss
            else 0.0,
        },
        "vs_baseline": {
            "worker_cpu": (cpu["worker_main"] + cpu["worker_pool"]) / baseline["cpu_ms_per_event"],
            "throughput": rate / baseline["events_per_s"],
        },
    }
