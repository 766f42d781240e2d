"""``LOG_FORMAT=json`` for the worker: Celery's handlers write JSON lines, with the event id and the task.

Celery still sets logging up itself (level, handlers, the redirection of stdout and stderr); once it has, its
``after_setup_logger`` and ``after_setup_task_logger`` signals hand over the loggers it configured, and their
handlers get the JSON formatter and the filters. The default, text, leaves Celery's formats untouched. Prefork
children inherit the handlers; a child that sets logging up again passes through the same signals.
"""

from __future__ import annotations

import logging
from typing import Any

from celery._state import get_current_task
from celery.signals import after_setup_logger, after_setup_task_logger
from celery.utils.log import get_multiprocessing_logger

from allocations.log_context import json_requested, use_json


class CeleryTaskFilter(logging.Filter):
    """Puts the running task's id and name on each record logged inside a task; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate ``record`` when a task is running in this thread."""
        task = get_current_task()
        if task is not None and getattr(record, "task_id", None) is None:
            record.task_id = task.request.id
            record.task_name = task.name
        return True


_task_filter = CeleryTaskFilter()


def install_json(loggers: list[logging.Logger | None]) -> None:
    """Make every handler of ``loggers`` write JSON lines with the event id and the task."""
    handlers = [handler for logger in loggers if logger is not None for handler in logger.handlers]
    use_json(handlers)
    for handler in handlers:
        handler.addFilter(_task_filter)


@after_setup_logger.connect
def _json_root(logger: logging.Logger, **_: Any) -> None:
    if json_requested():
        install_json([logger, get_multiprocessing_logger()])


@after_setup_task_logger.connect
def _json_task_logger(logger: logging.Logger, **_: Any) -> None:
    if json_requested():
        install_json([logger])
