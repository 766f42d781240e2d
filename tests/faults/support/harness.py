"""A whole pipeline under faults: dedicated PostgreSQL, Redis and SQS endpoint behind proxies, workers, a feeder.

``FaultStack`` owns the long-lived parts of one test module: a PostgreSQL cluster reached through a PostgreSQL-aware
TCP proxy (so COMMITs can be reset and the server restarted under load), a Redis server with AOF (restarted, or made
to refuse writes), a moto SQS server reached through a proxy (made unreachable), and the Workload stub. Each scenario
starts its own workers (``pausing_app``: the service with pause points), feeds planned allocations in a closed loop
with a bounded number in flight, injects its fault from a thread, and waits until the ledger holds every event in a
final state or the time runs out; ``ledger_check`` then says whether the guarantee held.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faults.support import processes
from faults.support.postgres_server import PostgresServer
from faults.support.proxy import TcpProxy
from faults.support.redis_server import RedisServer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from allocations.database import make_engine
from allocations.sqs import sqs_client
from allocations.state.ledger import PENDING
from allocations.state.models import ledger_table
from allocations_local.delius_schema import init_db_with_delius
from allocations_local.environment import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LocalStack, service_environment
from allocations_local.processes import ServiceProcess
from allocations_local.queues import create_queues
from allocations_local.services import unique_name
from allocations_local.workload_stub import WorkloadStub

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from faults.support.load import PlannedAllocation
    from sqlalchemy import Engine

SUPPORT = Path(__file__).resolve().parent
# Short limits so that lost work comes back within seconds: the lease (RECONCILE_AFTER) must exceed twice the
# task time limit, and the visibility timeout the longest retry countdown plus the time limit.
FAULT_LIMITS = {
    "RETRY_FIRST_DELAY": "0.2",
    "RETRY_MAX_DELAY": "1",
    "RETRY_MAX_RETRIES": "12",
    "TASK_TIME_LIMIT": "6",
    "RECONCILE_AFTER": "14",
    "RECONCILE_INTERVAL": "1",
    "CELERY_VISIBILITY_TIMEOUT": "20",
    "DB_STATEMENT_TIMEOUT": "4",
    "DB_LOCK_TIMEOUT": "3",
    "HTTP_CONNECT_TIMEOUT": "1",
    "HTTP_READ_TIMEOUT": "1.5",
    "MAX_LOST_ATTEMPTS": "6",
}


@dataclass
class FaultStack:
    """The long-lived servers of one module, each reached through a proxy a test can break."""

    postgres: PostgresServer
    database_url: str
    delius_proxy: TcpProxy
    redis: RedisServer
    sqs_proxy: TcpProxy
    sqs_endpoint: str
    stub: WorkloadStub
    engine: Engine

    @classmethod
    @contextlib.contextmanager
    def running(cls, sqs_endpoint: str) -> Iterator[FaultStack]:
        """Start everything; stop everything (by PID) afterwards."""
        with contextlib.ExitStack() as stack:
            postgres = stack.enter_context(PostgresServer())
            database_url = postgres.create_database(unique_name("faults"))
            init_db_with_delius(database_url, database_url, "HMPPSAllocations")
            delius_proxy = stack.enter_context(TcpProxy("127.0.0.1", postgres.port, postgres=True))
            redis = stack.enter_context(RedisServer())
            host, port = sqs_endpoint.removeprefix("http://").rsplit(":", 1)
            sqs_proxy = stack.enter_context(TcpProxy(host, int(port)))
            stub = WorkloadStub(client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET)
            stub.start()
            stack.callback(stub.stop)
            engine = make_engine(database_url)
            stack.callback(engine.dispose)
            yield cls(
                postgres=postgres,
                database_url=database_url,
                delius_proxy=delius_proxy,
                redis=redis,
                sqs_proxy=sqs_proxy,
                sqs_endpoint=f"http://127.0.0.1:{sqs_proxy.port}",
                stub=stub,
                engine=engine,
            )


@dataclass
class Scenario:
    """One fault run: its queues, environment, workers and what was injected."""

    stack: FaultStack
    queue_url: str
    env: dict[str, str]
    pause_log: Path
    workers: list[ServiceProcess] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)
    # Main processes the test stopped on purpose; any other that exits is restarted, as a supervisor would.
    stopped_on_purpose: set[int] = field(default_factory=set)
    replaced: set[int] = field(default_factory=set)
    worker_args: dict[int, tuple[str, ...]] = field(default_factory=dict)
    pauses_seen: int = 0
    sent: list[PlannedAllocation] = field(default_factory=list)
    _names: Iterator[int] = field(default_factory=lambda: iter(range(1, 1000)))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, stack: FaultStack, tmp_path: Path, **env: str) -> Scenario:
        """Fresh queues (visibility 2 s) and a fresh task queue on the stack's Redis."""
        name = unique_name("faults")
        local = LocalStack(
            stack.delius_proxy.url_for(stack.database_url),
            stack.redis.url,
            stack.sqs_endpoint,
            name,
            f"{name}-dlq",
            stack.stub.base_url,
            stack.stub.token_url,
        )
        queue_url, _ = create_queues(sqs_client("eu-west-2", stack.sqs_endpoint), name, f"{name}-dlq", 2)
        pause_log = tmp_path / "pauses.log"
        pause_log.touch()
        environment = {
            **os.environ,
            **service_environment(local, CELERY_TASK_QUEUE=unique_name("tasks"), **FAULT_LIMITS),
            "PYTHONPATH": os.pathsep.join([str(SUPPORT), os.environ.get("PYTHONPATH", "")]),
            "FAULT_PAUSE_LOG": str(pause_log),
            **env,
        }
        return cls(stack, queue_url, environment, pause_log)

    def start_worker(self, *args: str, concurrency: int = 2) -> ServiceProcess:
        """A worker of the service with pause points; ready when it returns."""
        name = f"w{next(self._names)}"
        argv = [sys.executable, "-m", "celery", "-A", "pausing_app", "worker", "--loglevel=INFO",
                f"--concurrency={concurrency}", f"--hostname={name}@%h", "--without-mingle", "--without-gossip",
                *args]  # fmt: skip
        worker = ServiceProcess(name, argv, self.env)
        try:
            worker.wait_for("ready.", timeout=90)
        except BaseException:
            worker.kill()
            raise
        with self._lock:
            self.workers.append(worker)
            self.worker_args[worker.process.pid] = args
        return worker

    def kill_main(self, worker: ServiceProcess) -> None:
        """SIGKILL a worker's main process (and reap its pool); not restarted by ``supervise``."""
        self.stopped_on_purpose.add(worker.process.pid)
        processes.kill_main(worker)

    def terminate(self, worker: ServiceProcess) -> None:
        """SIGTERM a worker (warm shutdown); not restarted by ``supervise``."""
        self.stopped_on_purpose.add(worker.process.pid)
        processes.terminate_main(worker, timeout=30)

    def supervise(self) -> None:
        """Restart any worker that exited without the test stopping it, as Kubernetes or a Procfile runner would."""
        with self._lock:
            exited = [
                w
                for w in self.workers
                if w.process.poll() is not None
                and w.process.pid not in self.stopped_on_purpose
                and w.process.pid not in self.replaced
            ]
            self.replaced.update(w.process.pid for w in exited)
        for worker in exited:
            self.count("worker exited by itself (restarted)")
            self.start_worker(*self.worker_args.get(worker.process.pid, ()))

    def live_workers(self) -> list[ServiceProcess]:
        """Workers whose main process still runs."""
        with self._lock:
            return [w for w in self.workers if w.process.poll() is None]

    def count(self, what: str, by: int = 1) -> None:
        """Record an injected fault."""
        with self._lock:
            self.injected[what] = self.injected.get(what, 0) + by

    def stop(self) -> None:
        """Stop every worker (SIGTERM, then SIGKILL by PID)."""
        for worker in self.workers:
            if worker.process.poll() is None:
                processes.terminate_main(worker, timeout=30)

    # ------------------------------------------------------------------------------------------------ feeding

    def states(self, event_ids: Iterable[str]) -> dict[str, str]:
        """The ledger state of each event id that has a row (asked again while the database restarts)."""
        ids = list(event_ids)
        for attempt in range(60):
            try:
                return self._states(ids)
            except OperationalError:
                if attempt == 59:
                    raise
                time.sleep(0.5)
        return {}

    def _states(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self.stack.engine.connect() as connection:
            for start in range(0, len(ids), 500):
                rows = connection.execute(
                    select(ledger_table.c.event_id, ledger_table.c.state).where(
                        ledger_table.c.event_id.in_(ids[start : start + 500])
                    )
                )
                found.update({row.event_id: row.state for row in rows})
        return found

    def feed(
        self, planned: list[PlannedAllocation], *, in_flight: int = 20, copies: int = 1, timeout: float = 300
    ) -> dict[str, str]:
        """Send each planned event (``copies`` times), at most ``in_flight`` unfinished; wait until all are final.

        Returns every sent event's ledger state at the end (``pending`` or missing ones mean the time ran out).
        """
        client = sqs_client("eu-west-2", self.stack.sqs_endpoint)
        deadline = time.monotonic() + timeout
        queue = list(planned)
        open_ids = {a.event_id for a in self.sent}  # earlier sends still count until they are final
        while queue or open_ids:
            if time.monotonic() > deadline:
                break
            self.supervise()
            if open_ids:
                states = self.states(open_ids)
                open_ids -= {event_id for event_id, state in states.items() if state != PENDING}
            while queue and len(open_ids) < in_flight:
                allocation = queue.pop(0)
                for _ in range(copies):
                    _send_with_retries(lambda a=allocation: a.publish(self.stack.stub, client, self.queue_url))
                self.sent.append(allocation)
                open_ids.add(allocation.event_id)
            time.sleep(0.05)
        return self.states(a.event_id for a in self.sent)

    # --------------------------------------------------------------------------------------------- injecting

    def kill_at_points(
        self,
        kills: int,
        *,
        stop: threading.Event,
        points: Iterable[str] = (),
        replace_main: bool = True,
        min_gap: float = 0.0,
    ) -> None:
        """SIGKILL processes that announce a pause until ``kills`` are done, spread evenly over ``points``.

        A killed main process is reaped with its pool and replaced by a new worker. ``min_gap``: seconds to let
        the pipeline recover after a kill before the next (pauses announced meanwhile are let go).
        """
        balance = list(points)
        quiet_until = 0.0
        while self.injected.get("sigkill at a named point", 0) < kills and not stop.is_set():
            lines = self.pause_log.read_text(encoding="utf-8").splitlines()
            for line in lines[self.pauses_seen :]:
                pid_text, point = line.split()
                if time.monotonic() < quiet_until:
                    continue
                if balance and self.injected.get(f"sigkill {point}", 0) > min(
                    self.injected.get(f"sigkill {p}", 0) for p in balance
                ):
                    continue  # this point is ahead: wait for a pause at one that is behind
                self._kill_paused(int(pid_text), point, replace_main=replace_main)
                quiet_until = time.monotonic() + min_gap
                if self.injected.get("sigkill at a named point", 0) >= kills:
                    break
            self.pauses_seen = len(lines)
            time.sleep(0.02)

    def _kill_paused(self, pid: int, point: str, *, replace_main: bool) -> None:
        mains = {w.process.pid: w for w in self.live_workers()}
        if pid in mains:
            self.stopped_on_purpose.add(pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            self.count("sigkill at a named point")
            self.count(f"sigkill {point}")
        if pid in mains and replace_main:
            self.kill_main(mains[pid])
            self.start_worker(*self.worker_args.get(pid, ()))


def _send_with_retries(send: Callable[[], Any], attempts: int = 60) -> None:
    """Send an event even while the SQS endpoint is down for a while (the feeder is Workload, not the service)."""
    for attempt in range(attempts):
        try:
            send()
        except Exception:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
        else:
            return


def in_thread(work: Callable[[threading.Event], None]) -> tuple[threading.Thread, threading.Event]:
    """Run a fault injector in a thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=work, args=(stop,), daemon=True)
    thread.start()
    return thread, stop


def seeded(seed: int) -> random.Random:
    """A reproducible random source for a scenario."""
    return random.Random(seed)
