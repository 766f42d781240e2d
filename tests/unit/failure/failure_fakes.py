"""Fakes of a Celery task, the runtime and its state store, for the failure decisions' unit tests."""

from dataclasses import dataclass, field

from celery.exceptions import Retry

from allocations.config import RetryBudget
from allocations.events import ReceivedEvent
from tasks.failure import Handling

EVENT = ReceivedEvent(
    "event-1",
    "person.community.manager.allocated",
    {
        "detailUrl": "http://wl/allocation/person/1",
        "personReference": {"identifiers": [{"type": "CRN", "value": "X1"}]},
    },
)


@dataclass
class FakeRequest:
    retries: int
    id: str = "task-1"


@dataclass
class FakeTask:
    retries: int
    retried_with: list = field(default_factory=list)

    @property
    def request(self):
        return FakeRequest(self.retries)

    def retry(self, exc, countdown, max_retries=None):
        self.retried_with.append((exc, countdown, max_retries))
        return Retry(exc=exc, when=countdown)


@dataclass
class FakeState:
    broken: bool = False
    final: bool = False
    dead_letters: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    postponed: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    due: list = field(default_factory=list)

    def dead_letter(self, attempt, failure):
        if self.broken:
            raise ConnectionError("state database down")
        if self.final:
            return False
        self.dead_letters.append((attempt, failure))
        return True

    def record_outcome(self, attempt, outcome):
        if self.broken:
            raise ConnectionError("state database down")
        if self.final:
            return False
        self.outcomes.append((attempt, outcome))
        return True

    def postpone(self, event_id, delay, error=None):
        self.postponed.append((event_id, delay))
        self.errors.append(error)

    def due_now(self, event_id):
        self.due.append(event_id)


@dataclass
class FakeSettings:
    retry: RetryBudget = field(default_factory=lambda: RetryBudget(first_delay=2, max_delay=300, max_retries=3))
    aws_region: str = "eu-west-2"
    sqs_endpoint_url: str | None = None
    sqs_dlq: str = "http://sqs/dlq"


@dataclass
class FakeRuntime:
    state: FakeState
    settings: FakeSettings = field(default_factory=FakeSettings)


def handling(retries: int) -> Handling:
    return Handling(FakeTask(retries), EVENT, attempt=retries + 1)
