"""Benchmark the Delius write path: applied and duplicate person allocations on a fresh PostgreSQL database.

Run ``python benchmarks/delius_write.py [--people N]``. It uses the server named by DATABASE_URL when it answers,
else an embedded PostgreSQL, creates a database of its own and drops it afterwards. It prints wall-clock and client
CPU milliseconds per allocation, the SQL statements each one sends, and the pool checkouts it makes (best of
``--rounds`` rounds, as other work on the machine only ever adds time). Last it ends every server connection of the
engine's pool and shows that the next allocation fails as a transient error and the one after it succeeds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.exc import DBAPIError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from allocations.database import make_engine
from allocations.database_errors import is_operational
from allocations.delius import codes
from allocations.delius.context import Delius
from allocations.delius.models import (
    Offender,
    OffenderManager,
    ProbationArea,
    ResponsibleOfficer,
    Staff,
    StaffTeam,
    Team,
    User,
)
from allocations.delius.steps.reference import reference_code
from allocations.event_types import EventType
from allocations.events import AllocationEvent
from allocations.outcome import OutcomeKind
from allocations.routes import write_detail
from allocations.workload.details import AllocationReason, PersonAllocationDetail
from allocations_local import services
from allocations_local.delius_schema import init_db_with_delius

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from allocations.delius.models import Base

USERNAME = "HMPPSAllocations"
SINCE = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
CREATED = datetime(2025, 3, 3, 10, 15, 30, 123000, tzinfo=UTC)
OLD, NEW = ("BNCOLD", "BNCOLDA"), ("BNCNEW", "BNCNEWA")


@dataclass
class Counters:
    """Statements sent and connections checked out since the last reset."""

    statements: int = 0
    checkouts: int = 0


def build_people(engine: Engine, people: int) -> list[str]:
    """One provider, an old and a new team with a staff member each, and ``people`` people managed by the old one."""
    with engine.begin() as c:
        user_id = c.execute(select(User.user_id).where(User.distinguished_name == USERNAME)).scalar_one()
        reason_id = reference_code(c, codes.PERSON_REASONS, "IN1").id
        who = {
            "created_datetime": SINCE,
            "last_updated_datetime": SINCE,
            "created_by_user_id": user_id,
            "last_updated_user_id": user_id,
        }
        provider = _insert(c, ProbationArea, code="BNC", description="Benchmark Provider")
        staff: dict[str, tuple[int, int]] = {}
        for team_code, staff_code in (OLD, NEW):
            team = _insert(c, Team, code=team_code, description=f"Team {team_code}", probation_area_id=provider)
            member = _insert(c, Staff, officer_code=staff_code, forename="Bench", forename2="Mark", surname=staff_code)
            c.execute(insert(StaffTeam).values(staff_id=member, team_id=team))
            staff[team_code] = (team, member)
        team, member = staff[OLD[0]]
        crns = [f"B{n:06d}" for n in range(people)]
        for crn in crns:
            offender = _insert(c, Offender, crn=crn, first_name="Bench", surname=crn)
            manager = _insert(
                c,
                OffenderManager,
                offender_id=offender,
                team_id=team,
                allocation_staff_id=member,
                staff_employee_id=member,
                trust_provider_team_id=team,
                allocation_date=SINCE,
                probation_area_id=provider,
                allocation_reason_id=reason_id,
                **who,
            )
            _insert(c, ResponsibleOfficer, offender_id=offender, offender_manager_id=manager, start_date=SINCE, **who)
    return crns


def _insert(c: Connection, model: type[Base], **values: Any) -> int:
    key = inspect(model).primary_key[0]
    return int(c.execute(insert(model).values(**values).returning(key)).scalar_one())


def allocation(crn: str, created: datetime) -> tuple[AllocationEvent, PersonAllocationDetail]:
    """A person allocation of ``crn`` to the new team's staff member."""
    detail = PersonAllocationDetail(
        id=f"bench-{crn}",
        staff_code=NEW[1],
        team_code=NEW[0],
        created_date=created,
        allocation_reason=AllocationReason.OFFICER_LEFT,
        crn=crn,
    )
    return AllocationEvent(f"event-{crn}", EventType.PERSON, f"http://127.0.0.1/person/{crn}", crn), detail


