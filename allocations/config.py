"""Settings from the environment, validated once at start-up (one clear line per bad variable)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from environs import Env, EnvValidationError
from marshmallow import ValidationError
from marshmallow.validate import URL

from allocations.workload.allowed_urls import parse_prefixes

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
DEFAULT_REGION = "eu-west-2"
DEFAULT_DELIUS_USERNAME = "HMPPSAllocations"
LOG_FORMATS = ("text", "json")
MASK = "***"
SECRET_FIELDS = frozenset({"oauth_client_secret"})
# user:password@ in a URL (to the last @, so a password holding / or @ is masked whole), and ?password= options.
_URL_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@]*):.*@")
_QUERY_PASSWORD = re.compile(r"(?i)(?P<head>[?&](?:password|passwd|pwd)=)[^&#]*")


class ConfigurationError(Exception):
    """The environment is missing or has malformed variables; the message has one line per problem."""


@dataclass(frozen=True)
class RetryBudget:
    """Exponential backoff with full jitter: delay n is uniform in [0, min(cap, first * 2**n)]."""

    first_delay: float = 2.0
    max_delay: float = 300.0
    max_retries: int = 8


@dataclass(frozen=True)
class Limits:
    """Bounds on time that keep every event moving: the reconciler's lease, and database timeouts (seconds)."""

    # A pending event with no live attempt for this long is dispatched again by the reconciler (RECONCILE_AFTER).
    lease: float = 180.0
    reconcile_interval: float = 10.0
    # Chains started for an event that never ended (their process died) before it is dead-lettered.
    max_lost_attempts: int = 3
    statement_timeout: float = 30.0
    lock_timeout: float = 10.0


@dataclass(frozen=True)
class Health:
    """The worker's probe and metrics endpoint, and when its consumers count as stalled (seconds)."""

    port: int = 8080  # HEALTH_PORT; 0 serves nothing
    host: str = "0.0.0.0"  # noqa: S104 - a pod's probes and Prometheus reach it from outside the container
    ingest_stall_after: float = 120.0
    consumer_stall_after: float = 60.0
    check_timeout: float = 2.0


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    database_url: str
    state_database_url: str
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
    limits: Limits = Limits()
    log_format: str = "text"
    health: Health = Health()
    # The ingest receives from SQS only while fewer tasks than this wait in the Celery queue (0: always).
    ingest_max_backlog: int = 8

    def __repr__(self) -> str:
        """Every field, with the client secret and any password inside a URL masked: safe to log."""
        shown = ", ".join(f"{field.name}={_masked(field.name, getattr(self, field.name))!r}" for field in fields(self))
        return f"{type(self).__name__}({shown})"

    __str__ = __repr__


def mask_url_password(url: str) -> str:
    """``url`` with the password of its user info, and any ``password=`` query option, replaced by ``***``."""
    url = _URL_PASSWORD.sub(rf"\g<head>:{MASK}@", url, count=1)
    return _QUERY_PASSWORD.sub(rf"\g<head>{MASK}", url)


def _masked(name: str, value: Any) -> Any:
    if name in SECRET_FIELDS:
        return MASK
    if isinstance(value, str):
        return mask_url_password(value)
    if isinstance(value, tuple):
        return tuple(mask_url_password(item) if isinstance(item, str) else item for item in value)
    return value


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
        limits=Limits(
            lease=env.float("RECONCILE_AFTER", Limits.lease, validate=_positive),
            reconcile_interval=env.float("RECONCILE_INTERVAL", Limits.reconcile_interval, validate=_positive),
            max_lost_attempts=env.int("MAX_LOST_ATTEMPTS", Limits.max_lost_attempts, validate=_positive),
            statement_timeout=env.float("DB_STATEMENT_TIMEOUT", Limits.statement_timeout, validate=_positive),
            lock_timeout=env.float("DB_LOCK_TIMEOUT", Limits.lock_timeout, validate=_positive),
        ),
        ingest_max_backlog=env.int("INGEST_MAX_BACKLOG", Settings.ingest_max_backlog, validate=_not_negative),
        log_format=(env.str("LOG_FORMAT", "text", validate=_log_format) or "text").strip().lower(),
        health=Health(
            port=env.int("HEALTH_PORT", Health.port, validate=_port),
            host=env.str("HEALTH_HOST", Health.host),
            ingest_stall_after=env.float("INGEST_STALL_AFTER", Health.ingest_stall_after, validate=_positive),
            consumer_stall_after=env.float("CONSUMER_STALL_AFTER", Health.consumer_stall_after, validate=_positive),
            check_timeout=env.float("HEALTH_CHECK_TIMEOUT", Health.check_timeout, validate=_positive),
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
                f"Entry {position} is not an absolute https URL (http only to a loopback host) with a host, "
                "without credentials and without dot segments or encoded separators in its path."
            ) from None


def _log_format(value: str) -> None:
    if value.strip().lower() not in LOG_FORMATS:
        raise ValidationError(f"Must be one of: {', '.join(LOG_FORMATS)}.")


def _port(value: int) -> None:
    if not 0 <= value <= 65535:  # noqa: PLR2004 - the TCP port range
        raise ValidationError("Must be a TCP port (1 to 65535), or 0 for none.")


def _positive(value: float) -> None:
    if value <= 0:
        raise ValidationError("Must be greater than 0.")


def _not_negative(value: float) -> None:
    if value < 0:
        raise ValidationError("Must be 0 or more.")


def check_limits(settings: Settings, *, task_time_limit: float, visibility_timeout: float) -> None:
    """Refuse a worker whose time limits let one event run twice at once, or sit unnoticed; one line per problem.

    A task outliving the lease is dispatched again while it runs; a retry countdown plus a run longer than the
    broker's visibility timeout is restored by Redis while its worker still holds it.
    """
    limits = settings.limits
    problems = []
    if 2 * task_time_limit >= limits.lease:
        problems.append(
            f"RECONCILE_AFTER ({limits.lease:g} s) must exceed twice TASK_TIME_LIMIT ({task_time_limit:g} s): "
            "a fetch and a write may each run that long"
        )
    if settings.retry.max_delay + task_time_limit >= visibility_timeout:
        problems.append(
            f"CELERY_VISIBILITY_TIMEOUT ({visibility_timeout:g} s) must exceed RETRY_MAX_DELAY "
            f"({settings.retry.max_delay:g} s) plus TASK_TIME_LIMIT ({task_time_limit:g} s)"
        )
    if max(limits.statement_timeout, limits.lock_timeout) >= task_time_limit:
        problems.append(
            f"DB_STATEMENT_TIMEOUT and DB_LOCK_TIMEOUT must be shorter than TASK_TIME_LIMIT ({task_time_limit:g} s)"
        )
    if problems:
        raise ConfigurationError("inconsistent time limits:\n  " + "\n  ".join(problems))
