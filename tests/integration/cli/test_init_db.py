"""``allocations init-db`` migrates only the service's schema and verifies Delius; ``--create-delius`` creates it."""

import subprocess
import sys

from click.testing import CliRunner
from schema_snapshot import execute, service_tables, snapshot

from allocations.delius.models import metadata
from allocations.state.models import SCHEMA
from allocations.state.models import metadata as state_metadata
from tasks.cli import main

SERVICE_TABLES = {f"{SCHEMA}.{name}" for name in ("alembic_version", *(t.name for t in state_metadata.sorted_tables))}


def init_db(url, *options):
    return CliRunner().invoke(main, ["init-db", "--database-url", url, *options])


def test_create_delius_creates_delius_with_its_reference_data_then_migrates_and_verifies(fresh_database_url):
    result = init_db(fresh_database_url, "--create-delius", "--delius-username", "Tester")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["Delius ready", "service schema at head", "Delius verified"]
    after = snapshot(fresh_database_url)
    assert {name for name in after["tables"] if name.startswith("public.")} == {f"public.{t}" for t in metadata.tables}
    assert service_tables(after) == SERVICE_TABLES
    assert after["rows"]["user_"] == 1


def test_on_a_database_with_delius_init_db_creates_only_the_service_schema(delius_only_url):
    before = snapshot(delius_only_url)

    result = init_db(delius_only_url)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["service schema at head", "Delius verified"]
    after = snapshot(delius_only_url)
    assert service_tables(before) == set()
    assert set(after["tables"]) - set(before["tables"]) == SERVICE_TABLES
    assert {name: columns for name, columns in after["tables"].items() if name not in SERVICE_TABLES} == before[
        "tables"
    ]
    assert after["rows"] == before["rows"]


def test_init_db_is_harmless_to_repeat(delius_only_url):
    assert init_db(delius_only_url).exit_code == 0
    first = snapshot(delius_only_url)

    result = init_db(delius_only_url)

    assert result.exit_code == 0, result.output
    assert snapshot(delius_only_url) == first


def test_a_missing_delius_column_fails_naming_it_and_is_not_put_back(delius_only_url):
    execute(delius_only_url, "ALTER TABLE contact DROP COLUMN sensitive")

    result = init_db(delius_only_url)

    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["missing column: contact.sensitive", "Delius is not ready: 1 missing"]
    assert "sensitive" not in snapshot(delius_only_url)["tables"]["public.contact"]


def test_missing_reference_data_a_missing_table_and_sequence_are_each_named(delius_only_url):
    execute(
        delius_only_url,
        "DELETE FROM r_contact_type WHERE code = 'ETOM'",
        "DELETE FROM user_",
        "DELETE FROM r_standard_reference_list WHERE code_value = 'PN'",
        "DROP TABLE iaps_event",
        "DROP SEQUENCE contact_id_seq CASCADE",
    )

    result = init_db(delius_only_url, "--delius-username", "SomeoneElse")

    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == [
        "Delius is not ready: 5 missing",
        "missing reference data: TRANSFER STATUS PN",
        "missing reference data: r_contact_type ETOM",
        "missing reference data: user_ SomeoneElse",
        "missing sequence: contact_id_seq",
        "missing table: iaps_event",
    ]


def test_on_an_empty_database_init_db_creates_no_delius_table_and_fails_listing_them(fresh_database_url):
    result = init_db(fresh_database_url)

    assert result.exit_code == 1
    missing_tables = {line for line in result.stderr.splitlines() if line.startswith("missing table: ")}
    assert missing_tables == {f"missing table: {name}" for name in metadata.tables}
    after = snapshot(fresh_database_url)
    assert set(after["tables"]) == SERVICE_TABLES
    assert after["rows"] == {}


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
    assert "--delius-username" in production_init_db
    assert "--create-delius" not in production_init_db
    assert "run-local" not in production_cli("--help")
