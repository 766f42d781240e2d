"""``Fetched`` through kombu's JSON serialiser, as the fetch subtask hands it to the write subtask via the broker."""

import json
from datetime import datetime

import pytest
from detail_bodies import ALL_TYPES
from kombu.utils.json import dumps, loads

from allocations.routes import parse_detail
from allocations.workload.dates import LONDON
from allocations.workload.details import AllocationReason
from tasks.fetched import MARKER, Fetched

# British summer time (+01:00) and Greenwich mean time (+00:00): the offset must survive, not only the instant.
CREATED_DATES = {"summer": "2025-06-04T13:05:09.118Z", "winter": "2025-01-14T09:30:00Z"}


def fetched(body: dict, created: str, reason: str | None) -> Fetched:
    extra = {} if reason is None else {"allocationReason": reason}
    return Fetched(parse_detail({**body, "createdDate": created, **extra}), attempts=3)


@pytest.mark.parametrize("reason", [None, "TRANSFER_IN"])
@pytest.mark.parametrize("created", CREATED_DATES.values(), ids=CREATED_DATES.keys())
@pytest.mark.parametrize("body", ALL_TYPES, ids=["person", "event", "requirement", "licence-condition"])
def test_every_detail_type_comes_back_equal_and_typed(body, created, reason):
    sent = fetched(body, created, reason)

    received = loads(dumps(sent))

    assert received == sent
    assert type(received) is Fetched
    assert type(received.detail) is type(sent.detail)
    assert type(received.detail.allocation_reason) is AllocationReason
    assert received.detail.allocation_reason == AllocationReason.parse(reason)
    at = received.detail.created_date
    assert at == datetime.fromisoformat(created)
    assert at.utcoffset() == sent.detail.created_date.utcoffset()
    assert at.astimezone(LONDON).isoformat() == sent.detail.created_date.isoformat()
    assert at.tzinfo is LONDON  # the zone itself, as parsing made it, not only a fixed offset


def test_the_message_names_the_type_and_carries_the_date_as_kombus_datetime():
    sent = fetched(ALL_TYPES[0], CREATED_DATES["summer"], "OFFICER_LEFT")

    message = json.loads(dumps(sent))

    assert message["__type__"] == MARKER
    value = message["__value__"]
    assert (value["event_type"], value["attempts"]) == ("person.community.manager.allocated", 3)
    assert value["detail"]["allocation_reason"] == "OFFICER_LEFT"
    assert value["detail"]["created_date"] == {"__type__": "datetime", "__value__": "2025-06-04T14:05:09.118000+01:00"}


def test_a_detail_type_this_release_does_not_know_is_refused():
    message = json.loads(dumps(fetched(ALL_TYPES[0], CREATED_DATES["winter"], None)))
    message["__value__"]["event_type"] = "probation-case.deleted"

    with pytest.raises(ValueError, match=r"^No route for detail type 'probation-case\.deleted'$"):
        loads(json.dumps(message))
