"""Records to JSON-able dicts (ISO 8601 times) for the API and the CLI's ``--json``."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any


def to_json(value: Any) -> Any:
    """``value`` with dataclasses as dicts and datetimes as ISO 8601 strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def when(value: datetime | None) -> str:
    """A time as operators read it: UTC to the second."""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""
