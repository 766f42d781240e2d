"""A real worker and the real Flower dashboard launcher, driven by headless Chromium."""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from support.network import free_port

from allocations.database import make_engine
from allocations.sqs import sqs_client
from allocations.state.store import StateStore
from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LocalStack, service_environment
from allocations_local.processes import ServiceProcess, start_worker
from allocations_local.queues import create_queues
from allocations_local.services import unique_name
from allocations_local.workload_stub import WorkloadStub

if TYPE_CHECKING:
    from collections.abc import Iterator

USER, PASSWORD = "operator", "browser-test-pass"
VIEWER, VIEWER_PASSWORD = "viewer", "browser-viewer-pass"  # signed in, but not in DASHBOARD_OPERATORS
FAST_RETRIES = {"RETRY_FIRST_DELAY": "0.2", "RETRY_MAX_DELAY": "0.5", "RETRY_MAX_RETRIES": "2"}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1500,1000",
)


@dataclass
class RunningService:
    stack: LocalStack
    stub: WorkloadStub
    state: StateStore
    queue_url: str
    dashboard_url: str


# A retry long enough to watch on the Retrying page: the first delay is uniform in [0, 600] s, and the budget keeps
# an event that keeps failing in backoff.
SLOW_RETRIES = {"RETRY_FIRST_DELAY": "600", "RETRY_MAX_DELAY": "600", "RETRY_MAX_RETRIES": "8"}


@contextlib.contextmanager
def running_service(
    database_url: str, redis_url: str, sqs_endpoint: str, retries: dict[str, str]
) -> Iterator[RunningService]:
    """The Workload stub, a worker and Flower with the dashboard, on their own queues, with ``retries``."""
    stub = WorkloadStub(client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET)
    stub.start()
    name = unique_name("browser")
    stack = LocalStack(database_url, redis_url, sqs_endpoint, name, f"{name}-dlq", stub.base_url, stub.token_url)
    env = {
        **os.environ,
        **service_environment(stack, CELERY_TASK_QUEUE=unique_name("browser_tasks"), **retries),
        "FLOWER_BASIC_AUTH": f"{USER}:{PASSWORD},{VIEWER}:{VIEWER_PASSWORD}",
        "DASHBOARD_OPERATORS": USER,
    }
    env.pop("FLOWER_UNAUTHENTICATED_API")
    env.pop("DASHBOARD_ALLOW_ANONYMOUS_ACTIONS")
    queue_url, _ = create_queues(sqs_client("eu-west-2", sqs_endpoint), stack.sqs_queue, stack.sqs_dlq, 1)
    worker = start_worker(env, concurrency=1)
    port = free_port()
    flower = ServiceProcess(
        "flower", [sys.executable, "-m", "tasks.dashboard", f"--port={port}", "--address=127.0.0.1"], env
    )
    engine = make_engine(database_url)
    try:
        flower.wait_for("Visit me at", timeout=60)
        yield RunningService(stack, stub, StateStore(engine), queue_url, f"http://127.0.0.1:{port}")
    finally:
        flower.stop()
        worker.stop()
        stub.stop()
        engine.dispose()


@pytest.fixture
def service(database_url, redis_url, sqs_endpoint):
    with running_service(database_url, redis_url, sqs_endpoint, FAST_RETRIES) as running:
        yield running


@pytest.fixture
def slow_retry_service(database_url, redis_url, sqs_endpoint):
    """The same service with long retry delays, so an event stays in backoff long enough to be seen and acted on."""
    with running_service(database_url, redis_url, sqs_endpoint, SLOW_RETRIES) as running:
        yield running


def chromium(*, authenticated: bool, user: str = USER, password: str = PASSWORD) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}")
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    if authenticated:
        # What the browser sends after the operator answers Flower's basic-auth prompt.
        credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {credentials}"}})
    return driver


@pytest.fixture
def browser():
    driver = chromium(authenticated=True)
    yield driver
    driver.quit()


@pytest.fixture
def viewer_browser():
    driver = chromium(authenticated=True, user=VIEWER, password=VIEWER_PASSWORD)
    yield driver
    driver.quit()


@pytest.fixture
def anonymous_browser():
    driver = chromium(authenticated=False)
    yield driver
    driver.quit()
