"""Hypothesis profiles for the property tests: deterministic by default, more and random examples when asked.

``HYPOTHESIS_PROFILE=thorough`` multiplies every test's examples by ``THOROUGH_FACTOR`` and explores randomly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
THOROUGH_FACTOR = 10

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), derandomize=False, print_blob=True)


def load() -> None:
    """Make the chosen profile the default for every property test."""
    settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """A test's example budget under the chosen profile."""
    return count * THOROUGH_FACTOR if PROFILE == "thorough" else count
