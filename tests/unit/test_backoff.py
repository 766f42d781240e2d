import random

from allocations.backoff import budget_spent, retry_delay
from allocations.config import RetryBudget

BUDGET = RetryBudget(first_delay=2.0, max_delay=300.0, max_retries=8)


def test_delay_ceiling_doubles_from_the_first_delay_and_stops_at_the_cap():
    class Highest(random.Random):
        def uniform(self, _low, high):
            return high

    ceilings = [retry_delay(n, BUDGET, Highest()) for n in range(10)]
    assert ceilings == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_full_jitter_spreads_delays_between_zero_and_the_ceiling():
    rng = random.Random(7)
    delays = [retry_delay(3, BUDGET, rng) for _ in range(1000)]
    assert min(delays) >= 0
    assert max(delays) <= 16
    assert min(delays) < 2
    assert max(delays) > 14


def test_budget_is_spent_after_the_configured_number_of_retries():
    assert not budget_spent(7, BUDGET)
    assert budget_spent(8, BUDGET)
