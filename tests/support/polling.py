"""Waiting for something another process does: poll until it shows, fail the test when it never does."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.05, what: str = "condition"
) -> T:
    """``condition()``'s first truthy result, polled every ``interval`` seconds; an AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not met after {timeout}s (last seen: {found!r})")
        time.sleep(interval)