def measure(
    engine: Engine, counters: Counters, crns: list[str], expected: OutcomeKind
) -> tuple[float, float, float, float]:
    """Allocate every CRN once; (wall ms, CPU ms, statements, checkouts) per allocation."""
    work = [allocation(crn, CREATED) for crn in crns]
    counters.statements = counters.checkouts = 0
    wall, cpu = time.perf_counter(), time.process_time()
    delius = Delius.connect(engine, USERNAME)
    for allocation_event, detail in work:
        outcome = write_detail(delius, allocation_event, detail)
        if outcome.kind is not expected:
            raise SystemExit(f"expected {expected} for {detail.crn}, got {outcome}")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = len(work)
    return wall * 1000 / n, cpu * 1000 / n, counters.statements / n, counters.checkouts / n


def count(engine: Engine) -> Counters:
    """Count the statements the engine sends and the connections it checks out."""
    counters = Counters()

    def statement(*_: Any) -> None:
        counters.statements += 1

    def checkout(*_: Any) -> None:
        counters.checkouts += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    return counters


def run(server_url: str, people: int, rounds: int, warmup: int) -> None:
    """Measure on a database of its own, print the table, drop the database."""
    url = services.create_database(server_url, services.unique_name("delius_bench"))
    try:
        init_db_with_delius(url, url, USERNAME)
        engine = make_engine(url)
        try:
            crns = build_people(engine, warmup + people * rounds + 2)
            counters = count(engine)
            # Warm-up: compile statements, fill the pool and caches, as a long-running worker would have.
            measure(engine, counters, crns[:warmup], OutcomeKind.APPLIED)
            measure(engine, counters, crns[:warmup], OutcomeKind.DUPLICATE)
            applied, duplicate = [], []
            for n in range(rounds):
                batch = crns[warmup + n * people : warmup + (n + 1) * people]
                applied.append(measure(engine, counters, batch, OutcomeKind.APPLIED))
                duplicate.append(measure(engine, counters, batch, OutcomeKind.DUPLICATE))
            recovery = after_dropped_connections(engine, crns[-2:])
        finally:
            engine.dispose()
    finally:
        services.drop_database(url)
    out = sys.stdout.write
    out(f"{people} person allocations per round, best of {rounds} rounds, {engine.dialect.name} ({engine.driver})\n")
    out(f"{'outcome':<10} {'wall ms/op':>11} {'cpu ms/op':>10} {'stmts/op':>9} {'checkouts/op':>13}\n")
    for name, results in (("applied", applied), ("duplicate", duplicate)):
        wall, cpu, statements, checkouts = (min(column) for column in zip(*results, strict=True))
        out(f"{name:<10} {wall:>11.2f} {cpu:>10.2f} {statements:>9.1f} {checkouts:>13.1f}\n")
    out(f"after the server ended every pooled connection: {recovery}\n")


def after_dropped_connections(engine: Engine, crns: list[str]) -> str:
    """End the pool's server connections behind its back, then allocate twice: what each attempt did."""
    libpq = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (engine.url.database,),
        )
    attempts = []
    delius = Delius.connect(engine, USERNAME)
    for crn in crns:
        try:
            attempts.append(write_detail(delius, *allocation(crn, CREATED)).kind.value)
        except DBAPIError as failure:
            attempts.append(
                f"{'transient' if is_operational(failure) else 'permanent'} failure ({type(failure.orig).__name__})"
            )
    return ", then ".join(attempts)


def main() -> None:
    """Parse the options, find or start PostgreSQL, run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300, help="allocations measured per outcome and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best of them is printed")
    parser.add_argument("--warmup", type=int, default=20, help="allocations before measuring")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        server_url, stop = services.start_postgres(os.environ.get("DATABASE_URL"), Path(data_dir) / "pg")
        try:
            run(server_url, args.people, args.rounds, args.warmup)
        finally:
            stop()


if __name__ == "__main__":
    main()
