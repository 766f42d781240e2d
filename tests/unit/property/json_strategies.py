"""Strategies for JSON documents, from well-formed to hostile, and for one-field mutations of valid ones."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Text PostgreSQL or UTF-8 cannot hold (NUL, lone surrogates), alone or inside ordinary Unicode.
_HOSTILE = ["\x00", "\ud800", "\udfff", "a\ud83d", "\udc00\ud800", "x\x00y"]
hostile_texts = st.sampled_from(_HOSTILE) | st.builds("{}{}".format, st.text(max_size=4), st.sampled_from(_HOSTILE))
_KEYS = ["eventType", "detailUrl", "personReference", "identifiers", "type", "value", "CRN", "Message", "MessageId",
         "MessageAttributes", "Value", "StringValue", "__type__", "__class__", "$ref", ""]  # fmt: skip
texts = st.text(max_size=10) | st.sampled_from(_HOSTILE + _KEYS + [" ", "\t", "X" * 8, "1", "1.5", "NaN"])
keys = st.sampled_from(_KEYS + _HOSTILE) | st.text(max_size=6)
numbers = (
    st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([2**63, -(2**63) - 1, 10**30, 1.5, -0.0, 1e308])
)
scalars = st.none() | st.booleans() | numbers | texts

# Three levels at most, written out: st.recursive costs several times more per example on a slow machine.
_inner = scalars | st.lists(scalars, max_size=3) | st.dictionaries(keys, scalars, max_size=3)
json_values: st.SearchStrategy[Any] = scalars | st.lists(_inner, max_size=3) | st.dictionaries(keys, _inner, max_size=3)
json_objects = st.dictionaries(keys, json_values, max_size=3)

# Tokens Python's json module reads but JSON, Celery or PostgreSQL cannot carry, or that break the decoder itself.
_POISON_TOKENS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 4_301, "1" * 5_000, "1.5e-400",
                  '"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', "[" * 2_000 + "]" * 2_000, "tru", "nul", "0x10", "01",
                  "'a'"]  # fmt: skip


def _array(items: list[str]) -> str:
    return "[" + ",".join(items) + "]"


def _object(members: list[tuple[str, str]]) -> str:
    return "{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in members) + "}"


_token_texts = (
    st.sampled_from(_POISON_TOKENS)
    | scalars.map(lambda value: json.dumps(value, ensure_ascii=False))
    | st.integers(min_value=1, max_value=120).map(lambda depth: "[" * depth + "]" * depth)
)
_inner_texts = (
    _token_texts
    | st.lists(_token_texts, max_size=3).map(_array)
    | st.lists(st.tuples(keys, _token_texts), max_size=3).map(_object)
)
json_texts: st.SearchStrategy[str] = (
    _token_texts
    | st.lists(_inner_texts, max_size=3).map(_array)
    | st.lists(st.tuples(keys, _inner_texts), max_size=3).map(_object)
)
json_object_texts = st.lists(st.tuples(keys, _inner_texts), max_size=3).map(_object)


def column_texts(limit: int) -> st.SearchStrategy[str]:
    """Text just inside and just outside a column of ``limit`` characters, blank or padded."""
    return st.integers(min_value=0, max_value=limit + 2).flatmap(
        lambda length: st.sampled_from(["X" * length, " " * length, "X" * max(length - 1, 0) + " ", "\t" * length])
    )


# Values that are wrong in one way each: type, blankness, length, fraction, range, or text nothing can store.
wrong_values = st.one_of(
    json_values,
    st.sampled_from(
        [None, True, False, 0, -1, 1.5, -0.5, 3.0, 1e300, "", " ", "\t\n", "1.5", "3", " 3", "1_000", "\u0663", "\x00",
         "\ud800", [], {}, [1], {"a": 1}, 2**63, -(2**63) - 1, 10**10, 10**30, "X" * 201, "X" * 2_001]
    ),
    column_texts(7),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, documents: st.SearchStrategy[dict[str, Any]], fields: list[str]) -> dict[str, Any]:
    """A document from ``documents`` with one of ``fields`` replaced by a wrong value or removed."""
    document = draw(documents)
    field = draw(st.sampled_from(fields))
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return {key: value for key, value in document.items() if key != field}
    return {**document, field: draw(wrong_values)}
