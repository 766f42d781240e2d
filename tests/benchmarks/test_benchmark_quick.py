"""The benchmark command end to end in its quick mode: real seed, worker, SQS endpoint, broker, stub and baseline."""

import json
import os
import sys
from pathlib import Path

from support.commands import run_command

ROOT = Path(__file__).resolve().parents[2]
# The JSON's contract, stated here rather than imported (``benchmarks`` here would be this test folder).
TOP_FIELDS = ("started_at", "options", "machine", "seed", "baseline", "runs")
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


def test_quick_benchmark_writes_every_field_and_applies_every_event_once(postgres_server_url, tmp_path):
    output = tmp_path / "quick.json"
    env = {**os.environ, "DATABASE_URL": postgres_server_url, "PYTHONPATH": str(ROOT)}
    finished = run_command(
        [sys.executable, "-m", "benchmarks.pipeline", "--quick", "--seed", "7", "--output", str(output)],
        cwd=ROOT,
        env=env,
        timeout=240,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    result = json.loads(output.read_text())
    assert set(TOP_FIELDS) <= set(result)
    assert result["seed"]["people"] == 10_000
    assert result["baseline"]["events"] == 200
    assert set(result["baseline"]["statements_per_type"]) == {
        "person.community.manager.allocated",
        "event.manager.allocated",
        "requirement.manager.allocated",
        "licence-condition.manager.allocated",
    }
    assert all(n > 0 for n in result["baseline"]["statements_per_type"].values())
    [run] = result["runs"]
    assert set(RUN_FIELDS) <= set(run)
    assert (run["workers"], run["concurrency"], run["events"]) == (1, 2, 200)
    assert set(run["cpu_ms_per_event"]) == {"worker_main", "worker_pool", "postgres", "redis", "moto", "stub", "total"}
    assert run["cpu_ms_per_event"]["worker_pool"] > 0
    assert run["cpu_ms_per_event"]["postgres"] > 0
    assert run["events_per_s"] > 0
    assert 0 < run["latency_ms"]["p50"] <= run["latency_ms"]["p95"] <= run["latency_ms"]["p99"]
    assert run["peak_rss_mb"]["worker_main"] > 0
    assert 0 < run["rss_mb"]["start"] <= run["peak_rss_mb"]["workers_total"]
    assert 0 < run["rss_mb"]["end"] <= run["peak_rss_mb"]["workers_total"]
    # warm-up + measured + in flight + the one-at-a-time events: each applied once, in the ledger and in Delius
    sent = 40 + 200 + 20 + 5
    assert run["ledger"] == {
        "ok": True,
        "sent": sent,
        "states": {"applied": sent},
        "manager_rows_written": run["ledger"]["manager_rows_written"],
    }
    assert sum(run["ledger"]["manager_rows_written"].values()) == sent
    assert "JSON:" in finished.stdout
