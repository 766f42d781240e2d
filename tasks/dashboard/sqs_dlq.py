"""The SQS DLQ page and its JSON API: depth, a peek, moves back to the events queue (all or at most N), move tasks.

Every change is an operator's (``requires_operator``) and says what it did: the page's notice, ``message`` in JSON.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import tornado.web
from botocore.exceptions import BotoCoreError, ClientError

from allocations.sqs_dlq import MoveTasksUnsupported, RedriveResult
from tasks.dashboard.api import ApiHandler
from tasks.dashboard.base import DashboardHandler, requires_operator
from tasks.feedback import redrive_summary
from tasks.operations import when

PEEK_SIZE = 10
MAX_PEEK = 100
_SQS_ERRORS = (ClientError, BotoCoreError)


class _SqsDlqHandler(DashboardHandler):
    async def redrive(self, limit: int | None) -> tuple[RedriveResult, str]:
        """Move messages back, then say what moved and what still waits."""
        result = await self.blocking(self.operations.redrive_dlq, limit)
        waiting = None
        if result.method != "move-task":
            waiting = (await self.blocking(self.operations.dlq_status)).visible
        return result, redrive_summary(result, waiting)

    async def cancel(self, task_handle: str) -> str:
        """Cancel a move task and say how far it got; 501 where the endpoint has no move tasks."""
        if not task_handle:
            raise tornado.web.HTTPError(400, "task_handle is required")
        try:
            moved = await self.blocking(self.operations.cancel_dlq_move, task_handle)
        except MoveTasksUnsupported as error:
            raise tornado.web.HTTPError(501, str(error)) from None
        return f"Cancelled the move task {task_handle}: {moved} message(s) had been moved"


class SqsDlqPage(_SqsDlqHandler):
    """Depth, a peek at the SQS DLQ, its move tasks, and the move-back and cancel buttons."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Render depth, the first messages (not consumed) and the move tasks."""
        error = None
        depth: Any = None
        messages: list[Any] = []
        moves = None
        try:
            depth = await self.blocking(self.operations.dlq_status)
            messages = await self.blocking(self.operations.dlq_messages, PEEK_SIZE)
            moves = await self.blocking(self.operations.dlq_moves)
        except Exception as failure:  # noqa: BLE001 - the page says what is wrong with the queue
            error = f"{type(failure).__name__}: {failure}"
        self.render(
            "sqs_dlq.html",
            active_tab="sqs-dlq",
            depth=depth,
            messages=messages,
            moves=moves,
            error=error,
            notice=self.text("notice"),
            read_only=self.read_only,
            when=when,
        )

    def back(self, notice: str) -> None:
        """To the page, with what was done."""
        self.redirect(self.reverse_url("sqs-dlq") + "?" + urlencode({"notice": notice}), status=303)


class RedriveAction(SqsDlqPage):
    """Move the SQS DLQ's messages (all, or at most ``max``) back to the events queue."""

    @requires_operator
    async def post(self) -> None:
        """Redrive, then show what moved."""
        limit = self.number("max", 0) or None
        try:
            _, notice = await self.redrive(limit)
        except _SQS_ERRORS as error:
            notice = f"Nothing moved: {error}"
        self.back(notice)


class CancelMoveAction(SqsDlqPage):
    """Cancel a running move task."""

    @requires_operator
    async def post(self) -> None:
        """Cancel, then show how far the move got."""
        try:
            notice = await self.cancel(self.text("task_handle"))
        except _SQS_ERRORS as error:
            notice = f"Not cancelled: {error}"
        self.back(notice)


class SqsDlqPeek(_SqsDlqHandler, ApiHandler):
    """GET: the SQS DLQ's depth, its first ``max`` messages (left on the queue) and its move tasks (null: none)."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Peek."""
        self.reply(await self.blocking(self.operations.peek_dlq, min(self.number("max", 10), MAX_PEEK)))


class SqsDlqRedrive(_SqsDlqHandler, ApiHandler):
    """POST ``{"max": n}`` (optional; never more than n move): move messages back to the events queue."""

    @requires_operator
    async def post(self) -> None:
        """Redrive."""
        limit = self.body().get("max")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
            raise tornado.web.HTTPError(400, "max must be a positive integer")
        result, message = await self.redrive(limit)
        self.reply({"result": result, "message": message})


class SqsDlqCancelMove(_SqsDlqHandler, ApiHandler):
    """POST ``{"task_handle": "..."}``: cancel a running move task (501 where the endpoint has none)."""

    @requires_operator
    async def post(self) -> None:
        """Cancel."""
        handle = self.body().get("task_handle")
        message = await self.cancel(handle if isinstance(handle, str) else "")
        self.reply({"message": message})
