# ruff: noqa: S608 - every SQL string is built from the model's own table and column names and integers
"""A Delius database at a chosen scale, seeded once with set-based SQL and reused by later runs of that scale.

Each person gets what the fault suite's load gives one (``tests/faults/support/load.py``): an offender with a
community manager and a responsible officer, one active event (disposal, one requirement, one licence condition),
each component managed by one member of staff since ``START``, plus two case-history contacts. Teams hold
``STAFF_PER_TEAM`` staff and one team serves ``PEOPLE_PER_TEAM`` people, all in one provider. Every table is filled
by one ``INSERT … SELECT generate_series`` with ids computed from the row number (foreign-key triggers off for the
load), the sequences are moved past the ids, and ``ANALYZE`` runs last. A ``bench_seed`` row marks a finished seed:
a database without it (an interrupted seed) is dropped and seeded again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from sqlalchemy import Sequence, select, text

from allocations.database import init_db, make_engine
from allocations.delius import codes
from allocations.delius.models import RequirementMainCategory, User, metadata
from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT, ManagerKind
from allocations.delius.steps.reference import reference_code
from allocations.workload.details import AllocationReason
from allocations_local import services
from allocations_local.delius_schema import init_db_with_delius

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
STAFF_PER_TEAM = 6
PEOPLE_PER_TEAM = 25
PROVIDER_CODE = "BEN"
MARKER = "bench_seed"


@dataclass(frozen=True)
class Scale:
    """The shape of a seeded database: everything the planner needs to compute ids and codes."""

    people: int
    teams: int
    offender_base: int
    event_base: int
    requirement_base: int
    condition_base: int

    def team_of(self, person: int) -> int:
        """The team number (1-based) of person ``person`` (1-based)."""
        return (person - 1) % self.teams + 1

    def crn(self, person: int) -> str:
        """The CRN of person ``person``: a letter and six digits, unique up to 24 million people."""
        return f"{chr(66 + person // 1_000_000)}{person % 1_000_000:06d}"


@dataclass(frozen=True)
class Seeded:
    """A ready database: its URL, its shape, and how long seeding took (``reused`` when an earlier run did it)."""

    url: str
    scale: Scale
    seconds: float
    reused: bool


def team_code(team: int) -> str:
    """Team ``team``'s code (CHAR(6))."""
    return f"B{team:05d}"


def staff_code(team: int, member: int) -> str:
    """The code (CHAR(7)) of member ``member`` (1-based) of team ``team``."""
    return f"{team_code(team)}{chr(64 + member)}"


def database_name(people: int) -> str:
    """``allocations_bench_10k``, ``allocations_bench_1m``: one database per scale."""
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if people >= size and people % size == 0:
            return f"allocations_bench_{people // size}{suffix}"
    return f"allocations_bench_{people}"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def ensure_seeded(server_url: str, people: int, username: str) -> Seeded:
    """The database of this scale, seeded now unless a finished seed is there already."""
    url = services.database_url(server_url, database_name(people))
    try:
        with psycopg.connect(_libpq(url)) as conn:
            row = conn.execute(f"SELECT teams, seconds, bases FROM {MARKER} WHERE people = %s", (people,)).fetchone()
        if row is not None:
            missing = init_db(url, url, username)  # the service's schema brought to the code's head
            if missing:
                raise RuntimeError("; ".join(str(item) for item in missing))
            vacuum(url)
            return Seeded(url, Scale(people, int(row[0]), *row[2]), float(row[1]), reused=True)
    except psycopg.Error:
        pass
    services.drop_database(url)
    services.create_database(server_url, database_name(people))
    began = time.perf_counter()
    init_db_with_delius(url, url, username)
    scale = _seed(url, people, username)
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
        seconds = time.perf_counter() - began
        conn.execute(f"CREATE TABLE {MARKER} (people integer, teams integer, seconds float8, bases integer[])")
        bases = [scale.offender_base, scale.event_base, scale.requirement_base, scale.condition_base]
        conn.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s)", (people, scale.teams, seconds, bases))
    return Seeded(url, scale, seconds, reused=False)


