"""The Oracle-only calls (spec §3.12) through the real Oracle dialect, on a recording DBAPI connection (no server)."""

from __future__ import annotations

from fake_oracle import SERVICE_USER_ID, oracle_engine
from sqlalchemy import create_engine, event

from allocations.delius.context import Delius
from allocations.delius.steps.oracle import rebuild_optimisation_tables
from allocations.delius.steps.unit_of_work import unit_of_work
from allocations.outcome import Outcome

USERNAME = "HMPPSAllocations"


def service_calls(calls):
    """The calls after the dialect's own first-connect queries (version, schema, isolation level, decimal point)."""
    first = next(i for i, call in enumerate(calls) if call[0] == "callproc")
    return calls[first:]


def test_the_engine_is_the_real_oracledb_dialect():
    engine = oracle_engine([])

    assert (engine.dialect.name, engine.dialect.driver) == ("oracle", "oracledb")


def test_each_checkout_sets_the_client_identifier_and_each_checkin_clears_it():
    calls = []
    delius = Delius.connect(oracle_engine(calls), USERNAME)

    for _ in range(2):
        with delius.engine.connect():
            pass

    assert [call for call in calls if call[0] == "callproc"] == [
        ("callproc", "PKG_VPD_CTX.SET_CLIENT_IDENTIFIER", [USERNAME]),
        ("callproc", "PKG_VPD_CTX.CLEAR_CLIENT_IDENTIFIER", []),
    ] * 2


def test_connecting_the_same_engine_twice_installs_the_identity_once():
    calls = []
    engine = oracle_engine(calls)
    Delius.connect(engine, USERNAME)
    Delius.connect(engine, USERNAME)

    with engine.connect():
        pass

    assert sum(call[1] == "PKG_VPD_CTX.SET_CLIENT_IDENTIFIER" for call in calls if call[0] == "callproc") == 1


def test_optimisation_tables_are_rebuilt_by_an_anonymous_block_with_a_bind_parameter():
    calls = []
    with oracle_engine(calls).connect() as connection:
        rebuild_optimisation_tables(connection, 1234)

    assert ("execute", "BEGIN PKG_TRIGGERSUPPORT.PROCREBUILDOPTTABLES(:id); END;", {"id": 1234}) in calls


def test_rebuild_runs_after_the_allocation_commits_inside_the_identified_session():
    calls = []
    delius = Delius.connect(oracle_engine(calls), USERNAME)

    with unit_of_work(delius) as uow:
        uow.after_commit.append(lambda connection: rebuild_optimisation_tables(connection, 99))
        uow.commit(Outcome.applied())

    assert uow.user_id == SERVICE_USER_ID
    steps = [call[1] if call[0] in {"callproc", "execute"} else call[0] for call in service_calls(calls)]
    rebuild = "BEGIN PKG_TRIGGERSUPPORT.PROCREBUILDOPTTABLES(:id); END;"
    assert steps[0] == "PKG_VPD_CTX.SET_CLIENT_IDENTIFIER"
    assert steps[1].startswith("SELECT user_.user_id")
    assert steps[2:6] == ["commit", rebuild, "commit", "rollback"]
    assert steps[-1] == "PKG_VPD_CTX.CLEAR_CLIENT_IDENTIFIER"


def test_other_dialects_issue_neither_oracle_call():
    engine = create_engine("sqlite://")
    executed = []
    event.listen(engine, "before_cursor_execute", lambda *args: executed.append(args[2]))
    delius = Delius.connect(engine, USERNAME)

    with delius.engine.connect() as connection:
        rebuild_optimisation_tables(connection, 5)

    assert executed == []
    assert (len(engine.pool.dispatch.checkout), len(engine.pool.dispatch.checkin)) == (0, 0)
