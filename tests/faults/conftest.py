"""The fault suite's servers (one set per module) and its scale: reduced in the default run, full on demand.

``FAULT_SCALE=full`` (``scripts/fault-suite.sh``) runs every fault at the counts the reliability report quotes;
the default run injects the same kinds of fault, fewer times, on fewer events.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pytest
from faults.support.harness import FaultStack, Scenario

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@dataclass(frozen=True)
class Scale:
    """How much of each fault one run injects, and on how many events."""

    name: str
    events: int
    people: int
    child_kills: int
    main_kills: int
    terms: int
    postgres_restarts: int
    commit_resets: int
    redis_restarts: int
    outage_seconds: float
    token_down_seconds: float


REDUCED = Scale("reduced", events=48, people=24, child_kills=6, main_kills=2, terms=2, postgres_restarts=2,
                commit_resets=10, redis_restarts=1, outage_seconds=4, token_down_seconds=5)  # fmt: skip
FULL = Scale("full", events=400, people=300, child_kills=24, main_kills=10, terms=10, postgres_restarts=10,
             commit_resets=60, redis_restarts=5, outage_seconds=20, token_down_seconds=60)  # fmt: skip


@pytest.fixture(scope="session")
def scale() -> Scale:
    return FULL if os.environ.get("FAULT_SCALE") == "full" else REDUCED


@pytest.fixture(scope="module")
def fault_stack(sqs_endpoint) -> Iterator[FaultStack]:
    with FaultStack.running(sqs_endpoint) as stack:
        yield stack


@pytest.fixture
def scenario(fault_stack, tmp_path) -> Iterator[Scenario]:
    run = Scenario.create(fault_stack, tmp_path)
    yield run
    run.stop()
    fault_stack.stub.reset()
    fault_stack.sqs_proxy.accept()
    fault_stack.delius_proxy.stop_commit_faults()


@pytest.fixture(scope="session")
def fault_report(artifacts_dir: Path, scale: Scale) -> Iterator[dict[str, object]]:
    """Each scenario's faults and ledger result, written to artifacts/faults-<scale>.json at the end."""
    report: dict[str, object] = {"scale": asdict(scale), "scenarios": {}}
    yield report
    (artifacts_dir / f"faults-{scale.name}.json").write_text(json.dumps(report, indent=2, default=str))
    (artifacts_dir / f"faults-{scale.name}.md").write_text(markdown(report))


def markdown(report: dict[str, object]) -> str:
    """The report as the table docs/reliability.md quotes."""
    lines = [
        "| fault | injected | events | final states | ledger | seconds |",
        "|---|---|---|---|---|---|",
    ]
    scenarios: dict[str, dict[str, Any]] = report["scenarios"]  # type: ignore[assignment]
    for name, result in scenarios.items():
        injected = ", ".join(f"{what}: {count}" for what, count in result["injected"].items())
        states = ", ".join(f"{state} {count}" for state, count in result["final states"].items())
        held = "held" if result["held"] else "**FAILED**"
        events = f"{result['events']}" + (
            f", each sent {result['copies sent']} times" if result["copies sent"] != 1 else ""
        )
        lines.append(f"| {name} | {injected} | {events} | {states} | {held} | {result['seconds']} |")
    return "\n".join(lines) + "\n"
