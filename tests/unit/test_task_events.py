"""The worker's task events are flushed on a timer: one flush per interval, rescheduled if the loop dropped it."""

from __future__ import annotations

from typing import Any

import pytest

from tasks import task_events
from tasks.task_events import EVENTS_FLUSH_INTERVAL, BatchedEventsConsumer


class FakeHub:
    def __init__(self) -> None:
        self.later: list[tuple[float, Any]] = []

    def call_later(self, delay: float, callback: Any) -> None:
        self.later.append((delay, callback))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(task_events.time, "monotonic", clock)
    return clock


@pytest.fixture
def consumer() -> BatchedEventsConsumer:
    consumer = BatchedEventsConsumer.__new__(BatchedEventsConsumer)  # only the event-buffer methods are used
    consumer.hub = FakeHub()
    consumer.flushes = 0

    def count_flush() -> None:
        consumer.flushes += 1

    consumer._flush_events = count_flush
    return consumer


def test_many_buffered_events_schedule_one_flush(consumer, clock):
    for _ in range(5):
        consumer.on_send_event_buffered()
        clock.now += 0.01

    assert [delay for delay, _ in consumer.hub.later] == [EVENTS_FLUSH_INTERVAL]
    consumer.hub.later[0][1]()
    assert consumer.flushes == 1


def test_the_next_event_after_a_flush_schedules_the_next_flush(consumer, clock):
    consumer.on_send_event_buffered()
    clock.now += EVENTS_FLUSH_INTERVAL
    consumer.hub.later[0][1]()

    consumer.on_send_event_buffered()

    assert len(consumer.hub.later) == 2


def test_a_flush_dropped_with_the_loops_timers_is_scheduled_again(consumer, clock):
    consumer.on_send_event_buffered()  # its timer is lost: the flush never runs
    clock.now += EVENTS_FLUSH_INTERVAL * 1.5
    consumer.on_send_event_buffered()
    assert len(consumer.hub.later) == 1  # not yet overdue by a whole interval

    clock.now += EVENTS_FLUSH_INTERVAL
    consumer.on_send_event_buffered()

    assert len(consumer.hub.later) == 2


def test_without_an_event_loop_nothing_is_scheduled(consumer):
    consumer.hub = None

    consumer.on_send_event_buffered()

    assert consumer.flushes == 0
