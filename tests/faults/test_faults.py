"""Nothing lost, nothing applied twice: each fault under load, with a mix of all four event types, then the ledger.

Every scenario sends planned re-allocations through real workers (``pausing_app``: the service with pause points)
against a dedicated PostgreSQL, Redis and SQS endpoint, breaks something on purpose while they run, waits until the
ledger holds every event in a final state, and checks: sent ids equal ledger rows, each final exactly once and as
expected; Delius has one active manager per component, one active RO per person, one contact per applied
allocation, and one pass audit row per applied or duplicate allocation.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

import pytest
from factories import DeliusBuilder
from faults.support import ledger_check, processes
from faults.support.harness import in_thread, seeded
from faults.support.load import plan, seed

if TYPE_CHECKING:
    import threading

    from faults.conftest import Scale
    from faults.support.harness import Scenario
    from faults.support.load import PlannedAllocation, World

pytestmark = pytest.mark.timeout(1800)

IN_FLIGHT = 20


def world_and_plan(scenario: Scenario, scale: Scale, seed_value: int, **mix: float) -> tuple[World, list]:
    """A seeded world and ``scale.events`` planned allocations, plus as many again in reserve (see ``run``)."""
    rng = seeded(seed_value)
    world = seed(scenario.stack.engine, DeliusBuilder(scenario.stack.engine, "HMPPSAllocations"), scale.people, rng)
    return world, plan(world, 2 * scale.events, rng, **mix)


def run(  # noqa: PLR0913 - the scenario and how it is fed
    scenario: Scenario,
    planned: list[PlannedAllocation],
    fault_report: dict,
    name: str,
    injector=None,
    *,
    copies: int = 1,
    world: World | None = None,
) -> None:
    """Feed half of ``planned`` under the fault; while the injector still has faults to inject, the rest in chunks
    (so that every fault lands under load); wait for all that was sent; check the ledger."""
    events = len(planned) // 2
    main, reserve = planned[:events], planned[events:]
    thread, stop = in_thread(injector) if injector else (None, None)
    started = time.monotonic()
    try:
        states = scenario.feed(main, in_flight=IN_FLIGHT, copies=copies, timeout=900)
        while thread is not None and thread.is_alive() and reserve:
            chunk, reserve = reserve[:IN_FLIGHT], reserve[IN_FLIGHT:]
            states = scenario.feed(chunk, in_flight=IN_FLIGHT, copies=copies, timeout=300)
        if thread is not None:
            thread.join(300)
            states = scenario.feed([], timeout=300)
    finally:
        if stop is not None:
            stop.set()
            thread.join(120)
    planned = scenario.sent
    report = ledger_check.check(scenario.stack.engine, planned, world=world)
    if report.problems:
        for worker in scenario.workers:  # shown by pytest with the failure
            print(f"--- {worker.name} (exit {worker.process.poll()}) ---\n{worker.tail(60)}")  # noqa: T201
    fault_report["scenarios"][name] = {
        "events": len(planned),
        "copies sent": copies,
        "seconds": round(time.monotonic() - started, 1),
        "injected": dict(scenario.injected),
        "final states": _count(states.values()),
        "ledger": report.summary(),
        "held": not report.problems,
    }
    report.assert_held()


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def test_pool_processes_killed_at_named_points(scenario, scale, fault_report):
    world, planned = world_and_plan(scenario, scale, 1)
    # About three pauses for each kill wanted: enough to choose from, few enough not to slow the whole run.
    rate = min(0.25, scale.child_kills / scale.events)
    scenario.env.update(FAULT_PAUSE_POINTS="fetching,in-transaction,after-commit", FAULT_PAUSE_RATE=str(rate),
                        FAULT_PAUSE_SECONDS="2")  # fmt: skip
    scenario.start_worker()

    def kill_children(stop: threading.Event) -> None:
        scenario.kill_at_points(scale.child_kills, stop=stop, points=("fetching", "in-transaction", "after-commit"))

    run(scenario, planned, fault_report, "pool process SIGKILLed at named points", kill_children, world=world)
    for point in ("fetching", "in-transaction", "after-commit"):
        assert scenario.injected.get(f"sigkill {point}", 0) > 0, scenario.injected
    assert scenario.injected["sigkill at a named point"] >= scale.child_kills


def test_main_process_killed_while_ingest_publishes_and_at_random(scenario, scale, fault_report):
    world, planned = world_and_plan(scenario, scale, 2)
    at_point = max(1, scale.main_kills // 2)
    rate = min(0.1, 4 * at_point / scale.events)
    scenario.env.update(FAULT_PAUSE_POINTS="ingest-publish", FAULT_PAUSE_RATE=str(rate), FAULT_PAUSE_SECONDS="1")
    scenario.start_worker()
    scenario.start_worker("--no-sqs-ingest")  # tasks keep running while the ingest worker is down

    # A killed main process loses its prefetched SQS messages until their visibility timeout (2 s here), and SQS
    # moves a message received three times to its DLQ: kills closer together than the pipeline recovers would
    # dead-letter valid events on SQS (seen with kills 1 to 3 s apart), so they are at least 6 s apart.
    def kill_mains(stop: threading.Event) -> None:
        rng = seeded(22)
        while not stop.is_set():
            at_points = scenario.injected.get("sigkill ingest-publish", 0)
            random = scenario.injected.get("sigkill main", 0)
            if at_points + random >= scale.main_kills:
                return
            if at_points < at_point:
                scenario.kill_at_points(scenario.injected.get("sigkill at a named point", 0) + 1, stop=stop)
            elif (live := scenario.live_workers()) and not stop.wait(rng.uniform(0.5, 2.0)):
                victim = rng.choice(live)
                scenario.kill_main(victim)
                scenario.count("sigkill main")
                scenario.start_worker(*scenario.worker_args.get(victim.process.pid, ()))
            stop.wait(rng.uniform(6.0, 8.0))

    run(scenario, planned, fault_report, "worker main process SIGKILLed", kill_mains, world=world)
    main_kills = scenario.injected.get("sigkill main", 0) + scenario.injected.get("sigkill ingest-publish", 0)
    assert main_kills >= scale.main_kills, scenario.injected


def test_sigterm_during_work(scenario, scale, fault_report):
    world, planned = world_and_plan(scenario, scale, 3)
    scenario.start_worker()
    scenario.start_worker()

    def terminate(stop: threading.Event) -> None:
        rng = seeded(33)
        while scenario.injected.get("sigterm", 0) < scale.terms and not stop.is_set():
            time.sleep(rng.uniform(0.3, 1.0))
            live = scenario.live_workers()
            if live:
                scenario.terminate(rng.choice(live))
                scenario.count("sigterm")
                scenario.start_worker()

    run(scenario, planned, fault_report, "SIGTERM during work", terminate, world=world)
    assert scenario.injected["sigterm"] >= scale.terms


def test_postgres_restarted_under_load(scenario, scale, fault_report):
    world, planned = world_and_plan(scenario, scale, 4)
    scenario.start_worker()

    def restart(stop: threading.Event) -> None:
        modes = ("immediate", "fast")
        while scenario.injected.get("postgres restart", 0) < scale.postgres_restarts and not stop.is_set():
            time.sleep(1.5)
            scenario.stack.postgres.restart(modes[scenario.injected.get("postgres restart", 0) % 2])
            scenario.count("postgres restart")

    run(scenario, planned, fault_report, "PostgreSQL restarted under load", restart, world=world)
    assert scenario.injected["postgres restart"] >= scale.postgres_restarts


def test_connections_reset_at_commit(scenario, scale, fault_report):
    world, planned = world_and_plan(scenario, scale, 5)
    scenario.start_worker()
    proxy = scenario.stack.delius_proxy
    proxy.reset_commits(before=0.1, after=0.1, seed=5)

    def watch(stop: threading.Event) -> None:
        while sum(proxy.resets.values()) < scale.commit_resets and not stop.is_set():
            time.sleep(0.1)
        proxy.stop_commit_faults()

    run(scenario, planned, fault_report, "connections reset at COMMIT", watch, world=world)
    proxy.stop_commit_faults()
    scenario.count("reset before COMMIT", proxy.resets["before"])
    scenario.count("reset after COMMIT", proxy.resets["after"])
    fault_report["scenarios"]["connections reset at COMMIT"]["injected"] = dict(scenario.injected)
    assert proxy.resets["before"] + proxy.resets["after"] >= scale.commit_resets, proxy.resets
    assert proxy.resets["after"] > 0


def test_redis_restarted_refusing_and_pausing_writes(scenario, scale, fault_report):
    world, planned = world_and_plan(scenario, scale, 6)
    scenario.start_worker()
    redis = scenario.stack.redis

    def break_redis(stop: threading.Event) -> None:
        rng = seeded(66)
        for round_number in range(scale.redis_restarts):
            if stop.wait(rng.uniform(1.0, 2.0)):
                return
            redis.restart(kill=round_number % 2 == 0)
            scenario.count("redis restart")
        if stop.wait(1.0):
            return
        redis.refuse_writes()
        scenario.count("redis refusing writes (s)", int(scale.outage_seconds))
        stop.wait(scale.outage_seconds)
        redis.allow_writes()
        if stop.wait(1.0):
            return
        redis.pause_writes(scale.outage_seconds)
        scenario.count("redis writes paused (s)", int(scale.outage_seconds))

    run(scenario, planned, fault_report, "Redis restarted, refusing and pausing writes", break_redis, world=world)
    assert scenario.injected["redis restart"] >= scale.redis_restarts


def test_sqs_endpoint_unreachable_for_a_period(scenario, scale, fault_report):
    world, planned = world_and_plan(scenario, scale, 7)
    scenario.start_worker()

    def outage(stop: threading.Event) -> None:
        for _ in range(2):
            if stop.wait(2.0):
                return
            scenario.stack.sqs_proxy.refuse(seconds=scale.outage_seconds)
            scenario.count("SQS endpoint unreachable (s)", int(scale.outage_seconds))
            stop.wait(scale.outage_seconds)

    run(scenario, planned, fault_report, "SQS endpoint unreachable", outage, world=world)
    assert scenario.injected["SQS endpoint unreachable (s)"] >= scale.outage_seconds


def test_workload_failing_slow_and_its_token_endpoint_down(scenario, scale, fault_report):
    world, planned = world_and_plan(scenario, scale, 8)
    stub = scenario.stack.stub
    scenario.start_worker()
    stub.failure_mix(error_rate=0.3, hang_rate=0.1, slow_rate=0.1, hang_seconds=3, seed=8)

    def token_outage(stop: threading.Event) -> None:
        if not stop.wait(2.0):
            stub.token_down(scale.token_down_seconds)
            scenario.count("token endpoint down (s)", int(scale.token_down_seconds))

    run(scenario, planned, fault_report, "Workload 30% 5xx, 10% timeouts, slow bodies, token down", token_outage,
        world=world)  # fmt: skip
    injected = stub.injected()
    scenario.count("workload 5xx", injected.get("error", 0))
    scenario.count("workload timeouts", injected.get("hang", 0))
    fault_report["scenarios"]["Workload 30% 5xx, 10% timeouts, slow bodies, token down"]["injected"] = dict(
        scenario.injected
    )
    assert injected.get("error", 0) > 0, injected
    assert injected.get("hang", 0) > 0, injected


def test_every_event_twice_two_workers_same_people_and_out_of_order(scenario, scale, fault_report):
    few = type(scale)(**{**scale.__dict__, "people": max(4, scale.people // 20)})
    world, planned = world_and_plan(scenario, few, 9, historic=0.25)
    scenario.start_worker()
    scenario.start_worker()  # a second instance, as on a second host, consuming the same queue

    run(scenario, planned, fault_report, "every event sent twice, two workers, same people, out of order", copies=2,
        world=world)  # fmt: skip
    historic = [p for p in planned if p.historic]
    assert historic, "the plan has historic allocations arriving after later ones"


@pytest.fixture(autouse=True)
def _no_stray_workers(scenario):
    yield
    for worker in scenario.workers:
        with contextlib.suppress(Exception):
            if worker.process.poll() is None:
                processes.kill_main(worker)
