"""Flower's task pages are built from the worker's task events: every task's are sent, a few per Redis publish."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import redis
from support.polling import wait_until

from allocations.event_types import EventType

EVENT_CHANNELS = "*celeryev*"  # kombu's Redis fanout: a PUBLISH per message on the celeryev exchange's topic


class EventTap:
    """Subscribes to the worker's event messages and keeps each message's task events."""

    def __init__(self, redis_url: str) -> None:
        self.pubsub = redis.Redis.from_url(redis_url.replace("redis+socket://", "unix://")).pubsub()
        self.pubsub.psubscribe(EVENT_CHANNELS)
        self.messages: list[list[dict[str, Any]]] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        while not self.stopping.is_set():
            message = self.pubsub.get_message(timeout=0.2)
            if message is None or message["type"] != "pmessage":
                continue
            envelope = json.loads(message["data"])
            body = envelope["body"]
            if envelope["properties"].get("body_encoding") == "base64":
                body = base64.b64decode(body)
            payload = json.loads(body)
            events = [e for e in (payload if isinstance(payload, list) else [payload]) if e["type"].startswith("task-")]
            if events:
                self.messages.append(events)

    def events(self) -> list[dict[str, Any]]:
        return [event for message in self.messages for event in message]

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(2)
        self.pubsub.close()


def test_both_tasks_of_an_allocation_send_their_events_in_few_publishes(delius, pipeline, worker, redis_url):
    case, team, staff = delius.person_moving_teams()
    detail = {"crn": case.crn, "staffCode": staff.code, "teamCode": team.code, "createdDate": "2025-06-04T13:05:09Z",
              "allocationReason": "OFFICER_LEFT"}  # fmt: skip
    tap = EventTap(redis_url)
    try:
        time.sleep(0.3)  # subscribed before the event is sent
        received = pipeline.publish(EventType.PERSON, case.crn, detail)
        assert pipeline.outcome(received).outcome == "applied"

        def seen() -> set[tuple[str, str]]:
            names = {e["uuid"]: e["name"] for e in tap.events() if e["type"] == "task-received"}
            return {(names.get(e["uuid"], "?"), e["type"]) for e in tap.events()}

        expected = {
            (name, kind)
            for name in ("allocations.person_allocated", "allocations.write_allocation")
            for kind in ("task-received", "task-started", "task-succeeded")
        }
        wait_until(lambda: expected <= seen(), 10, 0.1, "the task events of both tasks")
    finally:
        tap.close()
    assert len(tap.events()) >= 6
    assert len(tap.messages) <= len(tap.events()) / 2  # batched: several events per publish
