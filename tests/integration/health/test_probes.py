"""The worker's probes over HTTP: readiness fails naming each dependency cut and recovers; liveness fails when the
SQS ingest stalls and recovers, but not while a dependency is merely down."""

from __future__ import annotations

import pytest
from health_http import get, start_worker_process, wait_for_status


@pytest.fixture(scope="module")
def worker(cuttable):
    process = start_worker_process(cuttable.env, "health", "--concurrency=1")
    wait_for_status(cuttable.port, "/health/readiness", 200)
    yield process
    process.stop()


def test_both_probes_are_up_and_name_each_check(cuttable, worker):
    status, readiness = get(cuttable.port, "/health/readiness")
    assert status == 200
    assert readiness == {
        "status": "UP",
        "components": {"broker": {"status": "UP"}, "database": {"status": "UP"}, "sqs": {"status": "UP"}},
    }
    status, liveness = get(cuttable.port, "/health/liveness")
    assert status == 200
    assert set(liveness["components"]) == {"sqsIngest", "taskConsumer"}
    assert {c["status"] for c in liveness["components"].values()} == {"UP"}
    assert liveness["components"]["sqsIngest"]["details"]["stallAfterSeconds"] == 8
    assert get(cuttable.port, "/nothing-here")[0] == 404


@pytest.mark.parametrize("dependency", ["broker", "database", "sqs"])
def test_readiness_fails_naming_a_cut_dependency_and_recovers_while_liveness_holds(cuttable, worker, dependency):
    proxy = getattr(cuttable, dependency)
    proxy.refuse()
    try:
        down = wait_for_status(cuttable.port, "/health/readiness", 503)
        assert down["components"][dependency]["status"] == "DOWN"
        assert down["components"][dependency]["details"]["error"]
        assert [name for name, c in down["components"].items() if c["status"] == "DOWN"] == [dependency]
        # Waiting for a dependency is not a stall: a restart would not bring it back.
        assert get(cuttable.port, "/health/liveness")[0] == 200
    finally:
        proxy.accept()
    up = wait_for_status(cuttable.port, "/health/readiness", 200, timeout=60)
    assert up["components"][dependency] == {"status": "UP"}
    assert get(cuttable.port, "/health/liveness")[0] == 200


def test_liveness_fails_when_the_sqs_ingest_stops_polling_and_recovers(cuttable, worker):
    cuttable.moto.freeze()  # the ingest's receive call hangs: connected, never answered
    try:
        stalled = wait_for_status(cuttable.port, "/health/liveness", 503)
        assert stalled["components"]["sqsIngest"]["status"] == "DOWN"
        assert stalled["components"]["sqsIngest"]["details"]["secondsSinceLastBeat"] > 8
        assert stalled["components"]["taskConsumer"]["status"] == "UP"
        assert get(cuttable.port, "/health/readiness")[1]["components"]["sqs"]["status"] == "DOWN"
    finally:
        cuttable.moto.thaw()
    alive = wait_for_status(cuttable.port, "/health/liveness", 200)
    assert alive["components"]["sqsIngest"]["status"] == "UP"
