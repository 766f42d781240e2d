"""Marshmallow fields for detail bodies: values Delius can hold, or a validation error (never another exception)."""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from marshmallow import ValidationError, fields, validate

# Delius column sizes (allocations/delius/models): staff.officer_code CHAR(7), team.code CHAR(6), offender.crn
# CHAR(7), event.event_number VARCHAR(10); rqmnt_id and lic_condition_id are BIGINT.
STAFF_CODE_LENGTH = 7
TEAM_CODE_LENGTH = 6
CRN_LENGTH = 7
EVENT_NUMBER_RANGE = (-999_999_999, 9_999_999_999)  # written as text, it fits ten characters
BIGINT_RANGE = (-(2**63), 2**63 - 1)

# PostgreSQL text refuses NUL, and UTF-8 has no encoding for a surrogate code point on its own.
_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")
_DIGITS = re.compile(r"-?[0-9]{1,20}", re.ASCII)


def writable(value: str) -> None:
    """Refuse text PostgreSQL cannot store."""
    if _UNWRITABLE.search(value):
        raise ValidationError("Must not hold an unpaired surrogate or NUL.")


def is_writable(value: object, max_length: int) -> TypeGuard[str]:
    """True for text that is not blank, at most ``max_length`` characters and storable."""
    return isinstance(value, str) and bool(value.strip()) and len(value) <= max_length and not _UNWRITABLE.search(value)


def not_blank(value: str) -> None:
    """Refuse empty or whitespace-only text."""
    if not value.strip():
        raise ValidationError("Must not be blank.")


def code(max_length: int, **kwargs: Any) -> fields.String:
    """A Delius code: not blank, no longer than its column (a longer one could never be found), writable."""
    return fields.String(validate=[not_blank, validate.Length(max=max_length), writable], **kwargs)


def text(**kwargs: Any) -> fields.String:
    """Free text: anything PostgreSQL can store."""
    return fields.String(validate=writable, **kwargs)


class WholeNumber(fields.Field[int]):
    """A JSON integer (or an integral number, or its ASCII digits as text) within ``bounds``; never a boolean.

    marshmallow's Integer truncates 1.5 to 1; a fraction here is an error.
    """

    default_error_messages = {"invalid": "Not a valid integer."}  # noqa: RUF012 - marshmallow's API

    def __init__(self, bounds: tuple[int, int], **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(*bounds), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:  # noqa: ARG002
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _DIGITS.fullmatch(value):
            return int(value)
        raise self.make_error("invalid")
