"""The dashboard's HTML pages and form actions (POST, token-checked, redirecting back with a notice)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import tornado.web

from allocations.event_types import EventType
from allocations.state.records import ActionResult, DeadLetterFilter, DeadLetterStatus
from tasks import understand
from tasks.dashboard import chart
from tasks.dashboard.base import PAGE_SIZE, DashboardHandler, requires_operator
from tasks.feedback import action_summary
from tasks.operations import when

RECENT_JOBS = 3  # recovery jobs shown on the list page


class DeadLettersPage(DashboardHandler):
    """Every dead letter, newest first, with filters, paging and the re-enqueue / discard actions."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Render one page of the list."""
        where = self.dead_letter_filter()
        offset = self.number("offset", 0)
        page = await self.blocking(self.operations.list_dead_letters, where, limit=PAGE_SIZE, offset=offset)
        counts = await self.blocking(self.operations.count_dead_letters, where)
        jobs = await self.blocking(self.operations.recovery_jobs, RECENT_JOBS)
        timeline = await self.blocking(understand.outcome_timeline, self.operations, self.text("chart", "24h"))
        self.render(
            "dead_letters.html",
            active_tab="dead-letters",
            page=page,
            counts=counts,
            jobs=jobs,
            where=where,
            query=_filter_query(where),
            statuses=[s.value for s in DeadLetterStatus],
            event_types=[t.value for t in EventType],
            notice=self.text("notice"),
            read_only=self.read_only,
            when=when,
            urlencode=urlencode,
            timeline=timeline,
            chart_bars=chart.bars(timeline),
            chart_width=chart.WIDTH,
            chart_height=chart.HEIGHT,
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
        notice = action_summary(results, verb)
        back_to = self.text("back")
        if back_to.isdigit():
            self.redirect(self.reverse_url("dead-letter", back_to) + "?" + urlencode({"notice": notice}), status=303)
            return
        query = _filter_query(self.dead_letter_filter())
        self.redirect(self.reverse_url("dead-letters") + "?" + urlencode({**query, "notice": notice}), status=303)


class RequeueAction(_DeadLetterAction):
    """Re-enqueue one, the selected, or all matching dead letters."""

    @requires_operator
    async def post(self) -> None:
        """Claim and re-dispatch, then show what happened."""
        results = await self.blocking(self.operations.requeue, self.targets(), actor=self.actor)
        self.back(results, "Re-enqueued")


class DiscardAction(_DeadLetterAction):
    """Discard the selected dead letters with a reason."""

    @requires_operator
    async def post(self) -> None:
        """Set them aside, then show what happened."""
        reason = self.text("reason")
        if not reason:
            raise tornado.web.HTTPError(400, "A reason is required to discard")
        results = await self.blocking(self.operations.discard, self.targets(), reason, actor=self.actor)
        self.back(results, "Discarded")


class OutcomesPage(DashboardHandler):
    """Outcomes of an event id, a CRN or a staff code (the newest when none), with what each allocation wrote."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Render the look-up form and its results."""
        key = self.text("q")
        found = await self.blocking(understand.look_up, self.operations, key)
        self.render("outcomes.html", active_tab="outcomes", key=key, found=found, when=when)


def _filter_query(where: DeadLetterFilter) -> dict[str, str]:
    return where.fields()
