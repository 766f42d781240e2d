"""The ``state`` fixture: a fake state store behind a fake runtime, for the failure decisions' unit tests."""

import pytest
from failure_fakes import FakeRuntime, FakeState

from tasks import failure


@pytest.fixture
def state(monkeypatch):
    fake = FakeState()
    monkeypatch.setattr(failure, "runtime", lambda: FakeRuntime(fake))
    return fake
