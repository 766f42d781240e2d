"""Bulk actions by filter, confirmed with their count; preview; background recovery (pages and JSON API).

A bulk action by filter takes two steps: ``GET /dead-letters/confirm`` counts the rows the filter covers now and
says so; its form posts that count back as ``expected``, and ``POST /dead-letters/bulk`` reads the ids again and
refuses (showing the new count to confirm) when more rows match than were confirmed. The ids are read once, so
rows that start to match after that read are not touched: the action never covers more rows than confirmed.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import tornado.web

from allocations.state.operator_view import CountChanged
from tasks.dashboard.api import ApiHandler
from tasks.dashboard.base import DashboardHandler, requires_operator
from tasks.feedback import action_summary
from tasks.operations import to_json, when
from tasks.recovery import DEFAULT_RATE, parse_rate

ACTIONS = {"requeue": "Re-enqueue", "discard": "Discard", "recover": "Re-enqueue in the background"}
MAX_PREVIEW = 20


class ConfirmPage(DashboardHandler):
    """GET: how many parked rows the filter covers, and the form that confirms the action for that many."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Count, then show the confirmation."""
        await self.confirm(self.text("action") or "requeue", None)

    async def confirm(self, action: str, problem: str | None) -> None:
        """Render the confirmation for ``action`` with the count now (``problem``: why it is asked again)."""
        if action not in ACTIONS:
            raise tornado.web.HTTPError(400, f"action must be one of {', '.join(ACTIONS)}")
        where = self.dead_letter_filter()
        count = len(await self.blocking(self.operations.state.target_ids, where))
        self.render(
            "dead_letters_confirm.html",
            active_tab="dead-letters",
            action=action,
            verb=ACTIONS[action],
            count=count,
            query=where.fields(),
            problem=problem,
            reason=self.text("reason"),
            rate=self.text("rate") or f"{DEFAULT_RATE:g}/s",
            read_only=self.read_only,
            urlencode=urlencode,
        )


class BulkAction(ConfirmPage):
    """POST: re-enqueue, discard or start a recovery of every parked row the filter covers, at most ``expected``."""

    @requires_operator
    async def post(self) -> None:
        """Re-check the count, act, and go back to the list with what happened."""
        action, where = self.text("action"), self.dead_letter_filter()
        expected = self.number("expected", -1)
        if action not in ACTIONS or expected < 0:
            raise tornado.web.HTTPError(400, "Give action and the confirmed count (expected)")
        try:
            if action == "recover":
                rate = parse_rate(self.text("rate") or f"{DEFAULT_RATE:g}/s")
                ids = await self.blocking(self.operations.state.confirmed_ids, where, expected)
                job = await self.blocking(self.operations.start_recovery, where, rate, actor=self.actor)
                notice = f"Recovery job {job.id} started: {len(ids)} dead letters at {rate:g}/s"
            elif action == "discard":
                if not self.text("reason"):
                    raise tornado.web.HTTPError(400, "A reason is required to discard")
                results = await self.blocking(
                    self.operations.discard, where, self.text("reason"), actor=self.actor, confirmed=expected
                )
                notice = action_summary(results, "Discarded")
            else:
                results = await self.blocking(self.operations.requeue, where, actor=self.actor, confirmed=expected)
                notice = action_summary(results, "Re-enqueued")
        except CountChanged as changed:
            await self.confirm(action, str(changed))
            return
        except ValueError as error:
            raise tornado.web.HTTPError(400, str(error)) from None
        query = {**where.fields(), "notice": notice}
        self.redirect(self.reverse_url("dead-letters") + "?" + urlencode(query), status=303)


class PreviewPage(DashboardHandler):
    """GET ``?id=…`` (one or a selection): what re-enqueueing each would do now, nothing kept."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Rehearse each allocation and show the rows or the error."""
        ids = _ids(self.get_arguments("id"))
        previews = await self.blocking(self.operations.preview, ids)
        self.render(
            "dead_letters_preview.html",
            active_tab="dead-letters",
            previews=previews,
            dumps=lambda value: json.dumps(value, sort_keys=True, default=str),
            read_only=self.read_only,
        )


class PreviewApi(ApiHandler):
    """GET ``/api/dead-letters/preview?id=…``: the previews as JSON."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """Rehearse and answer."""
        self.reply({"previews": await self.blocking(self.operations.preview, _ids(self.get_arguments("id")))})


class RecoveryApi(ApiHandler):
    """GET: the newest recovery jobs; POST ``{"filter": {...}, "rate": "20/s", "expected_count": n}``: start one."""

    @tornado.web.authenticated
    async def get(self) -> None:
        """List."""
        self.reply({"jobs": [_job(job) for job in await self.blocking(self.operations.recovery_jobs)]})

    @requires_operator
    async def post(self) -> None:
        """Start (refused with 409 when more rows match than ``expected_count``)."""
        document = self.body()
        where = self.targets({"filter": document.get("filter") or {}})
        try:
            rate = parse_rate(str(document.get("rate") or f"{DEFAULT_RATE:g}/s"))
        except ValueError as error:
            raise tornado.web.HTTPError(400, str(error)) from None
        await self.counted(self.operations.state.confirmed_ids, where, self.confirmed(document))
        job = await self.blocking(self.operations.start_recovery, where, rate, actor=self.actor)
        self.reply({"job": _job(job), "message": f"Recovery job {job.id} started: {job.total} dead letters"})


class RecoveryJobApi(ApiHandler):
    """GET ``/api/recovery/<id>``: one job's progress."""

    @tornado.web.authenticated
    async def get(self, job_id: str) -> None:
        """Show."""
        job = await self.blocking(self.operations.recovery_job, int(job_id))
        if job is None:
            raise tornado.web.HTTPError(404, f"No recovery job {job_id}")
        self.reply({"job": _job(job)})


class StopRecovery(DashboardHandler):
    """POST ``/dead-letters/recovery/<id>/stop``: stop a running job."""

    @requires_operator
    async def post(self, job_id: str) -> None:
        """Stop, then back to the list."""
        job = await self.blocking(self.operations.stop_recovery, int(job_id), actor=self.actor)
        if job is None:
            raise tornado.web.HTTPError(404, f"No recovery job {job_id}")
        notice = f"Recovery job {job.id} {job.status}: {job.done} of {job.total} done"
        self.redirect(self.reverse_url("dead-letters") + "?" + urlencode({"notice": notice}), status=303)


def _ids(raw: list[str]) -> list[int]:
    try:
        ids = [int(i) for i in raw]
    except ValueError:
        raise tornado.web.HTTPError(400, "id must be a whole number") from None
    if not ids or len(ids) > MAX_PREVIEW:
        raise tornado.web.HTTPError(400, f"Give 1 to {MAX_PREVIEW} dead letter ids")
    return ids


def _job(job: Any) -> dict[str, Any]:
    return {**to_json(job), "done": job.done, "started": when(job.created_at)}
