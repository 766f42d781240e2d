"""``allocations init-db`` creates only the service's schema; the local package's ``--create-delius`` adds Delius."""

import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select

from allocations.database import make_engine
from allocations.delius.models import User, metadata
from allocations.state.models import SCHEMA
from allocations.state.models import metadata as state_metadata
from allocations_local import services
from tasks.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture
def fresh_database_url(postgres_server_url):
    url = services.create_database(postgres_server_url, services.unique_name("allocations_init_db"))
    yield url
    services.drop_database(url)


def tables(url):
    """The default schema's tables, the service schema's tables, and how many Delius users there are."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            found = inspect(connection)
            delius, state = set(found.get_table_names()), set(found.get_table_names(schema=SCHEMA))
            users = connection.execute(select(func.count()).select_from(User)).scalar_one() if delius else 0
            return delius, state, users
    finally:
        engine.dispose()


def test_create_delius_creates_delius_with_its_reference_data_then_the_service_schema(fresh_database_url):
    result = CliRunner().invoke(
        main, ["init-db", "--create-delius", "--database-url", fresh_database_url, "--delius-username", "Tester"]
    )

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Delius ready", "schemas ready"]
    delius, state, users = tables(fresh_database_url)
    assert delius == set(metadata.tables)
    assert state == {table.name for table in state_metadata.tables.values()}
    assert users == 1


def test_plain_init_db_creates_only_the_service_schema(fresh_database_url):
    result = CliRunner().invoke(main, ["init-db", "--database-url", fresh_database_url])

    assert result.exit_code == 0, result.output
    delius, state, _ = tables(fresh_database_url)
    assert delius == set()
    assert state == {table.name for table in state_metadata.tables.values()}


def production_cli(*args):
    """The ``allocations`` command's output as installed without the local package (no plugin entry point)."""
    code = (
        "import importlib.metadata as m; m.entry_points = lambda **_: (); "
        f"from tasks.cli import main; main({list(args)!r})"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_create_delius_and_run_local_are_offered_only_with_the_local_package_installed():
    assert "--create-delius" in CliRunner().invoke(main, ["init-db", "--help"]).output
    assert "run-local" in CliRunner().invoke(main, ["--help"]).output

    production_init_db = production_cli("init-db", "--help")
    assert "--database-url" in production_init_db
    assert "--create-delius" not in production_init_db
    assert "run-local" not in production_cli("--help")
