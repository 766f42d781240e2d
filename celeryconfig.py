"""Celery settings only. Service settings (database, SQS, Workload) are in ``allocations.config``."""

import os

broker_url = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# The longest retry countdown is RETRY_MAX_DELAY (300 s by default). A Redis broker re-delivers an unacked message
# after visibility_timeout, so it must exceed the longest countdown plus the run time, or a task would run twice.
broker_transport_options = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
broker_connection_retry_on_startup = True

task_serializer = "json"
accept_content = ["json"]
result_serializer = "json"
task_ignore_result = True
result_backend = None

# At-least-once: a task is acknowledged after it ran, and re-delivered when its worker process dies mid-way.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1

# Separate deployments (or test runs) sharing one Redis keep their tasks apart with their own queue name.
task_default_queue = os.environ.get("CELERY_TASK_QUEUE", "allocations")
timezone = "Europe/London"
enable_utc = True

# Flower needs task and worker events to show anything.
worker_send_task_events = True
task_send_sent_event = True
worker_hijack_root_logger = False
