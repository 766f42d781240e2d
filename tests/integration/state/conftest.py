from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, text

from allocations.events import ReceivedEvent
from allocations.state.ledger import Attempt
from allocations.state.recording import Failure
from allocations.state.records import DeadLetterFilter
from allocations.state.store import StateStore

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.fixture
def store(engine: Engine) -> StateStore:
    with engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE workforce_allocations.event_ledger, workforce_allocations.dead_letter_history,"
                " workforce_allocations.dead_letter"
            )
        )
    return StateStore(engine)


@pytest.fixture
def park(store: StateStore) -> Callable[..., int]:
    return lambda event, error_class="NotFound", message="No staff": park_event(store, event, error_class, message)


@pytest.fixture
def received_event() -> Callable[..., ReceivedEvent]:
    return received


def received(event_id: str = "event-1", crn: str = "X123456") -> ReceivedEvent:
    return ReceivedEvent(
        event_id=event_id,
        event_type="person.community.manager.allocated",
        payload={
            "eventType": "person.community.manager.allocated",
            "detailUrl": f"http://workload.local/allocation/person/{event_id}",
            "personReference": {"identifiers": [{"type": "CRN", "value": crn}]},
        },
    )


def park_event(
    store: StateStore, event: ReceivedEvent, error_class: str = "NotFound", message: str = "No staff"
) -> int:
    store.dead_letter(
        Attempt(event, 9, f"task-{event.event_id}", None),
        Failure(error_class, message, "Traceback (most recent call last):\n  ...\nNotFound: No staff"),
    )
    page = store.operator_view.list_dead_letters(
        DeadLetterFilter(crn=event.payload["personReference"]["identifiers"][0]["value"]), limit=500
    )
    return next(d.id for d in page.items if d.event_id == event.event_id)
