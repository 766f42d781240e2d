"""The Workload stub's run-time fault modes, as values: a seeded failure mix, slow bodies, a token endpoint down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What the failure mix (or a slow-body rule) decided for one request.
Fault = Literal["error", "hang", "slow"]
TokenDownMode = Literal["5xx", "reset"]
HOLD_LIMIT = 600.0  # no request is ever held longer than this, whatever a test asks


@dataclass(frozen=True)
class SlowBody:
    """Send the headers, then the body ``chunk_size`` bytes at a time with ``interval`` seconds between chunks."""

    chunk_size: int = 16
    interval: float = 0.05

    def __post_init__(self) -> None:
        if self.chunk_size < 1 or not 0 <= self.interval <= HOLD_LIMIT:
            raise ValueError("a slow body needs chunk_size >= 1 and 0 <= interval <= 600")


@dataclass(frozen=True)
class FailureMix:
    """A seeded mix of faults for detail requests (paths under ``prefix``).

    Per request: answer ``status`` with probability ``error_rate``; hold ``hang_seconds`` (then answer as usual) with
    probability ``hang_rate``; dribble the body with probability ``slow_rate``; otherwise answer normally.
    """

    error_rate: float = 0.0
    hang_rate: float = 0.0
    slow_rate: float = 0.0
    status: int = 503
    hang_seconds: float = 30.0
    slow: SlowBody = SlowBody()
    prefix: str = "/allocation/"

    def __post_init__(self) -> None:
        rates = (self.error_rate, self.hang_rate, self.slow_rate)
        if any(not 0 <= rate <= 1 for rate in rates) or sum(rates) > 1:
            raise ValueError("failure-mix rates must each be in [0, 1] and add up to at most 1")
        if not 500 <= self.status <= 599:  # noqa: PLR2004 - the 5xx range
            raise ValueError("a failure-mix status must be a 5xx")
        if not 0 <= self.hang_seconds <= HOLD_LIMIT:
            raise ValueError("hang_seconds must be in [0, 600]")


@dataclass(frozen=True)
class Decision:
    """What the fault modes decided for one request.

    Answer ``status`` instead, hold it ``hold`` seconds first, reset the connection, send the body slowly (``slow``).
    """

    status: int | None = None
    hold: float = 0.0
    reset: bool = False
    slow: SlowBody | None = None
