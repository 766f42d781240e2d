"""The ingest's pacer waits while the workers' backlog is at its limit, and never longer than its pause."""

import threading

from tasks.ingest_pacing import Pacer


def test_no_backlog_means_no_wait():
    readings: list[int] = []

    def backlog() -> int:
        readings.append(0)
        return 0

    assert Pacer(backlog, limit=4).wait(threading.Event()) < 0.01
    assert readings == [0]


def test_the_pacer_waits_until_the_backlog_drains():
    levels = iter([6, 5, 4, 3])

    waited = Pacer(lambda: next(levels), limit=4).wait(threading.Event())

    assert waited >= 0.02  # three readings at or over the limit, a step between each
    assert next(levels, None) is None  # it read until the backlog was under the limit


def test_the_pacer_waits_no_longer_than_its_pause():
    waited = Pacer(lambda: 100, limit=4, max_pause=0.1).wait(threading.Event())

    assert 0.1 <= waited < 0.5


def test_a_stopping_ingest_does_not_wait():
    stopping = threading.Event()
    stopping.set()

    assert Pacer(lambda: 100, limit=4).wait(stopping) < 0.01


def test_a_limit_of_zero_turns_pacing_off():
    def backlog() -> int:
        raise AssertionError("not read")

    assert Pacer(backlog, limit=0).wait(threading.Event()) == 0.0
