"""Every statement the use cases issued against Delius, compiled for SQLAlchemy's Oracle dialect (python-oracledb).

No Oracle server runs here: this proves what Oracle would be sent (SQL text and bind parameters), not how it runs.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from sqlalchemy import Insert, Sequence, Update
from sqlalchemy.dialects import oracle
from sqlalchemy.schema import CreateSequence, CreateTable
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import TextClause

import allocations.delius
from allocations.delius.models import metadata
from allocations.outcome import OutcomeKind

ORACLE = oracle.dialect()  # the oracledb dialect's compiler is the base dialect's; this is what it renders
# Oracle-only statements that do not run on PostgreSQL: exercised on the Oracle dialect in tests/unit/oracle.
ORACLE_ONLY = {"allocations.delius.steps.oracle"}
# Module-level statements no use case executes, with who does; compiled on their own below.
NOT_BY_USE_CASES = {"allocations.delius.steps.reference._REFERENCE_CODE": "the local demo data's reference look-up"}
POSTGRESQL_ONLY = [
    ("::", "PostgreSQL cast"),
    ("%(", "pyformat bind"),
    (" ILIKE ", "ILIKE"),
    ("ON CONFLICT", "upsert"),
    (" DISTINCT ON", "DISTINCT ON"),
    ("LIMIT ", "LIMIT"),
    (" OFFSET ", "OFFSET"),
    ("now()", "now()"),
    (" true", "boolean literal"),
    (" false", "boolean literal"),
    ("RETURNING *", "RETURNING *"),
    ("pg_", "PostgreSQL function"),
]


def compile_for_oracle(executed):
    """Compile as ``Connection.execute`` does: DML renders the columns its parameters name."""
    dml = isinstance(executed.element, Insert | Update)
    return executed.element.compile(dialect=ORACLE, column_keys=list(executed.keys) if dml else None)


@pytest.fixture(scope="module")
def compiled(recording):
    return [(executed, compile_for_oracle(executed)) for executed in recording.executed]


def test_every_kind_of_use_case_and_ending_ran(recording):
    assert recording.outcomes == [
        OutcomeKind.APPLIED,  # person, current
        OutcomeKind.DUPLICATE,
        OutcomeKind.APPLIED,  # person, historic
        OutcomeKind.APPLIED,  # event, with an SPO's oversight
        OutcomeKind.APPLIED,  # requirement
        OutcomeKind.APPLIED,  # licence condition
        OutcomeKind.IGNORED,  # person, pending transfer
        OutcomeKind.IGNORED,  # requirement, pending transfer (its categories read)
        OutcomeKind.IGNORED,  # licence condition, pending transfer (its categories read)
        "NotFound",
    ]
    assert len({id(executed.element) for executed in recording.executed}) >= 30


def test_every_statement_compiles_and_binds_every_value_it_was_given(compiled):
    for executed, statement in compiled:
        sql = str(statement)
        bound = set(statement.construct_params(dict(zip(executed.keys, executed.values, strict=True))))
        assert set(executed.keys) <= {name.strip('"') for name in bound}, sql
        # Values go as bind parameters, never into the text: no quoted literal anywhere.
        assert "'" not in sql, sql
        for value in executed.values:
            if isinstance(value, str) and len(value) > 2:
                assert value not in sql, (value, sql)


def test_no_statement_uses_postgresql_only_sql(compiled):
    for _, statement in compiled:
        sql = str(statement)
        for marker, what in POSTGRESQL_ONLY:
            assert marker not in sql, f"{what} in {sql}"


def test_identifiers_are_unquoted_so_oracle_folds_them_to_the_upper_case_delius_names(compiled):
    for _, statement in compiled:
        # Quotes only around a bind name that is an Oracle reserved word (``:"number"``), which SQLAlchemy escapes.
        without_binds = re.sub(r':"\w+"', ":bind", str(statement))
        assert '"' not in without_binds, str(statement)
        assert all(len(name) <= 30 for name in re.findall(r"\b[A-Za-z_][\w$#]*\b", without_binds)), str(statement)


def locks_rows(element):
    return getattr(element, "_for_update_arg", None) is not None


def test_row_locks_are_for_update_and_the_event_lock_names_a_column(compiled):
    locks = {
        str(statement)
        for executed, statement in compiled
        if getattr(executed.element, "_for_update_arg", None) is not None
    }

    assert locks
    assert all(re.search(r" FOR UPDATE( OF \w+\.\w+)?$", sql) for sql in locks), locks
    assert any(sql.endswith("FOR UPDATE OF event.event_id") for sql in locks)
    assert any("FROM offender \nWHERE offender.crn = :crn FOR UPDATE" in sql for sql in locks)


def test_new_ids_come_from_the_tables_sequences_and_return_into_an_out_bind(compiled):
    inserts = [(executed, statement) for executed, statement in compiled if isinstance(executed.element, Insert)]
    with_sequences = 0
    for executed, statement in inserts:
        sql = str(statement)
        for column in executed.element.table.primary_key:
            if isinstance(column.default, Sequence) and column.key not in executed.keys:
                with_sequences += 1
                assert f"{column.default.name}.nextval" in sql, sql
        if executed.element._returning:
            assert re.search(r"RETURNING [\w.]+ INTO :ret_0$", sql), sql

    assert with_sequences >= 5  # managers of every kind, responsible officers, contacts


def test_a_select_without_a_table_reads_from_dual_and_limit_is_fetch_first(compiled):
    texts = [str(statement) for _, statement in compiled]

    assert any("(SELECT 1 AS one FROM DUAL) anchor" in sql for sql in texts)
    assert any(re.search(r"FETCH FIRST __\[POSTCOMPILE_param_1\] ROWS ONLY", sql) for sql in texts)


def module_level_statements():
    """Every statement built at import time anywhere in ``allocations.delius`` (alone or in a tuple), by name."""
    found = {}
    for module in pkgutil.walk_packages(allocations.delius.__path__, "allocations.delius."):
        for name, value in vars(importlib.import_module(module.name)).items():
            for candidate in value if isinstance(value, tuple) else (value,):
                if isinstance(candidate, Executable) and not isinstance(candidate, TextClause):
                    found[f"{module.name}.{name}"] = candidate
    return found


def test_every_module_level_statement_of_the_delius_package_was_executed(recording):
    executed = {id(e.element) for e in recording.executed}
    statements = module_level_statements()

    unexecuted = sorted(name for name, statement in statements.items() if id(statement) not in executed)

    assert len(statements) >= 10
    assert unexecuted == sorted(NOT_BY_USE_CASES)


def test_statements_no_use_case_executes_compile_for_oracle_too():
    statements = module_level_statements()
    for name in NOT_BY_USE_CASES:
        sql = str(statements[name].compile(dialect=ORACLE))
        assert "'" not in sql
        assert sql.startswith("SELECT ")


def test_delius_tables_compile_for_oracle_with_sequences():
    for table in metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=ORACLE))
        assert "SERIAL" not in ddl
        assert "JSON" not in ddl
        assert "BOOLEAN" not in ddl
    sequences = [str(CreateSequence(s).compile(dialect=ORACLE)) for s in metadata._sequences.values()]
    assert sequences
    assert all(sql.startswith("CREATE SEQUENCE ") for sql in sequences)
