"""Several release pods may run ``allocations init-db`` at once: one migrates, the others wait and find it done."""

import os
import subprocess
import sys

from sqlalchemy import text
from support.polling import wait_until

from allocations.database import make_engine
from allocations.state.schema import current_revision, head_revision, lock_migrations

WAITING = text(
    "SELECT count(*) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database"
    " WHERE locktype = 'advisory' AND NOT granted AND datname = current_database()"
)


def start_init_db(url):
    env = {name: value for name, value in os.environ.items() if name != "STATE_DATABASE_URL"}
    return subprocess.Popen(
        [sys.executable, "-m", "tasks.cli", "init-db", "--database-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_init_db_runs_started_together_both_succeed_one_after_the_other(delius_only_url):
    engine = make_engine(delius_only_url, pool_size=2)
    try:
        with engine.begin() as holder:
            # Hold the migration lock so that both runs are surely inside init-db, waiting on it, at the same time.
            lock_migrations(holder)
            pods = [start_init_db(delius_only_url) for _ in range(2)]
            with engine.connect() as observer:
                wait_until(
                    lambda: observer.execute(WAITING).scalar_one() == 2,
                    timeout=60,
                    what="both init-db runs waiting for the migration lock",
                )
        results = [pod.communicate(timeout=120) for pod in pods]

        for pod, (stdout, stderr) in zip(pods, results, strict=True):
            assert pod.returncode == 0, stderr
            assert stdout.splitlines() == ["service schema at head", "Delius verified"]
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
