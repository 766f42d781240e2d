"""Log lines that say which event they are about, and ``LOG_FORMAT=json``: one JSON object per line.

``event_context(event_id)`` marks everything logged inside it, in this thread or task, with that event id
(a ``contextvars`` variable, so threads and tasks never see each other's). ``EventIdFilter`` copies it onto each
record as ``event_id``; ``JsonFormatter`` writes the record as one line of JSON: ``timestamp``, ``level``, ``logger``,
``message``, ``event_id`` when there is one, the structured fields a line carries in ``extra={"allocation": {...}}``
at the top level, and ``exception`` with the traceback.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

TEXT_FORMAT = "%(asctime)s %(name)s %(message)s"
# Attributes a filter may have put on a record, written when present.
RECORD_FIELDS = ("event_id", "task_id", "task_name")
STRUCTURED_FIELDS = "allocation"

_event_id: ContextVar[str | None] = ContextVar("allocations_event_id", default=None)


@contextmanager
def event_context(event_id: str | None) -> Iterator[None]:
    """Everything logged inside carries ``event_id`` (the enclosing one is restored after)."""
    token = _event_id.set(event_id)
    try:
        yield
    finally:
        _event_id.reset(token)


def current_event_id() -> str | None:
    """The event id of the attempt running in this context, if any."""
    return _event_id.get()


class EventIdFilter(logging.Filter):
    """Puts the current event id on every record as ``event_id`` (None outside an attempt); drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate ``record``, unless it names its event id itself."""
        if getattr(record, "event_id", None) is None:
            record.event_id = current_event_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (every control character and non-ASCII character escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON; a field that JSON cannot hold is written as its ``repr``."""
        payload: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
            "thread": record.threadName,
        }
        for name in RECORD_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                payload[name] = value
        fields = getattr(record, STRUCTURED_FIELDS, None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                payload.setdefault(str(key), value)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return _dumps(payload)


def _dumps(payload: dict[str, Any]) -> str:
    try:
        return json.dumps(payload, ensure_ascii=True, allow_nan=False, default=str)
    except (TypeError, ValueError):  # NaN, a cycle, keys JSON cannot hold
        plain = (str, int, bool, type(None))
        return json.dumps({key: value if isinstance(value, plain) else repr(value) for key, value in payload.items()})


_event_id_filter = EventIdFilter()


def json_requested(environ: dict[str, str] | None = None) -> bool:
    """``LOG_FORMAT=json`` (any case); anything else keeps the text format (the settings reject unknown values)."""
    value = (os.environ if environ is None else environ).get("LOG_FORMAT", "")
    return value.strip().lower() == "json"


def use_json(handlers: Iterable[logging.Handler]) -> None:
    """Make ``handlers`` write JSON lines carrying the event id (harmless to repeat)."""
    for handler in handlers:
        handler.addFilter(_event_id_filter)
        if not isinstance(handler.formatter, JsonFormatter):
            handler.setFormatter(JsonFormatter())


def configure_logging(level: int) -> None:
    """Root logging for a command: ``LOG_FORMAT=json`` gives JSON lines on stderr, else the text format."""
    logging.basicConfig(level=level, format=TEXT_FORMAT)
    if json_requested():
        use_json(logging.getLogger().handlers)
