"""Recovery jobs: a bulk re-enqueue by filter, run in the background at a set rate, whose progress is kept here.

A job row holds its filter, its rate, its progress (a cursor over dead letter ids, and counts) and its status
(``running`` → ``finished``, or ``stopped`` by an operator). A process runs a job while it owns it: it claims a
running job that has no owner or whose owner's heartbeat is older than the lease, so a job whose process died is
resumed by the next one. Each row is re-enqueued through ``actions.requeue``, whose claim dispatches a row at most
once, so a job resumed twice, or run by two processes, never dispatches a row twice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, or_, select, update

from allocations.state import queries
from allocations.state.filters import parse_filter
from allocations.state.ledger import now
from allocations.state.models import dead_letter_table, recovery_job_table
from allocations.state.records import DeadLetterStatus

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from sqlalchemy import Engine

    from allocations.state.records import DeadLetterFilter

_job = recovery_job_table
_dl = dead_letter_table
RUNNING, FINISHED, STOPPED = "running", "finished", "stopped"


@dataclass(frozen=True)
class RecoveryJob:
    """One recovery job and how far it got."""

    id: int
    status: str
    filter: dict[str, Any]
    rate: float
    total: int
    dispatched: int
    skipped: int
    failed: int
    cursor: int
    owner: str | None
    heartbeat_at: datetime | None
    created_by: str | None
    created_at: datetime
    finished_at: datetime | None
    message: str | None

    @property
    def done(self) -> int:
        """Rows handled so far, whatever became of them."""
        return self.dispatched + self.skipped + self.failed

    @property
    def where(self) -> DeadLetterFilter:
        """The filter it covers (parked rows when it names no status)."""
        where = parse_filter(self.filter)
        return dataclasses.replace(where, status=where.status or DeadLetterStatus.PARKED.value)


def start(engine: Engine, where: DeadLetterFilter, rate: float, actor: str | None) -> RecoveryJob:
    """Record a running job over ``where`` at ``rate`` rows a second; ``total`` is what matches now."""
    if not rate > 0:
        raise ValueError("the rate must be above 0 rows a second")
    fields = where.fields()
    with engine.begin() as connection:
        covered = dataclasses.replace(where, status=where.status or DeadLetterStatus.PARKED.value)
        total = len(queries.matching_ids(connection, covered))
        job_id = connection.execute(
            insert(_job)
            .values(
                status=RUNNING,
                filter=fields,
                rate=rate,
                total=total,
                dispatched=0,
                skipped=0,
                failed=0,
                cursor=0,
                created_by=actor,
                created_at=now(),
            )
            .returning(_job.c.id)
        ).scalar_one()
    found = get(engine, int(job_id))
    assert found is not None  # noqa: S101 - inserted just above
    return found


def get(engine: Engine, job_id: int) -> RecoveryJob | None:
    """The job with this id, if any."""
    with engine.connect() as connection:
        row = connection.execute(select(_job).where(_job.c.id == job_id)).mappings().first()
    return None if row is None else RecoveryJob(**row)


def recent(engine: Engine, limit: int = 10) -> list[RecoveryJob]:
    """The newest jobs first, running or not."""
    with engine.connect() as connection:
        rows = connection.execute(select(_job).order_by(_job.c.id.desc()).limit(limit)).mappings()
        return [RecoveryJob(**row) for row in rows]


def stop(engine: Engine, job_id: int, actor: str | None) -> RecoveryJob | None:
    """Stop a running job: its runner sees it before its next row; a finished job is left as it is."""
    with engine.begin() as connection:
        connection.execute(
            update(_job)
            .where(_job.c.id == job_id, _job.c.status == RUNNING)
            .values(status=STOPPED, finished_at=now(), message=f"stopped by {actor}" if actor else "stopped")
        )
    return get(engine, job_id)


def claim(engine: Engine, owner: str, lease: timedelta) -> RecoveryJob | None:
    """Take the oldest running job that ``owner`` holds, or that nobody holds (no heartbeat within ``lease``)."""
    at = now()
    with engine.begin() as connection:
        free = or_(_job.c.owner.is_(None), _job.c.owner == owner, _job.c.heartbeat_at < at - lease)
        row = connection.execute(
            select(_job.c.id, _job.c.owner)
            .where(_job.c.status == RUNNING, free)
            .order_by(_job.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        connection.execute(update(_job).where(_job.c.id == row.id).values(owner=owner, heartbeat_at=at))
    return get(engine, int(row.id))


def next_ids(engine: Engine, job: RecoveryJob, cursor: int, batch: int) -> list[int]:
    """Up to ``batch`` ids past ``cursor`` that the job's filter covers, in id order."""
    with engine.connect() as connection:
        statement = queries.filtered(select(_dl.c.id), job.where).where(_dl.c.id > cursor)
        return list(connection.execute(statement.order_by(_dl.c.id).limit(batch)).scalars())


@dataclass(frozen=True)
class Progress:
    """What a runner did since it last reported: the cursor it reached and the rows it counted."""

    cursor: int
    dispatched: int = 0
    skipped: int = 0
    failed: int = 0


def report(engine: Engine, job_id: int, owner: str, progress: Progress, *, finished: bool = False) -> bool:
    """Add ``progress`` to the job, beat its heart, and say whether ``owner`` should go on (still running, still its).

    ``finished``: the filter has nothing left past the cursor; a running job turns ``finished``.
    """
    at = now()
    with engine.begin() as connection:
        changed = connection.execute(
            update(_job)
            .where(_job.c.id == job_id, _job.c.owner == owner)
            .values(
                cursor=progress.cursor,
                dispatched=_job.c.dispatched + progress.dispatched,
                skipped=_job.c.skipped + progress.skipped,
                failed=_job.c.failed + progress.failed,
                heartbeat_at=at,
            )
        ).rowcount
        if finished and changed:
            connection.execute(
                update(_job)
                .where(_job.c.id == job_id, _job.c.status == RUNNING)
                .values(status=FINISHED, finished_at=at)
            )
        status = connection.execute(select(_job.c.status, _job.c.owner).where(_job.c.id == job_id)).first()
    return bool(changed) and status is not None and status.status == RUNNING and status.owner == owner


def release(engine: Engine, job_id: int, owner: str) -> None:
    """Give the job up (the process is stopping): the next process takes it over at once."""
    with engine.begin() as connection:
        connection.execute(update(_job).where(_job.c.id == job_id, _job.c.owner == owner).values(owner=None))
