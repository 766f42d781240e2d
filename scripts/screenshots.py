# ruff: noqa: INP001 - a script, run by path
"""The README's dashboard screenshots, from headless Chromium at 1280 px over a local stack it populates itself.

Starts what ``allocations run-local`` starts (PostgreSQL and Redis from DATABASE_URL / CELERY_BROKER_URL when they
answer, else embedded; a moto SQS endpoint; the Workload stub; a worker and Flower with the dashboard), in a database
of its own, publishes the demo's sample allocations and a few more that fail in different ways, makes one dead letter
previewable (the cause fixed in Delius), then writes ``docs/dashboard.png`` (dead letters: counts, filters, chart),
``docs/dashboard-preview.png`` (a preview) and ``docs/dashboard-outcomes.png`` (outcomes with what each allocation
wrote). Everything it starts is stopped before it returns.

Usage: ``scripts/screenshots.sh [--out DIR]`` (needs Debian's chromium and chromium-driver).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import insert, select

from allocations.database import make_engine
from allocations.delius.models import Staff, StaffTeam, Team
from allocations.event_types import EventType
from allocations.events import ReceivedEvent
from allocations.sqs import send_event, sqs_client
from allocations.state.store import StateStore
from allocations_local import services
from allocations_local.delius_schema import init_db_with_delius
from allocations_local.demo_data import load_demo_data
from allocations_local.demo_events import Sample, samples
from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LocalStack, service_environment
from allocations_local.processes import ServiceProcess, start_worker
from allocations_local.publishing import domain_event
from allocations_local.queues import create_queues
from allocations_local.stack import DEMO_RETRIES, Publisher
from allocations_local.workload_stub import WorkloadStub

if TYPE_CHECKING:
    from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "workforce_allocations_screenshots"
QUEUE = "workforce-allocations-screenshots"
WIDTH, HEIGHT = 1280, 1100
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars")


def main(argv: list[str] | None = None) -> int:
    """Start, populate, shoot, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNG files go (default: docs/)")
    parser.add_argument("--flower-port", type=int, default=0, help="Flower's port (default: a free one)")
    arguments = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        data = Path(tempfile.mkdtemp(prefix="screenshots-"))
        stack.callback(shutil.rmtree, data, ignore_errors=True)
        server_url, stop_postgres = services.start_postgres(os.environ.get("DATABASE_URL"), data / "postgres")
        stack.callback(stop_postgres)
        services.drop_database(services.database_url(server_url, DATABASE))
        database_url = services.create_database(server_url, DATABASE)
        stack.callback(services.drop_database, database_url)
        broker_url, stop_redis = services.start_redis(os.environ.get("CELERY_BROKER_URL"), data / "redis")
        stack.callback(stop_redis)
        sqs_endpoint, stop_sqs = services.start_sqs()
        stack.callback(stop_sqs)
        stub = WorkloadStub(client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET).start()
        stack.callback(stub.stop)

        local = LocalStack(database_url, broker_url, sqs_endpoint, QUEUE, f"{QUEUE}-dlq", stub.base_url, stub.token_url)
        task_queue = services.unique_name("screenshots")
        env = {**os.environ, **service_environment(local, CELERY_TASK_QUEUE=task_queue, **DEMO_RETRIES)}
        os.environ.update(env)  # this process's SQS client and Delius writes use the same settings
        init_db_with_delius(database_url, database_url, env["DELIUS_USERNAME"])
        client = sqs_client(env["AWS_REGION"], sqs_endpoint)
        queue_url, _ = create_queues(client, local.sqs_queue, local.sqs_dlq)
        worker = start_worker(env)
        stack.callback(worker.stop)
        port = arguments.flower_port or free_port()
        argv = [sys.executable, "-m", "tasks.dashboard", f"--port={port}", "--address=127.0.0.1"]
        flower = ServiceProcess("flower", argv, env)
        stack.callback(flower.stop)
        flower.wait_for("Visit me at", timeout=60)
        engine = make_engine(database_url)
        stack.callback(engine.dispose)

        previewable = populate(Publisher(stub, client, queue_url, StateStore(engine), engine), engine)
        driver = chromium()
        stack.callback(driver.quit)
        shoot(driver, f"http://127.0.0.1:{port}", previewable, arguments.out)
    return 0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def populate(publisher: Publisher, engine: Engine) -> int:
    """The demo's samples and a few failures of other kinds; returns the id of a dead letter that would now apply."""
    demo = load_demo_data(engine, "HMPPSAllocations")
    tour = samples(demo)
    misplaced = tour[-1]  # staff N02T01A is not in team N02T02: StaffNotInTeam once its retries are spent
    again = Sample(
        "Allocated again, dated like the current one",
        misplaced.event_type,
        demo.crns[1],
        {**misplaced.detail, "crn": demo.crns[1]},
        "",
    )
    for sample in [*tour, again]:
        publisher.report(sample)
    state = publisher.state
    elsewhere = domain_event(EventType.PERSON, f"{publisher.stub.base_url}/elsewhere/1", demo.crns[2], "elsewhere-1")
    missing = domain_event(EventType.PERSON, f"{publisher.stub.base_url}/allocation/person/gone", demo.crns[3], "gone")
    transferred = "person.community.manager.transferred"
    unsupported = ReceivedEvent("transferred-1", transferred, {"eventType": transferred})
    for event in (elsewhere, missing, unsupported):  # InvalidMessage; Workload 404, retried then parked; ignored
        send_event(publisher.client, publisher.queue_url, event)
    for event in (elsewhere, missing, unsupported):
        _wait_final(state, event.event_id)
    with engine.begin() as c:  # the cause fixed in Delius: N02T01A joins N02T02, so the misplaced one would apply
        staff_id = c.execute(select(Staff.staff_id).where(Staff.officer_code == "N02T01A")).scalar_one()
        team_id = c.execute(select(Team.team_id).where(Team.code == "N02T02")).scalar_one()
        c.execute(insert(StaffTeam).values(staff_id=staff_id, team_id=team_id))
    parked = state.list_dead_letters(crn=demo.crns[2]).items
    return next(d.id for d in parked if d.error_class == "StaffNotInTeam")


def _wait_final(state: StateStore, event_id: str) -> None:
    deadline = time.monotonic() + 60
    while state.final_outcome(event_id) is None:
        if time.monotonic() > deadline:
            raise SystemExit(f"{event_id} has no outcome after 60 s")
        time.sleep(0.2)


def chromium() -> webdriver.Chrome:
    """Headless Chromium with a window 1280 px wide."""
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}")
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


def shoot(driver: webdriver.Chrome, base: str, previewable: int, out: Path) -> None:
    """Open each page, wait for what it shows, and save it at 1280 px."""
    out.mkdir(parents=True, exist_ok=True)
    driver.get(f"{base}/dead-letters")
    driver.execute_script("localStorage.setItem('allocations.dashboard.autoRefresh', 'off')")  # no reload mid-shot
    pages = [
        ("/dead-letters", "#dead-letters", "dashboard.png"),
        (f"/dead-letters/preview?id={previewable}", "section.preview", "dashboard-preview.png"),
        ("/outcomes", "#outcomes .contacts", "dashboard-outcomes.png"),
    ]
    for path, selector, name in pages:
        driver.get(base + path)
        WebDriverWait(driver, 60).until(ready.presence_of_element_located((By.CSS_SELECTOR, selector)))
        target = out / name
        driver.save_screenshot(str(target))
        sys.stdout.write(f"{target} ({target.stat().st_size // 1024} KB)\n")


if __name__ == "__main__":
    sys.exit(main())
