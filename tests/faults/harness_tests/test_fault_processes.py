import os
import random
import signal
import sys

import pytest
from faults.support import processes

from allocations_local.processes import ServiceProcess


@pytest.fixture
def worker_env(redis_server, postgres):
    """Enough configuration for a task-only worker (no SQS ingest) on the dedicated Redis."""
    return {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_TASK_QUEUE": "faults-harness",
        "SQS_QUEUE": "unused",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "WORKLOAD_ALLOWED_URLS": "http://127.0.0.1:9/allocation/",
        "OAUTH_TOKEN_URL": "http://127.0.0.1:9/auth/oauth/token",
        "OAUTH_CLIENT_ID": "unused",
        "OAUTH_CLIENT_SECRET": "unused",
    }


@pytest.fixture
def started():
    workers = []
    yield workers
    for worker in workers:
        worker.kill()


def test_pool_children_are_found_killed_and_replaced_by_the_pool(worker_env, started):
    worker = processes.start_replacement(worker_env, name="harness", extra_args=["--no-sqs-ingest"])
    started.append(worker)
    pool = processes.pool_children(worker, count=2)

    victim = processes.kill_random_child(worker, random.Random(1))
    assert processes.wait_gone([victim]) == []
    replaced = processes.pool_children(worker, count=2)

    assert victim in pool
    assert victim not in replaced
    assert set(pool) - {victim} <= set(replaced)
    assert processes.terminate_main(worker) == 0
    assert processes.wait_gone(replaced) == []


def test_sigkill_of_the_main_process_leaves_no_pool_process_behind(worker_env, started):
    worker = processes.start_replacement(worker_env, name="doomed", extra_args=["--no-sqs-ingest"])
    started.append(worker)
    pool = processes.pool_children(worker, count=2)

    killed_pool = processes.kill_main(worker)

    assert worker.process.returncode == -signal.SIGKILL
    assert killed_pool == pool
    assert not any(processes.alive(pid) for pid in pool)


def test_children_of_a_plain_process():
    sleeper = "import time; time.sleep(30)"
    spawn = f"[subprocess.Popen([sys.executable, '-c', {sleeper!r}]) for _ in range(3)]"
    code = f"import subprocess, sys, time; {spawn}; {sleeper}"
    parent = ServiceProcess("parent", [sys.executable, "-c", code], dict(os.environ))
    try:
        found = processes.pool_children(parent.process.pid, count=3)
        assert len(found) == 3
        assert all(processes.alive(pid) for pid in found)
    finally:
        parent.kill()  # the whole process group, children included
    assert processes.wait_gone(found) == []
