"""A worker whose time limits contradict each other refuses to start, whatever steps it was told to skip."""

import pytest
from faults.support.processes import start_replacement

from allocations_local.processes import ProcessFailed


@pytest.mark.parametrize("flags", [(), ("--no-sqs-ingest", "--no-reconcile")])
def test_a_worker_whose_lease_is_shorter_than_two_task_time_limits_refuses_to_start(pipeline, flags):
    env = {**pipeline.env, "RECONCILE_AFTER": "15", "TASK_TIME_LIMIT": "10"}

    with pytest.raises(ProcessFailed, match="RECONCILE_AFTER"):
        start_replacement(env, name="inconsistent", extra_args=flags, timeout=60)
