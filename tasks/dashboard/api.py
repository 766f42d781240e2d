"""The dashboard's JSON API: the same queries and actions as its pages, for scripts and Flower API users.

Reads are GETs and set the ``_xsrf`` cookie; changes are POSTs with a JSON body and the token echoed in the
``X-XSRFToken`` header (or an ``_xsrf`` field). Bulk actions answer per row and are safe to repeat.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

import tornado.web
from flower.api import BaseApiHandler

from allocations.state.filters import FilterError, parse_filter
from allocations.state.operator_view import CountChanged
from tasks import understand
from tasks.dashboard.base import PAGE_SIZE, DashboardHandler, requires_operator
from tasks.feedback import action_summary
from tasks.operations import to_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocations.state.records import DeadLetterFilter

T = TypeVar("T")


class ApiHandler(DashboardHandler, BaseApiHandler):  # type: ignore[misc]  # Flower is untyped
    """Flower's API rules (401 without auth unless FLOWER_UNAUTHENTICATED_API) and JSON in and out."""

    def reply(self, document: Any) -> None:
        """Send ``document`` (a dict, or a record whose fields are its keys) as JSON.

        Also makes sure the client holds the token for its next POST.
        """
        _ = self.xsrf_token
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(to_json(document)))

    def body(self) -> dict[str, Any]:
        """The JSON request body (an empty body is ``{}``)."""
        if not self.request.body:
            return {}
        try:
            document = json.loads(self.request.body)
        except ValueError:
            raise tornado.web.HTTPError(400, "The body must be JSON") from None
        if not isinstance(document, dict):
            raise tornado.web.HTTPError(400, "The body must be a JSON object")
        return document

    def targets(self, document: dict[str, Any]) -> list[int] | DeadLetterFilter:
        """``ids`` (a list of dead letter ids) or ``filter`` (any of ``FILTER_FIELDS``; every parked row matching)."""
        if "ids" in document:
            ids = document["ids"]
            if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
                raise tornado.web.HTTPError(400, "ids must be a non-empty list of integers")
            return ids
        if isinstance(document.get("filter"), dict):
            try:
                return parse_filter(document["filter"])
            except FilterError as error:
                raise tornado.web.HTTPError(400, str(error)) from None
        raise tornado.web.HTTPError(400, "Give ids or filter")

    async def counted(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``blocking``, with a bulk action whose filter now matches more rows than confirmed answered 409."""
        try:
            return await self.blocking(function, *args, **kwargs)
        except CountChanged as error:
            raise tornado.web.HTTPError(409, str(error)) from None

    def confirmed(self, document: dict[str, Any]) -> int | None:
        """``expected_count``: the count the caller confirmed for a filter; more matching rows is a 409."""
        count = document.get("expected_count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
            raise tornado.web.HTTPError(400, "expected_count must be a whole number")
        return count

    def task_url(self, task_id: str | None) -> str | None:
        """Flower's page of the task."""
        return self.reverse_url("task", task_id) if task_id else None


class ListDeadLetters(ApiHandler):
    """GET: one page of dead letters, newest first (``status``, ``event_type``, ``crn``, ``limit``, ``offset``)."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """List."""
        where = self.dead_letter_filter()
        limit, offset = self.number("limit", PAGE_SIZE), self.number("offset", 0)
        page = await self.blocking(self.operations.list_dead_letters, where, limit=limit, offset=offset)
        counts = await self.blocking(self.operations.count_dead_letters, where)
        self.reply({**to_json(page), "counts": counts})


class ShowDeadLetter(ApiHandler):
    """GET: one dead letter with its history."""

    @tornado.web.authenticated
    async def get(self, dead_letter_id: str) -> None:
        """Show."""
        self.reply(await self.dead_letter_detail(dead_letter_id))


class RequeueDeadLetters(ApiHandler):
    """POST ``{"ids": [...]}`` or ``{"filter": {...}}``: re-enqueue; each row is dispatched at most once."""

    @requires_operator
    async def post(self) -> None:
        """Re-enqueue."""
        document = self.body()
        results = await self.counted(
            self.operations.requeue, self.targets(document), actor=self.actor, confirmed=self.confirmed(document)
        )
        self.reply(
            {
                "results": [{**to_json(r), "task_url": self.task_url(r.task_id)} for r in results],
                "message": action_summary(results, "Re-enqueued"),
            }
        )


class DiscardDeadLetters(ApiHandler):
    """POST ``{"ids": [...], "reason": "..."}`` (or ``filter``): discard with a reason."""

    @requires_operator
    async def post(self) -> None:
        """Discard."""
        document = self.body()
        reason = str(document.get("reason") or "").strip()
        if not reason:
            raise tornado.web.HTTPError(400, "A reason is required to discard")
        results = await self.counted(
            self.operations.discard,
            self.targets(document),
            reason,
            actor=self.actor,
            confirmed=self.confirmed(document),
        )
        self.reply({"results": results, "message": action_summary(results, "Discarded")})


class Outcomes(ApiHandler):
    """GET: every outcome of an event id, a CRN or a staff code, newest first, as the Outcomes page shows them.

    Each with its Flower task page and ``written``: what an applied allocation wrote in Delius (the manager row with
    its staff and team, the responsible officer, the contacts), or null.
    """

    @tornado.web.authenticated
    async def get(self, key: str) -> None:
        """Look up."""
        found = await self.blocking(understand.look_up, self.operations, key)
        self.reply(
            {
                "outcomes": [
                    {**to_json(item.outcome), "task_url": self.task_url(item.outcome.task_id), "written": item.written}
                    for item in found
                ]
            }
        )
