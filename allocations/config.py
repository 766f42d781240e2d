"""Settings from the environment, validated once at start-up (one clear line per bad variable)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from environs import Env, EnvValidationError
from marshmallow import ValidationError
from marshmallow.validate import URL

from allocations.workload.allowed_urls import parse_prefixes

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
DEFAULT_REGION = "eu-west-2"
DEFAULT_DELIUS_USERNAME = "HMPPSAllocations"


class ConfigurationError(Exception):
    """The environment is missing or has malformed variables; the message has one line per problem."""


@dataclass(frozen=True)
class RetryBudget:
    """Exponential backoff with full jitter: delay n is uniform in [0, min(cap, first * 2**n)]."""

    first_delay: float = 2.0
    max_delay: float = 300.0
    max_retries: int = 8


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    database_url: str
    state_database_url: str
    celery_broker_url: str
    sqs_queue: str
    sqs_dlq: str
    aws_region: str
    sqs_endpoint_url: str | None
    workload_allowed_urls: tuple[str, ...]
    oauth_token_url: str
    oauth_client_id: str
    oauth_client_secret: str
    delius_username: str
    http_connect_timeout: float
    http_read_timeout: float
    retry: RetryBudget


def load_settings() -> Settings:
    """Read and validate ``os.environ``; raise ConfigurationError listing every problem at once."""
    env = Env(eager=False, expand_vars=True)
    database_url = env.str("DATABASE_URL")
    sqs_queue = env.str("SQS_QUEUE")
    state_database_url = env.str("STATE_DATABASE_URL", None)
    sqs_dlq = env.str("SQS_DLQ", None)
    allowed_urls: list[str] | None = env.list("WORKLOAD_ALLOWED_URLS", validate=_url_prefixes)
    settings = Settings(
        database_url=database_url,
        state_database_url=state_database_url or database_url,
        celery_broker_url=env.str("CELERY_BROKER_URL", DEFAULT_BROKER_URL),
        sqs_queue=sqs_queue,
        sqs_dlq=sqs_dlq or f"{sqs_queue}-dlq",
        aws_region=env.str("AWS_REGION", DEFAULT_REGION),
        sqs_endpoint_url=env.str("AWS_ENDPOINT_URL_SQS", None),
        workload_allowed_urls=tuple(url.strip() for url in allowed_urls or ()),
        oauth_token_url=env.str("OAUTH_TOKEN_URL", validate=URL(schemes={"http", "https"}, require_tld=False)),
        oauth_client_id=env.str("OAUTH_CLIENT_ID"),
        oauth_client_secret=env.str("OAUTH_CLIENT_SECRET"),
        delius_username=env.str("DELIUS_USERNAME", DEFAULT_DELIUS_USERNAME),
        http_connect_timeout=env.float("HTTP_CONNECT_TIMEOUT", 3.0),
        http_read_timeout=env.float("HTTP_READ_TIMEOUT", 10.0),
        retry=RetryBudget(
            first_delay=env.float("RETRY_FIRST_DELAY", 2.0),
            max_delay=env.float("RETRY_MAX_DELAY", 300.0),
            max_retries=env.int("RETRY_MAX_RETRIES", 8),
        ),
    )
    try:
        env.seal()
    except EnvValidationError as error:
        messages: dict[str, Any] = dict(error.error_messages)  # type: ignore[arg-type]
        lines = [f"{name}: {' '.join(map(str, problems))}" for name, problems in sorted(messages.items())]
        raise ConfigurationError("invalid environment:\n  " + "\n  ".join(lines)) from None
    return settings


def _url_prefixes(values: list[str]) -> None:
    """Each prefix as the SSRF guard will read it, so a bad one fails here and not on every fetch."""
    if not values or not all(v.strip() for v in values):
        raise ValidationError("Must list at least one URL prefix, none blank.")
    for position, value in enumerate(values, start=1):
        try:
            parse_prefixes([value])
        except ValueError:
            # Not echoed: a malformed entry may carry credentials.
            raise ValidationError(
                f"Entry {position} is not an absolute http(s) URL with a host and without credentials."
            ) from None
