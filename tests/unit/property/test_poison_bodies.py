"""Hand-picked bodies that have broken JSON readers, Celery or PostgreSQL elsewhere: each is malformed, nothing else."""

import json

import pytest
from outcomes import allocation_or_invalid, detail_or_invalid, received_or_malformed

from allocations.events import ReceivedEvent
from allocations.sqs_body import MAX_BODY_BYTES, MAX_NESTING

EVENT = {
    "eventType": "person.community.manager.allocated",
    "detailUrl": "https://workload.example/allocation/person/9a1e0c55-2f4b-4d0e-8b61-77c3a2d9e001",
    "personReference": {"identifiers": [{"type": "CRN", "value": "A987654"}]},
}
ENVELOPE = {"Type": "Notification", "MessageId": "0b6f3c2e-1d5a-4a57-9a0e-5b7d2e1f9c44", "Message": json.dumps(EVENT)}
DETAIL = {
    "id": "9a1e0c55-2f4b-4d0e-8b61-77c3a2d9e001",
    "staffCode": "C01T04A",
    "teamCode": "C01T04",
    "createdDate": "2025-03-04T14:05:09.118Z",
    "eventNumber": 3,
    "requirementId": 4412089,
}
WRONG_TYPES = [None, True, 0, 1.5, -1, "", " ", [], {}, ["x"], {"a": 1}, 2**64, "\x00", "\ud800"]
# 0 and -1 fit the number columns; every other value is wrong for every detail field.
WRONG_FOR_ANY_DETAIL_FIELD = [value for value in WRONG_TYPES if type(value) is not int or value > 1]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def sns(**fields) -> str:
    return json.dumps({**ENVELOPE, **fields})


def bare(**fields) -> str:
    return json.dumps({key: value for key, value in {**EVENT, **fields}.items() if value is not ...})


MALFORMED = {
    "empty": "",
    "whitespace": " \n\t",
    "not JSON": "not json",
    "truncated": json.dumps(EVENT)[:-1],
    "a JSON array": json.dumps([EVENT]),
    "a JSON string": json.dumps(json.dumps(EVENT)),
    "a UTF-8 byte-order mark": "\ufeff" + json.dumps(EVENT),
    "non-UTF-8 bytes": json.dumps(EVENT).encode("utf-8")[:-2] + b'\xff"}',
    "UTF-16 bytes": json.dumps(EVENT).encode("utf-16"),
    "100k brackets": nested(100_000),
    "100k braces": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "deep but parseable": json.dumps({**EVENT, "extra": json.loads(nested(MAX_NESTING + 1))}),
    "5,000-digit number": bare(version=0).replace('"eventType"', '"n": ' + "9" * 5_000 + ', "eventType"'),
    "NaN": bare().replace("{", '{"n": NaN, ', 1),
    "Infinity": bare().replace("{", '{"n": Infinity, ', 1),
    "overflowing float": bare().replace("{", '{"n": 1e999, ', 1),
    "escaped NUL": bare(note="\x00"),
    "escaped lone surrogate": bare(note="\ud800"),
    "raw lone surrogate": json.dumps({**EVENT, "note": "\udfff"}, ensure_ascii=False),
    "NUL in a key": json.dumps({**EVENT, "\x00": 1}),
    "oversized str": bare(pad="x" * MAX_BODY_BYTES),
    "oversized bytes": bare(pad="x" * MAX_BODY_BYTES).encode(),
    "oversized multibyte": bare(pad="\u00e9" * (MAX_BODY_BYTES // 2)).replace("\\u00e9", "\u00e9"),
    "no event type": bare(eventType=...),
    "blank event type": bare(eventType="  "),
    "event type too long": bare(eventType="e" * 201),
    "MessageId too long": sns(MessageId="m" * 201),
    "MessageId blank": sns(MessageId=""),
    "Message not a JSON object": sns(Message="[]"),
    "Message NaN": sns(Message='{"eventType": "x", "n": NaN}'),
    "Message nested deeply": sns(Message=nested(5_000)),
    "Message with a NUL": sns(Message=json.dumps({**EVENT, "n": "\x00"})),
    **{f"MessageId {value!r}": sns(MessageId=value) for value in WRONG_TYPES if not isinstance(value, str)},
    **{f"Message {value!r}": sns(Message=value) for value in WRONG_TYPES if not isinstance(value, str)},
    **{f"MessageAttributes {value!r}": sns(MessageAttributes=value) for value in [None, [], "x", 1, {"a": 1}]},
}

# Decoder hints and odd keys are plain data: read, carried and stored unchanged.
READABLE = {
    "__type__": bare(__type__="datetime.datetime"),
    "__class__": bare(__class__="os.system", __reduce__=["os.system", ["true"]]),
    "$type": bare(**{"$type": "System.Object", "$ref": "#/x", "@class": "java.lang.Runtime"}),
    "prototype keys": bare(__proto__={"isAdmin": True}, constructor={"prototype": {}}),
    "duplicate keys": bare().replace("{", '{"eventType": "ignored.first", ', 1),
    "deep at the limit": json.dumps({**EVENT, "extra": json.loads(nested(MAX_NESTING - 1))}),
    "4,000-digit number": bare().replace("{", '{"n": ' + "9" * 4_000 + ", ", 1),
    "at the size limit": bare(pad="x" * (MAX_BODY_BYTES - len(bare(pad="")))),
    "emoji": bare(note="\U0001f600 caf\u00e9"),
    "event type exactly 200": bare(eventType="e" * 200),
    "MessageId exactly 200": sns(MessageId="m" * 200),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_poison_bodies_are_malformed(body):
    assert received_or_malformed(body) is None


@pytest.mark.parametrize("body", READABLE.values(), ids=READABLE.keys())
def test_odd_but_readable_bodies_are_received_as_plain_data(body):
    assert received_or_malformed(body) is not None


def event_with(**fields):
    return ReceivedEvent("id", "person.community.manager.allocated", {**EVENT, **fields})


@pytest.mark.parametrize("value", [*WRONG_TYPES, "x" * 2_001])
@pytest.mark.parametrize("field", ["detailUrl", "personReference"])
def test_wrong_values_in_every_domain_event_field_are_invalid(field, value):
    assert allocation_or_invalid(event_with(**{field: value})) is None


@pytest.mark.parametrize("value", [*WRONG_TYPES, "X" * 8])
def test_wrong_crn_values_are_invalid(value):
    assert allocation_or_invalid(event_with(personReference={"identifiers": [{"type": "CRN", "value": value}]})) is None


@pytest.mark.parametrize(
    ("field", "at_limit", "past_limit"),
    [
        ("staffCode", "S" * 7, "S" * 8),
        ("teamCode", "T" * 6, "T" * 7),
        ("eventNumber", 9_999_999_999, 10_000_000_000),
        ("requirementId", 2**63 - 1, 2**63),
        ("requirementId", -(2**63), -(2**63) - 1),
    ],
)
def test_every_detail_field_at_and_past_its_column(field, at_limit, past_limit):
    assert detail_or_invalid({**DETAIL, field: at_limit}) is not None
    assert detail_or_invalid({**DETAIL, field: past_limit}) is None


@pytest.mark.parametrize("value", WRONG_FOR_ANY_DETAIL_FIELD)
@pytest.mark.parametrize("field", ["id", "staffCode", "teamCode", "createdDate", "eventNumber", "requirementId"])
def test_wrong_values_in_every_detail_field_are_invalid(field, value):
    assert detail_or_invalid({**DETAIL, field: value}) is None
