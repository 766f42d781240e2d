"""The environment the service's processes get on the local stack (the same contract as production)."""

from __future__ import annotations

from dataclasses import dataclass

LOCAL_CLIENT_ID = "workforce-allocations-local"
LOCAL_CLIENT_SECRET = "local-only-secret"  # noqa: S105 - the local stub's credential, not a secret


@dataclass(frozen=True)
class LocalStack:
    """Where each local component listens."""

    database_url: str
    broker_url: str
    sqs_endpoint: str
    sqs_queue: str
    sqs_dlq: str
    workload_base_url: str
    token_url: str


def service_environment(stack: LocalStack, **overrides: str) -> dict[str, str]:
    """Environment variables for a worker, Flower or CLI process talking to ``stack``."""
    environment = {
        "DATABASE_URL": stack.database_url,
        "CELERY_BROKER_URL": stack.broker_url,
        "SQS_QUEUE": stack.sqs_queue,
        "SQS_DLQ": stack.sqs_dlq,
        "AWS_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL_SQS": stack.sqs_endpoint,
        # moto accepts any credentials; boto3 insists on having some.
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "WORKLOAD_ALLOWED_URLS": f"{stack.workload_base_url}/allocation/",
        "OAUTH_TOKEN_URL": stack.token_url,
        "OAUTH_CLIENT_ID": LOCAL_CLIENT_ID,
        "OAUTH_CLIENT_SECRET": LOCAL_CLIENT_SECRET,
        "DELIUS_USERNAME": "HMPPSAllocations",
        "FLOWER_UNAUTHENTICATED_API": "true",
        # No health endpoint unless asked for: several local workers share one host (production's default is 8080).
        "HEALTH_PORT": "0",
        # Local only: the local Flower has no authentication, and its dashboard's actions are anyone's.
        "DASHBOARD_ALLOW_ANONYMOUS_ACTIONS": "true",
    }
    environment.update(overrides)
    return environment