def vacuum(url: str) -> None:
    """``VACUUM ANALYZE`` a reused database: what autovacuum keeps doing on a server that runs it.

    Each run ends managers and writes history; on a server with autovacuum off (as on the machines this was measured
    on) the dead rows of earlier runs would pile up and slow the next run's lookups.
    """
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _references(url: str, username: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            found = {"user": c.execute(select(User.user_id).where(User.distinguished_name == username)).scalar_one()}
            for kind in (PERSON, EVENT, REQUIREMENT, LICENCE_CONDITION):
                code = codes.reason_code(kind.reason_dataset, AllocationReason.INITIAL_ALLOCATION)
                found[kind.label] = reference_code(c, kind.reason_dataset, code).id
            rows = c.execute(select(RequirementMainCategory.code, RequirementMainCategory.rqmnt_type_main_category_id))
            found |= {f"main {code}": int(category) for code, category in rows}
            contact = text("SELECT contact_type_id FROM r_contact_type WHERE code = :code")
            found["contact"] = c.execute(contact, {"code": codes.OFFENDER_MANAGER_TRANSFER}).scalar_one()
    finally:
        engine.dispose()
    return {key: int(value) for key, value in found.items()}


def _manager_sql(kind: ManagerKind, parent_base: int, ids: dict[str, int]) -> str:
    table = kind.table.name
    return (
        f"INSERT INTO {table} ({kind.id.name}, {kind.parent_column}, {kind.team_column}, {kind.staff_column},"
        " staff_employee_id, trust_provider_team_id, allocation_date, active_flag, probation_area_id,"
        " partition_area_id, allocation_reason_id, soft_deleted, row_version, created_datetime, last_updated_datetime,"
        " created_by_user_id, last_updated_user_id)"
        f" SELECT (SELECT coalesce(max({kind.id.name}), 0) FROM {table}) + g, {parent_base} + g,"
        " %(team_base)s + team, %(staff_base)s + staff, %(staff_base)s + staff, %(team_base)s + team, %(start)s, 1,"
        f" %(provider)s, 0, {ids[kind.label]}, 0, 0, now(), now(), %(user)s, %(user)s FROM people"
    )


def _seed(url: str, people: int, username: str) -> Scale:
    ids = _references(url, username)
    teams = max(4, -(-people // PEOPLE_PER_TEAM))
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute("SET session_replication_role = replica")  # no foreign-key triggers while loading
        conn.execute("SET maintenance_work_mem = '256MB'")

        def base(table: str, key: str) -> int:
            return int(conn.execute(f"SELECT coalesce(max({key}), 0) FROM {table}").fetchone()[0])  # type: ignore[index]

        provider = conn.execute(
            "INSERT INTO probation_area (probation_area_id, code, description)"
            " VALUES (nextval('probation_area_id_seq'), %s, 'Benchmark provider') RETURNING probation_area_id",
            (PROVIDER_CODE,),
        ).fetchone()[0]  # type: ignore[index]
        team_base, staff_base = base("team", "team_id"), base("staff", "staff_id")
        bases = {t: base(t, f"{t}_id") for t in ("offender", "event", "disposal", "rqmnt", "lic_condition")}
        args = {
            "provider": provider,
            "team_base": team_base,
            "staff_base": staff_base,
            "start": START,
            "user": ids["user"],
        }
        conn.execute(
            "INSERT INTO team (team_id, code, description, probation_area_id) SELECT %(team_base)s + t,"
            " 'B' || lpad(t::text, 5, '0'), 'Benchmark team ' || t, %(provider)s FROM generate_series(1, %(teams)s) t",
            args | {"teams": teams},
        )
        conn.execute(
            "INSERT INTO staff (staff_id, officer_code, forename, surname) SELECT %(staff_base)s + (t - 1) * %(per)s"
            " + m, 'B' || lpad(t::text, 5, '0') || chr(64 + m), 'Bench', 'Staff ' || t || '-' || m"
            " FROM generate_series(1, %(teams)s) t, generate_series(1, %(per)s) m",
            args | {"teams": teams, "per": STAFF_PER_TEAM},
        )
        conn.execute(
            "INSERT INTO staff_team (staff_id, team_id) SELECT staff_id, %(team_base)s + 1 + (staff_id -"
            " %(staff_base)s - 1) / %(per)s FROM staff WHERE staff_id > %(staff_base)s",
            args | {"per": STAFF_PER_TEAM},
        )
        # One row per person: its team and its staff member (team-major, so each team's people spread over its staff).
        conn.execute(
            "CREATE TEMP TABLE people AS SELECT g, (g - 1) %% %(teams)s + 1 AS team,"
            " ((g - 1) %% %(teams)s) * %(per)s + ((g - 1) / %(teams)s) %% %(per)s + 1 AS staff"
            " FROM generate_series(1, %(people)s) g",
            {"teams": teams, "per": STAFF_PER_TEAM, "people": people},
        )
        o, e, d, r, lc = (bases[t] for t in ("offender", "event", "disposal", "rqmnt", "lic_condition"))
        conn.execute(
            f"INSERT INTO offender (offender_id, crn, first_name, surname) SELECT {o} + g,"
            " chr(66 + g / 1000000) || lpad((g % 1000000)::text, 6, '0'), 'Bench', 'Person ' || g FROM people"
        )
        conn.execute(_manager_sql(PERSON, o, ids), args)
        conn.execute(
            "INSERT INTO responsible_officer (responsible_officer_id, offender_id, offender_manager_id, start_date,"
            " row_version, created_datetime, last_updated_datetime, created_by_user_id, last_updated_user_id)"
            f" SELECT om.offender_manager_id, om.offender_id, om.offender_manager_id, %(start)s, 0, now(), now(),"
            f" %(user)s, %(user)s FROM offender_manager om WHERE om.offender_id > {o}",
            args,
        )
        conn.execute(
            "INSERT INTO event (event_id, event_number, offender_id)"
            f" SELECT {e} + g, (g % 5 + 1)::text, {o} + g FROM people"
        )
        conn.execute(f"INSERT INTO disposal (disposal_id, event_id) SELECT {d} + g, {e} + g FROM people")
        main = [ids.get(f"main {code}") for code in ("7", "RM38", "F")]
        conn.execute(
            "INSERT INTO rqmnt (rqmnt_id, offender_id, disposal_id, rqmnt_type_main_category_id)"
            f" SELECT {r} + g, {o} + g, {d} + g, (ARRAY[NULL, NULL, %s, %s, %s]::bigint[])[g %% 5 + 1] FROM people",
            main,
        )
        conn.execute(
            "INSERT INTO lic_condition (lic_condition_id, disposal_id, start_date)"
            f" SELECT {lc} + g, {d} + g, %s FROM people",
            (START,),
        )
        for kind, parent in ((EVENT, e), (REQUIREMENT, r), (LICENCE_CONDITION, lc)):
            conn.execute(_manager_sql(kind, parent, ids), args)
        conn.execute(
            "INSERT INTO contact (contact_id, offender_id, event_id, contact_type_id, notes, contact_date, staff_id,"
            " staff_employee_id, team_id, probation_area_id, created_datetime, last_updated_datetime,"
            " created_by_user_id, last_updated_user_id) SELECT (SELECT coalesce(max(contact_id), 0) FROM contact)"
            f" + 2 * g - n, {o} + g, CASE WHEN n = 0 THEN {e} + g END, %(contact)s, 'Seeded history', %(start)s,"
            " %(staff_base)s + staff, %(staff_base)s + staff, %(team_base)s + team, %(provider)s, now(), now(),"
            " %(user)s, %(user)s FROM people, generate_series(0, 1) n",
            args | {"contact": ids["contact"]},
        )
        _move_sequences(conn)
    return Scale(people, teams, o, e, r, lc)


def _move_sequences(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Every sequence past the highest id its table holds."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if isinstance(column.default, Sequence):
                conn.execute(
                    f"SELECT setval('{column.default.name}', greatest(1, (SELECT coalesce(max({column.name}), 0)"
                    f" FROM {table.name})))"
                )
