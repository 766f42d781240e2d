"""The dashboard's HTML pages and form actions (POST, token-checked, redirecting back with a notice)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import tornado.web

from allocations.event_types import EventType
from allocations.state.records import ActionResult, DeadLetterFilter, DeadLetterStatus
from tasks.dashboard.base import PAGE_SIZE, DashboardHandler
from tasks.operations import when

PEEK_SIZE = 10


class DeadLettersPage(DashboardHandler):
    """Every dead letter, newest first, with filters, paging and the re-enqueue / discard actions."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Render one page of the list."""
        where = self.dead_letter_filter()
        offset = self.number("offset", 0)
        page = await self.blocking(self.operations.list_dead_letters, where, limit=PAGE_SIZE, offset=offset)
        self.render(
            "dead_letters.html",
            active_tab="dead-letters",
            page=page,
            where=where,
            query=_filter_query(where),
            statuses=[s.value for s in DeadLetterStatus],
            event_types=[t.value for t in EventType],
            notice=self.text("notice"),
            read_only=self.read_only,
            when=when,
            urlencode=urlencode,
        )


class DeadLetterPage(DashboardHandler):
    """One dead letter: the original event, the error and traceback, and its history."""

    @tornado.web.authenticated
    async def get(self, dead_letter_id: str) -> None:
        """Render the detail view."""
        detail = await self.dead_letter_detail(dead_letter_id)
        self.render(
            "dead_letter.html",
            active_tab="dead-letters",
            dead_letter=detail.dead_letter,
            event_json=json.dumps(detail.dead_letter.event, indent=2, sort_keys=True),
            history=detail.history,
            notice=self.text("notice"),
            read_only=self.read_only,
            when=when,
        )


class _DeadLetterAction(DashboardHandler):
    def targets(self) -> list[int] | DeadLetterFilter:
        one = self.text("one")
        if one:
            return [int(one)]
        if self.text("scope") == "all":
            return self.dead_letter_filter()
        try:
            ids = [int(i) for i in self.get_arguments("id")]
        except ValueError:
            raise tornado.web.HTTPError(400, "id must be a whole number") from None
        if not ids:
            raise tornado.web.HTTPError(400, "Select at least one dead letter")
        return ids

    def back(self, results: list[ActionResult], verb: str) -> None:
        done = sum(r.done for r in results)
        skipped = [f"{r.id} ({r.message})" for r in results if not r.done]
        notice = f"{verb} {done} of {len(results)}" + (
            f"; not {verb.lower()}: {', '.join(skipped[:20])}" if skipped else ""
        )
        back_to = self.text("back")
        if back_to.isdigit():
            self.redirect(self.reverse_url("dead-letter", back_to) + "?" + urlencode({"notice": notice}), status=303)
            return
        query = _filter_query(self.dead_letter_filter())
        self.redirect(self.reverse_url("dead-letters") + "?" + urlencode({**query, "notice": notice}), status=303)


class RequeueAction(_DeadLetterAction):
    """Re-enqueue one, the selected, or all matching dead letters."""

    @tornado.web.authenticated
    async def post(self) -> None:
        """Claim and re-dispatch, then show what happened."""
        self.refuse_if_read_only()
        results = await self.blocking(self.operations.requeue, self.targets(), actor=self.actor)
        self.back(results, "Re-enqueued")


class DiscardAction(_DeadLetterAction):
    """Discard the selected dead letters with a reason."""

    @tornado.web.authenticated
    async def post(self) -> None:
        """Set them aside, then show what happened."""
        self.refuse_if_read_only()
        reason = self.text("reason")
        if not reason:
            raise tornado.web.HTTPError(400, "A reason is required to discard")
        results = await self.blocking(self.operations.discard, self.targets(), reason, actor=self.actor)
        self.back(results, "Discarded")


class OutcomesPage(DashboardHandler):
    """Every recorded outcome of an event id or a CRN."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Render the look-up form and its results."""
        key = self.text("q")
        outcomes = await self.blocking(self.operations.outcomes, key) if key else []
        self.render("outcomes.html", active_tab="outcomes", key=key, outcomes=outcomes, when=when)


class SqsDlqPage(DashboardHandler):
    """Depth and a peek at the SQS DLQ, and the redrive button."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Render depth and the first messages (not consumed)."""
        error = None
        depth: Any = None
        messages: list[Any] = []
        try:
            depth = await self.blocking(self.operations.dlq_status)
            messages = await self.blocking(self.operations.dlq_messages, PEEK_SIZE)
        except Exception as failure:  # noqa: BLE001 - the page says what is wrong with the queue
            error = f"{type(failure).__name__}: {failure}"
        self.render(
            "sqs_dlq.html",
            active_tab="sqs-dlq",
            depth=depth,
            messages=messages,
            error=error,
            notice=self.text("notice"),
            read_only=self.read_only,
        )


class RedriveAction(DashboardHandler):
    """Move the SQS DLQ's messages back to the events queue."""

    @tornado.web.authenticated
    async def post(self) -> None:
        """Redrive, then show how."""
        self.refuse_if_read_only()
        result = await self.blocking(self.operations.redrive_dlq)
        notice = (
            f"Move task started ({result.task_handle})"
            if result.method == "move-task"
            else f"Moved {result.moved} message(s) back to the events queue"
        )
        self.redirect(self.reverse_url("sqs-dlq") + "?" + urlencode({"notice": notice}), status=303)


def _filter_query(where: DeadLetterFilter) -> dict[str, str]:
    fields = {"status": where.status, "event_type": where.event_type, "crn": where.crn}
    return {name: value for name, value in fields.items() if value}
