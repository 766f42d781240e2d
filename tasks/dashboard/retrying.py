"""The Retrying page and API: events in backoff with their next attempt and last error; retry now, dead-letter now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import tornado.web

from allocations.state.ledger import now
from tasks import retrying
from tasks.dashboard.api import ApiHandler
from tasks.dashboard.base import DashboardHandler, requires_operator
from tasks.operations import when

if TYPE_CHECKING:
    from allocations.state.retrying import RetryAction

RETRIED = "Retried now"
PARKED = "Dead-lettered now"


class RetryingPage(DashboardHandler):
    """Every event in backoff, the soonest next attempt first, with "retry now" and "dead-letter now"."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Render the list."""
        rows = await self.blocking(retrying.list_retrying, self.operations)
        self.render(
            "retrying.html",
            active_tab="retrying",
            rows=rows,
            now=now(),
            notice=self.text("notice"),
            read_only=self.read_only,
            when=when,
        )


class _RetryingAction(DashboardHandler):
    def event_ids(self) -> list[str]:
        ids = [i.strip() for i in self.get_arguments("event_id", strip=True) if i.strip()]
        if not ids:
            raise tornado.web.HTTPError(400, "Select at least one event")
        return ids

    def back(self, results: list[RetryAction], verb: str) -> None:
        notice = retrying.retry_summary(results, verb)
        self.redirect(self.reverse_url("retrying") + "?" + urlencode({"notice": notice}), status=303)


class RetryNowAction(_RetryingAction):
    """Dispatch the selected events now."""

    @requires_operator
    async def post(self) -> None:
        """Dispatch, then show what happened."""
        results = await self.blocking(retrying.retry_now, self.operations, self.event_ids())
        self.back(results, RETRIED)


class DeadLetterNowAction(_RetryingAction):
    """Park the selected events as dead letters."""

    @requires_operator
    async def post(self) -> None:
        """Park, then show what happened."""
        results = await self.blocking(retrying.dead_letter_now, self.operations, self.event_ids(), self.actor)
        self.back(results, PARKED)


class RetryingApi(ApiHandler):
    """``GET /api/retrying``: the events in backoff."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Answer ``{"retrying": [...]}``."""
        rows = await self.blocking(retrying.list_retrying, self.operations)
        self.reply({"retrying": rows})


class _RetryingApiAction(ApiHandler):
    def event_ids(self) -> list[str]:
        ids: Any = self.body().get("event_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            raise tornado.web.HTTPError(400, "event_ids must be a non-empty list of event ids")
        return ids

    def answer(self, results: list[RetryAction], verb: str) -> None:
        self.reply({"message": retrying.retry_summary(results, verb), "results": results})


class RetryNowApi(_RetryingApiAction):
    """``POST /api/retrying/retry-now`` with ``{"event_ids": [...]}``."""

    @requires_operator
    async def post(self) -> None:
        """Dispatch each event in backoff now."""
        results = await self.blocking(retrying.retry_now, self.operations, self.event_ids())
        self.answer(results, RETRIED)


class DeadLetterNowApi(_RetryingApiAction):
    """``POST /api/retrying/dead-letter-now`` with ``{"event_ids": [...]}``."""

    @requires_operator
    async def post(self) -> None:
        """Park each event in backoff as a dead letter."""
        results = await self.blocking(retrying.dead_letter_now, self.operations, self.event_ids(), self.actor)
        self.answer(results, PARKED)
