"""Outcomes and dead letters over time: one grouped query over the ledger and the dead letters' history.

Final outcomes count at their ``finished_at`` by state; dead letters count at each failure that parked one
(``dead_letter_history`` action ``failed``), so an event parked, re-enqueued and applied shows in both. Buckets are
UTC hours or days; the truncation is the database's own (``date_trunc`` on PostgreSQL, ``TRUNC`` on Oracle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, String, func, literal, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from allocations.outcome import OutcomeKind
from allocations.state.ledger import PENDING, now
from allocations.state.models import history_table, ledger_table
from allocations.state.queries import _OUTCOME
from allocations.state.records import HistoryAction, OutcomeRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.sql.compiler import SQLCompiler

_ledger, _history = ledger_table, history_table
PARKED = "parked"  # the dead letters' series
SERIES = (*(kind.value for kind in OutcomeKind), PARKED)


class _HourOf(FunctionElement[datetime]):
    type = DateTime()
    inherit_cache = True


class _DayOf(FunctionElement[datetime]):
    type = DateTime()
    inherit_cache = True


@compiles(_HourOf, "postgresql")
def _hour_pg(element: _HourOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date_trunc('hour', {compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC')"


@compiles(_DayOf, "postgresql")
def _day_pg(element: _DayOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date_trunc('day', {compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC')"


@compiles(_HourOf, "oracle")
def _hour_oracle(element: _HourOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"TRUNC(SYS_EXTRACT_UTC({compiler.process(element.clauses, **kw)}), 'HH')"


@compiles(_DayOf, "oracle")
def _day_oracle(element: _DayOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"TRUNC(SYS_EXTRACT_UTC({compiler.process(element.clauses, **kw)}), 'DD')"


@dataclass(frozen=True)
class Span:
    """How far back, in buckets of what size."""

    name: str
    bucket: timedelta
    buckets: int
    truncate: type[FunctionElement[datetime]]


SPANS = {
    "24h": Span("24h", timedelta(hours=1), 24, _HourOf),
    "7d": Span("7d", timedelta(days=1), 7, _DayOf),
}


@dataclass(frozen=True)
class Bucket:
    """One hour or day: its start (UTC) and the count of each series in it (every series present, zeros too)."""

    start: datetime
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Outcomes in the bucket (the dead letters' series is not an outcome: it is not added)."""
        return sum(n for name, n in self.counts.items() if name != PARKED)


@dataclass(frozen=True)
class Timeline:
    """The buckets of a span, oldest first, and each series' total over it."""

    span: str
    buckets: list[Bucket]
    totals: dict[str, int]


def _first_bucket(span: Span, at: datetime) -> datetime:
    if span.bucket >= timedelta(days=1):
        last = at.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        last = at.replace(minute=0, second=0, microsecond=0)
    return last - span.bucket * (span.buckets - 1)


def timeline(engine: Engine, span: Span, *, at: datetime | None = None) -> Timeline:
    """Counts per bucket and series over ``span`` up to ``at`` (now), in one grouped query."""
    first = _first_bucket(span, at or now())
    outcomes = select(_ledger.c.finished_at.label("at"), _ledger.c.state.label("series")).where(
        _ledger.c.finished_at >= first, _ledger.c.state != PENDING
    )
    parked = select(_history.c.at.label("at"), literal(PARKED, String(20)).label("series")).where(
        _history.c.at >= first, _history.c.action == HistoryAction.FAILED.value
    )
    events = union_all(outcomes, parked).subquery()
    bucket = span.truncate(events.c.at).label("bucket")
    query = select(bucket, events.c.series, func.count().label("n")).group_by(bucket, events.c.series)
    counts: dict[tuple[datetime, str], int] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            start = row.bucket if row.bucket.tzinfo else row.bucket.replace(tzinfo=UTC)
            counts[(start.astimezone(UTC), row.series)] = int(row.n)
    starts = [first + span.bucket * i for i in range(span.buckets)]
    buckets = [Bucket(start, {name: counts.get((start, name), 0) for name in SERIES}) for start in starts]
    totals = {name: sum(b.counts[name] for b in buckets) for name in SERIES}
    return Timeline(span.name, buckets, totals)


def recent_outcomes(engine: Engine, limit: int) -> list[OutcomeRecord]:
    """The newest final outcomes, newest first (the Outcomes page before anything is searched)."""
    query = (
        _OUTCOME.where(_ledger.c.state != PENDING, _ledger.c.finished_at.is_not(None))
        .order_by(_ledger.c.finished_at.desc(), _ledger.c.event_id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [OutcomeRecord(**row) for row in connection.execute(query).mappings()]
