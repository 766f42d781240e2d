"""Liveness fails while the task consumer's event loop does not turn, and recovers when it turns again.

With the ``solo`` pool a task runs inside the event loop: a fetch that Workload holds for seconds blocks the loop
for that long, as a hung loop would.
"""

from __future__ import annotations

import pytest
from health_http import get, start_worker_process, wait_for_status
from support.network import free_port

from allocations.event_types import EventType
from allocations.sqs import send_event, sqs_client
from allocations_local.publishing import DETAIL_KIND, domain_event
from allocations_local.workload_stub import WorkloadStub


@pytest.fixture(scope="module")
def stub():
    with WorkloadStub() as running:
        yield running


@pytest.fixture(scope="module")
def solo_worker(cuttable, stub):
    port = free_port()
    env = {
        **cuttable.env,
        "HEALTH_PORT": str(port),
        "CONSUMER_STALL_AFTER": "1",
        "HTTP_READ_TIMEOUT": "30",
        "WORKLOAD_ALLOWED_URLS": f"{stub.base_url}/allocation/",
        "OAUTH_TOKEN_URL": stub.token_url,
    }
    process = start_worker_process(env, "solo", "--pool=solo")
    wait_for_status(port, "/health/liveness", 200)
    yield process, port
    stub.release_held()
    process.stop()


def test_liveness_fails_while_the_event_loop_is_blocked_and_recovers(cuttable, stub, solo_worker):
    _, port = solo_worker
    detail_url = stub.add_detail(DETAIL_KIND[EventType.PERSON], {"id": "held", "crn": "X000001"})
    stub.delay(detail_url, 6)
    client = sqs_client("eu-west-2", cuttable.moto.endpoint)
    queue = client.get_queue_url(QueueName=cuttable.env["SQS_QUEUE"])["QueueUrl"]

    send_event(client, queue, domain_event(EventType.PERSON, detail_url, "X000001", "held"))

    blocked = wait_for_status(port, "/health/liveness", 503)
    assert blocked["components"]["taskConsumer"]["status"] == "DOWN"
    assert blocked["components"]["taskConsumer"]["details"]["stallAfterSeconds"] == 1
    assert blocked["components"]["sqsIngest"]["status"] == "UP"  # its own thread kept polling
    turning = wait_for_status(port, "/health/liveness", 200)
    assert turning["components"]["taskConsumer"]["status"] == "UP"
    assert get(port, "/health/readiness")[0] == 200
