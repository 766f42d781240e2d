"""Time limits that would let an event run twice at once, or sit unnoticed, stop the worker at start-up."""

from dataclasses import replace

import pytest

from allocations.config import ConfigurationError, Limits, RetryBudget, Settings, check_limits, load_settings

SETTINGS = Settings(
    database_url="postgresql+psycopg://db/x",
    state_database_url="postgresql+psycopg://db/x",
    sqs_queue="q",
    sqs_dlq="q-dlq",
    aws_region="eu-west-2",
    sqs_endpoint_url=None,
    workload_allowed_urls=("https://wl/allocation/",),
    oauth_token_url="https://auth/token",
    oauth_client_id="id",
    oauth_client_secret="secret",
    delius_username="HMPPSAllocations",
    http_connect_timeout=3,
    http_read_timeout=10,
    retry=RetryBudget(),
)


def test_the_defaults_are_consistent():
    check_limits(SETTINGS, task_time_limit=60, visibility_timeout=3600)


def test_a_lease_shorter_than_a_fetch_and_a_write_is_refused():
    with pytest.raises(ConfigurationError, match="RECONCILE_AFTER"):
        check_limits(replace(SETTINGS, limits=Limits(lease=100)), task_time_limit=60, visibility_timeout=3600)


def test_a_visibility_timeout_shorter_than_the_longest_retry_and_run_is_refused():
    with pytest.raises(ConfigurationError, match="CELERY_VISIBILITY_TIMEOUT"):
        check_limits(SETTINGS, task_time_limit=60, visibility_timeout=300)


def test_database_timeouts_longer_than_the_task_are_refused_with_every_problem_listed():
    bad = replace(SETTINGS, limits=Limits(lease=10, statement_timeout=90))
    with pytest.raises(ConfigurationError) as raised:
        check_limits(bad, task_time_limit=60, visibility_timeout=100)
    message = str(raised.value)
    assert all(name in message for name in ("RECONCILE_AFTER", "CELERY_VISIBILITY_TIMEOUT", "DB_STATEMENT_TIMEOUT"))


@pytest.mark.parametrize("name", ["RECONCILE_AFTER", "RECONCILE_INTERVAL", "MAX_LOST_ATTEMPTS", "DB_LOCK_TIMEOUT"])
def test_limits_must_be_positive(monkeypatch, name):
    for key, value in {
        "DATABASE_URL": "postgresql+psycopg://db/x",
        "SQS_QUEUE": "q",
        "WORKLOAD_ALLOWED_URLS": "https://wl/allocation/",
        "OAUTH_TOKEN_URL": "https://auth/token",
        "OAUTH_CLIENT_ID": "id",
        "OAUTH_CLIENT_SECRET": "s",
        name: "0",
    }.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigurationError, match=name):
        load_settings()
