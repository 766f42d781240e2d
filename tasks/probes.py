"""Bounded, cached calls to the worker's dependencies, for the readiness probe and the scrape-time metrics.

Each call runs in a thread of its own and is waited for at most ``timeout`` seconds, whatever the client library
does; one still running is not started again (a probe cannot pile up threads on a dependency that hangs), and an
answer is reused for ``ttl`` seconds (probes and scrapes cannot hammer a dependency).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import boto3
import redis
from botocore.config import Config
from kombu.connection import Connection
from sqlalchemy import literal, select

from allocations.config import mask_url_password
from allocations.sqs import queue_url

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_sqs import SQSClient
    from sqlalchemy import Engine

    from allocations.config import Settings

T = TypeVar("T")
MAX_ERROR_LENGTH = 300


@dataclass(frozen=True)
class Answer(Generic[T]):
    """What one call returned, or why it failed (an error, or no answer in time)."""

    value: T | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """The call returned."""
        return self.error is None


class Bounded(Generic[T]):
    """``call`` run at most once per ``ttl`` seconds, never twice at once, each waited for ``timeout`` seconds."""

    def __init__(self, call: Callable[[], T], *, timeout: float, ttl: float) -> None:
        self._call = call
        self._timeout = timeout
        self._ttl = ttl
        self._lock = threading.Lock()
        self._answer: Answer[T] | None = None
        self._answered_at = 0.0
        self._thread: threading.Thread | None = None
        self._started_at = 0.0

    def get(self) -> Answer[T]:
        """The cached answer while fresh; else the answer of a (new or running) call, or a timeout."""
        with self._lock:
            now = time.monotonic()
            if self._answer is not None and now - self._answered_at < self._ttl:
                return self._answer
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="dependency-probe", daemon=True)
                self._started_at = now
                self._thread.start()
            thread, started_at = self._thread, self._started_at
        thread.join(max(0.0, started_at + self._timeout - time.monotonic()))
        with self._lock:
            if thread.is_alive() or self._answer is None:
                return Answer(error=f"no answer within {self._timeout:g} s")
            return self._answer

    def _run(self) -> None:
        try:
            answer: Answer[T] = Answer(value=self._call())
        except Exception as error:  # noqa: BLE001 - any failure is the answer
            answer = Answer(error=describe(error))
        with self._lock:
            self._answer, self._answered_at = answer, time.monotonic()


def describe(error: BaseException) -> str:
    """``Type: message``, one line, short, with any password in a URL masked."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return mask_url_password(text)[:MAX_ERROR_LENGTH]


def ping_broker(url: str, timeout: float) -> None:
    """Redis answers PING (any other broker: kombu connects)."""
    if url.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
        return
    with Connection(url, connect_timeout=timeout) as connection:
        connection.ensure_connection(max_retries=1)


def select_one(engine: Engine) -> None:
    """The database runs a statement (``SELECT 1``, ``FROM DUAL`` on Oracle); a broken pool is dropped."""
    try:
        with engine.connect() as connection:
            connection.execute(select(literal(1))).scalar_one()
    except Exception:
        engine.dispose()
        raise


@dataclass(frozen=True)
class QueueDepth:
    """Approximate message counts of one SQS queue."""

    visible: int
    in_flight: int
    delayed: int


class SqsQueues:
    """The events queue and its DLQ, through a client that gives up after ``timeout`` seconds, without retries."""

    def __init__(self, settings: Settings, timeout: float) -> None:
        config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1})
        self.client: SQSClient = boto3.client(
            "sqs", region_name=settings.aws_region, endpoint_url=settings.sqs_endpoint_url, config=config
        )
        self._names = {"events": settings.sqs_queue, "dlq": settings.sqs_dlq}
        self._urls: dict[str, str] = {}

    def url(self, which: str) -> str:
        """The URL of ``events`` or ``dlq`` (looked up once)."""
        if which not in self._urls:
            self._urls[which] = queue_url(self.client, self._names[which])
        return self._urls[which]

    def depth(self, which: str) -> QueueDepth:
        """Visible, in-flight and delayed messages of ``events`` or ``dlq``."""
        names: Any = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                      "ApproximateNumberOfMessagesDelayed"]  # fmt: skip
        found = self.client.get_queue_attributes(QueueUrl=self.url(which), AttributeNames=names)["Attributes"]
        return QueueDepth(*(int(found.get(name, "0")) for name in names))

    def oldest_sent_at(self, which: str) -> float | None:
        """The earliest SentTimestamp (epoch seconds) among up to 10 messages seen without consuming them.

        A lower bound of the oldest message's age: SQS returns some messages, not the oldest. Each look counts as a
        receive of the messages seen, so it is used on the DLQ only (the events queue's RedrivePolicy counts them).
        """
        messages = self.client.receive_message(
            QueueUrl=self.url(which), MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0,
            AttributeNames=["SentTimestamp"],
        ).get("Messages", [])  # fmt: skip
        sent = [
            int(m["Attributes"]["SentTimestamp"]) / 1000 for m in messages if "SentTimestamp" in m.get("Attributes", {})
        ]
        return min(sent) if sent else None
