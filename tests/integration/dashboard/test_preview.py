"""Preview: the allocation rehearsed against Delius and rolled back; the rows it would write or the error it hits."""

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from allocations.config import DEFAULT_DELIUS_USERNAME as DELIUS_USERNAME
from allocations.delius.context import Delius
from allocations.delius.models import metadata as delius_metadata
from allocations.delius.preview import preview_event
from allocations.event_types import EventType
from allocations.events import AllocationEvent
from allocations.routes import parse_detail, write_detail
from allocations.state.ledger import Attempt
from allocations.state.operator_view import OperatorView
from allocations.state.recording import Failure
from allocations.workload.client import WorkloadClient
from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET
from allocations_local.publishing import DETAIL_KIND, domain_event
from allocations_local.workload_stub import WorkloadStub
from tasks.cli import main
from tasks.operations import Operations

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def stub():
    with WorkloadStub(client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET) as running:
        yield running


@pytest.fixture
def workload(stub):
    client = WorkloadClient(stub.token_url, LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, [stub.base_url])
    yield client
    client.close()


@pytest.fixture
def scenario(delius, stub):
    provider = delius.provider(code="N05", description="Preview Region")
    team = delius.team(provider, code="N05PRV", description="Preview Team")
    case = delius.case(team, delius.staff(team, code="N05OLDA", surname="Old"), START)
    detail = {"id": "alloc-1", "crn": case.crn, "staffCode": "N05LATE", "teamCode": team.code}
    detail["createdDate"] = "2025-06-04T13:05:09Z"
    url = stub.add_detail(DETAIL_KIND[EventType.PERSON], detail)
    event = domain_event(EventType.PERSON, url, case.crn, "alloc-1")
    return delius, team, event


def table_counts(engine):
    with engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in delius_metadata.tables.items()
        }


def test_preview_shows_the_error_it_would_hit_and_writes_nothing_not_even_the_audit_row(engine, scenario, workload):
    _builder, _team, event = scenario
    before = table_counts(engine)

    preview = preview_event(Delius.connect(engine, DELIUS_USERNAME), event.to_task_arg(), workload.fetch_json)

    assert (preview.verdict, preview.error_class) == ("retry", "NotFound")
    assert preview.error_message == "Staff with code of N05LATE not found"
    assert table_counts(engine) == before  # a real failed attempt writes an F audit row; the preview none


def test_once_fixed_the_preview_shows_the_rows_it_would_write_and_the_write_then_writes_them(
    engine, scenario, workload
):
    builder, team, event = scenario
    builder.staff(team, code="N05LATE", forename="Lee", surname="Late")  # the cause, fixed in Delius
    delius = Delius.connect(engine, DELIUS_USERNAME)
    before = table_counts(engine)

    preview = preview_event(delius, event.to_task_arg(), workload.fetch_json)
    after_preview = table_counts(engine)
    allocation = AllocationEvent.from_received(event)
    outcome = write_detail(delius, allocation, parse_detail(workload.fetch_json(allocation.detail_url)))
    after_write = table_counts(engine)

    assert after_preview == before
    assert preview.verdict == "apply"
    assert outcome.kind.value == "applied"
    inserted = {row.table for row in preview.rows if row.action == "insert"}
    changed = {name for name in after_write if after_write[name] > before[name]}
    assert inserted == changed - {"audited_interaction"}  # the preview shows every table the write inserts into
    [manager] = [r for r in preview.rows if (r.action, r.table) == ("insert", "offender_manager")]
    assert manager.values["allocation_staff_id"] is not None
    assert {r.table for r in preview.rows if r.action == "update"} == {"offender_manager", "responsible_officer"}


def test_cli_preview_prints_the_verdict_per_id_and_fails_for_an_unknown_one(engine, scenario, workload, store):
    _builder, _team, event = scenario
    store.dead_letter(Attempt(event, 9, "task-p", None), Failure("NotFound", "Staff not found", "tb"))
    [dead_letter] = store.operator_view.list_dead_letters(None).items

    class Source:
        delius = Delius.connect(engine, DELIUS_USERNAME)
        fetch_detail = staticmethod(workload.fetch_json)

    operations = Operations(OperatorView(store.engine, lease=store.lease), lambda _: "t", None, Source())
    result = CliRunner().invoke(main, ["dead-letters", "preview", str(dead_letter.id), "999999"], obj=operations)

    assert f"{dead_letter.id:>6}  would retry: NotFound: Staff with code of N05LATE not found" in result.output
    assert "999999  no such dead letter" in result.output
    assert result.exit_code == 1


def test_detail_page_links_to_its_preview_and_the_preview_page_answers_for_an_unknown_id(dashboard, park):
    dead_letter_id = park("preview-link")
    session = dashboard.session()

    detail = session.get(f"{dashboard.base_url}/dead-letters/{dead_letter_id}", timeout=10).text
    unknown = session.get(f"{dashboard.base_url}/dead-letters/preview", params={"id": 999999}, timeout=10)

    assert f'href="/dead-letters/preview?id={dead_letter_id}"' in detail
    assert 'data-verdict="missing"' in unknown.text
