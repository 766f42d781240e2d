"""Exponential backoff with full jitter, bounded by the retry budget."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocations.config import RetryBudget


def retry_delay(retries_so_far: int, budget: RetryBudget, rng: random.Random | None = None) -> float:
    """Seconds to wait before the next attempt: uniform in [0, min(cap, first * 2**n)] (AWS "full jitter")."""
    ceiling = min(budget.max_delay, budget.first_delay * (2 ** max(retries_so_far, 0)))
    return (rng or random).uniform(0, ceiling)


def budget_spent(retries_so_far: int, budget: RetryBudget) -> bool:
    """True when no retry is left: the failure is final and goes to the dead-letter route."""
    return retries_so_far >= budget.max_retries
