"""The direct baseline: the same kind of allocations through the domain code in this process, no broker, no HTTP.

Each detail is parsed with ``allocations.routes.parse_detail`` and written with ``allocations.routes.write_detail``
against a ``Delius`` of ``allocations.delius.context``: what the write task does, without the ledger. A
``before_cursor_execute`` listener counts the statements of each allocation type and times the database calls.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from allocations.database import make_engine
from allocations.delius.context import Delius
from allocations.outcome import OutcomeKind
from allocations.routes import parse_detail, write_detail

if TYPE_CHECKING:
    from collections.abc import Sequence

    from benchmarks.plan import Allocation


@dataclass
class Baseline:
    """What the direct writes cost: per event overall and per allocation type."""

    events: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    db_s: float = 0.0
    statements: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    db_by_type: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    count_by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_json(self) -> dict[str, Any]:
        """The JSON form: milliseconds per event, statements and database ms per allocation type."""
        n = max(1, self.events)
        return {
            "events": self.events,
            "events_per_s": self.events / self.wall_s if self.wall_s else 0.0,
            "cpu_ms_per_event": self.cpu_s * 1000 / n,
            "wall_ms_per_event": self.wall_s * 1000 / n,
            "db_ms_per_event": self.db_s * 1000 / n,
            "statements_per_type": {t: self.statements[t] / c for t, c in self.count_by_type.items()},
            "db_ms_per_type": {t: self.db_by_type[t] * 1000 / c for t, c in self.count_by_type.items()},
        }


def run_baseline(url: str, username: str, allocations: Sequence[Allocation], warmup: int, base_url: str) -> Baseline:
    """Write ``allocations`` directly; the first ``warmup`` are not counted. Every one must be applied."""
    engine = make_engine(url)
    current: dict[str, Any] = {"type": None, "statements": 0, "db": 0.0, "started": 0.0}

    def before(*_: Any) -> None:
        current["statements"] += 1
        current["started"] = time.perf_counter()

    def after(*_: Any) -> None:
        current["db"] += time.perf_counter() - current["started"]

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    result = Baseline()
    try:
        delius = Delius.connect(engine, username)
        for position, allocation in enumerate(allocations):
            measured = position >= warmup
            current["statements"], current["db"] = 0, 0.0
            wall, cpu = time.perf_counter(), time.process_time()
            outcome = write_detail(delius, allocation.allocation_event(base_url), parse_detail(allocation.detail))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if outcome.kind is not OutcomeKind.APPLIED:
                raise RuntimeError(f"baseline allocation {allocation.event_id} ended {outcome}")
            if measured:
                kind = allocation.event_type.value
                result.events += 1
                result.wall_s += wall
                result.cpu_s += cpu
                result.db_s += current["db"]
                result.statements[kind] += current["statements"]
                result.db_by_type[kind] += current["db"]
                result.count_by_type[kind] += 1
    finally:
        engine.dispose()
    return result
