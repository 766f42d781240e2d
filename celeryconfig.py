"""Celery settings only. Service settings (database, SQS, Workload) are in ``allocations.config``."""

import os

from allocations.config import DEFAULT_BROKER_URL

broker_url = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
# The longest retry countdown is RETRY_MAX_DELAY (300 s by default). A Redis broker re-delivers an unacked message
# after visibility_timeout, so it must exceed the longest countdown plus the run time, or a task would run twice.
broker_transport_options = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
broker_connection_retry_on_startup = True
# A Redis that refuses writes (maxmemory, read-only replica) is waited out like a lost connection, not fatal.
if broker_url.startswith(("redis://", "rediss://")):
    broker_transport = "tasks.redis_transport:RefusedWritesAreConnectionErrors"

task_serializer = "json"
accept_content = ["json"]
result_serializer = "json"
task_ignore_result = True
result_backend = None

# A task is acknowledged after it ran. One whose process died is not re-delivered by the broker (a task that kills
# its process would be re-delivered forever): the event stays pending in the service's ledger and the reconciler
# dispatches it again once its lease ends, counting the attempts that were lost (MAX_LOST_ATTEMPTS).
task_acks_late = True
task_reject_on_worker_lost = False
worker_prefetch_multiplier = 1

# Nothing runs unbounded: past the soft limit the attempt fails (and is retried), past the hard limit its process is
# killed. The worker refuses to start unless RECONCILE_AFTER and CELERY_VISIBILITY_TIMEOUT leave room for them.
task_time_limit = float(os.environ.get("TASK_TIME_LIMIT", "60"))
task_soft_time_limit = task_time_limit * 0.8

# Separate deployments (or test runs) sharing one Redis keep their tasks apart with their own queue name.
task_default_queue = os.environ.get("CELERY_TASK_QUEUE", "allocations")
timezone = "Europe/London"
enable_utc = True

# Flower's task pages are built from task events. The worker publishes them a batch at a time (tasks/task_events.py:
# one Redis publish per quarter second instead of one per event); task-sent events are off, Flower shows a task from
# its task-received event. CELERY_TASK_EVENTS=false turns them off where nobody reads Flower's task pages (the
# service's own pages read the ledger).
worker_send_task_events = os.environ.get("CELERY_TASK_EVENTS", "true").strip().lower() not in {"false", "0", "no"}
worker_consumer = "tasks.task_events:BatchedEventsConsumer"
task_send_sent_event = False
worker_hijack_root_logger = False
