"""The worker's health and metrics endpoint: ``/health/liveness``, ``/health/readiness``, ``/health``, ``/metrics``.

An HTTP server (stdlib, one thread per request) in a thread of the worker's main process, on HEALTH_HOST:HEALTH_PORT.
HTTP rather than an exec probe: an exec probe starts a Python interpreter in the pod every period (seconds of CPU
and the memory of the import), and cannot see the threads of the running worker; the HTTP probe asks the process
itself, and the same port serves Prometheus. Bodies follow the HMPPS (Spring Boot actuator) shape: ``status`` UP
or DOWN and one entry per check under ``components``; 200 when UP, 503 when DOWN.

* **Readiness**: the broker (Redis), the database (and the state database when separate) and the SQS endpoint each
  answer within HEALTH_CHECK_TIMEOUT seconds; each answer is reused for ``READINESS_TTL`` seconds.
* **Liveness**: the SQS ingest called receive within INGEST_STALL_AFTER seconds (when this worker runs it), and the
  task consumer's event loop turned within CONSUMER_STALL_AFTER seconds. A consumer waiting on purpose (the ingest's
  reconnect backoff, the task consumer's broker reconnect) is alive: readiness reports what it waits for.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from celery import bootsteps
from prometheus_client import CONTENT_TYPE_LATEST

from tasks.heartbeat import EVENT_LOOP, INGEST, Heartbeat
from tasks.metrics import exposition
from tasks.metrics_collector import ScrapeGauges
from tasks.probes import Bounded, SqsQueues, ping_broker, select_one
from tasks.runtime import runtime

if TYPE_CHECKING:
    from allocations.config import Settings

log = logging.getLogger("allocations.health")

READINESS_TTL = 2.0
UP, DOWN = "UP", "DOWN"
Component = dict[str, Any]


@dataclass
class Health:
    """The checks of one worker."""

    readiness_checks: dict[str, Bounded[object]]
    stall_limits: dict[str, tuple[Heartbeat, float]]
    gauges: ScrapeGauges

    @classmethod
    def for_worker(cls, settings: Settings, broker_url: str, *, ingest: bool) -> Health:
        """The checks of a worker with these settings; ``ingest``: it runs the SQS ingest."""
        timeout = settings.health.check_timeout
        queues = SqsQueues(settings, timeout)
        engine = runtime().state.engine

        def bounded(call: Any) -> Bounded[object]:
            return Bounded(call, timeout=timeout, ttl=READINESS_TTL)

        checks = {
            "broker": bounded(lambda: ping_broker(broker_url, timeout)),
            "database": bounded(lambda: select_one(runtime().delius.engine)),
            "sqs": bounded(lambda: queues.depth("events")),
        }
        if settings.state_database_url != settings.database_url:
            checks["stateDatabase"] = bounded(lambda: select_one(engine))
        stalls = {"taskConsumer": (EVENT_LOOP, settings.health.consumer_stall_after)}
        if ingest:
            stalls["sqsIngest"] = (INGEST, settings.health.ingest_stall_after)
        return cls(checks, stalls, ScrapeGauges(engine, queues, timeout=timeout, ingest=ingest))

    def readiness(self) -> Component:
        """Every dependency reachable."""
        components: dict[str, Component] = {}
        for name, check in self.readiness_checks.items():
            answer = check.get()
            components[name] = {"status": UP} if answer.ok else {"status": DOWN, "details": {"error": answer.error}}
        return _overall(components)

    def liveness(self) -> Component:
        """No consumer stalled."""
        components: dict[str, Component] = {}
        for name, (heartbeat, stall_after) in self.stall_limits.items():
            overdue, age = heartbeat.overdue(), heartbeat.age()
            details: dict[str, Any] = {"stallAfterSeconds": stall_after}
            if age is None:
                details["state"] = "not started"
            else:
                details["secondsSinceLastBeat"] = round(age, 3)
            stalled = overdue is not None and overdue > stall_after
            components[name] = {"status": DOWN if stalled else UP, "details": details}
        return _overall(components)

    def everything(self) -> Component:
        """Liveness and readiness together."""
        return _overall({"liveness": self.liveness(), "readiness": self.readiness()})


def _overall(components: dict[str, Component]) -> Component:
    status = UP if all(component["status"] == UP for component in components.values()) else DOWN
    return {"status": status, "components": components}


class HealthServer(ThreadingHTTPServer):
    """The HTTP server; its handler reads ``health``."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], health: Health) -> None:
        self.health = health
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: HealthServer

    def do_GET(self) -> None:
        health = self.server.health
        routes = {
            "/health/liveness": health.liveness,
            "/health/readiness": health.readiness,
            "/health": health.everything,
        }
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        if path == "/metrics":
            self._send(200, CONTENT_TYPE_LATEST, exposition(health.gauges))
        elif path in routes:
            body = routes[path]()
            self._send(200 if body["status"] == UP else 503, "application/json", json.dumps(body).encode())
        else:
            self._send(404, "application/json", b'{"status": "NOT_FOUND"}')

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        log.debug(format, *args)


class HealthEndpoint(bootsteps.StartStopStep):  # type: ignore[misc]
    """Serves the probes and the metrics from the worker's main process (HEALTH_PORT; 0 serves nothing)."""

    requires = ("tasks.startup:TimeLimitsCheck",)

    def __init__(self, parent: Any, *, sqs_ingest: bool = True, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.ingest = sqs_ingest
        self.server: HealthServer | None = None

    def start(self, worker: Any) -> None:
        """Bind and serve; a port already taken is logged, and the worker runs on without the endpoint."""
        settings = runtime().settings
        if not settings.health.port:
            return
        health = Health.for_worker(settings, worker.app.conf.broker_url, ingest=self.ingest)
        try:
            self.server = HealthServer((settings.health.host, settings.health.port), health)
        except OSError as error:
            log.error("health endpoint not served: %s:%s: %s", settings.health.host, settings.health.port, error)  # noqa: TRY400 - the reason is the message
            return
        threading.Thread(target=self.server.serve_forever, name="health-endpoint", daemon=True).start()
        host, port = self.server.server_address[:2]
        log.info("health: /health/liveness, /health/readiness and /metrics on http://%s:%s", host, port)

    def stop(self, worker: Any) -> None:  # noqa: ARG002 - the worker is not needed
        """Stop serving."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class EventLoopHeartbeat(bootsteps.StartStopStep):  # type: ignore[misc]
    """A consumer step: the event loop beats ``EVENT_LOOP`` on every turn; a broker reconnect pauses it.

    Without an event loop (the ``solo`` or ``threads`` pool on a transport without one) nothing beats, and the
    liveness probe reports the task consumer as not started rather than stalled.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, consumer: Any) -> None:
        """Beat from the loop (a set: adding it again after a reconnect changes nothing)."""
        if consumer.hub is not None:
            EVENT_LOOP.beat()
            consumer.hub.on_tick.add(EVENT_LOOP.beat)

    def stop(self, consumer: Any) -> None:  # noqa: ARG002 - the consumer is not needed
        """The consumer restarts (a broker reconnect): quiet until it runs again; readiness reports the broker."""
        if EVENT_LOOP.age() is not None:
            EVENT_LOOP.pause()

    def shutdown(self, consumer: Any) -> None:  # noqa: ARG002 - the consumer is not needed
        """The worker stops."""
        EVENT_LOOP.reset()
