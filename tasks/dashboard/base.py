"""Common ground of the dashboard's handlers: Flower's authentication, read-only mode and forgery protection."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar

import tornado.web
from flower.views import BaseHandler
from tornado.ioloop import IOLoop

from allocations.state.records import DeadLetterFilter

if TYPE_CHECKING:
    from collections.abc import Callable

    from tasks.operations import DeadLetterDetail, Operations

T = TypeVar("T")
PAGE_SIZE = 50
ACTOR_UNKNOWN = "dashboard"


class DashboardHandler(BaseHandler):  # type: ignore[misc]  # Flower is untyped
    """Flower's handler (basic auth / OAuth via ``get_current_user``) with the dashboard's operations."""

    operations: Operations

    def initialize(self, operations: Operations) -> None:
        """Tornado passes the URL rule's dependencies here."""
        self.operations = operations

    def check_xsrf_cookie(self) -> None:
        """Flower's cross-site checks, then Tornado's token check on every state change, whatever the auth mode.

        Flower skips the token under basic auth (API clients have no cookie); the dashboard's actions always want it,
        from the ``_xsrf`` form field or the ``X-XSRFToken`` header, matching the ``_xsrf`` cookie.
        """
        super().check_xsrf_cookie()
        tornado.web.RequestHandler.check_xsrf_cookie(self)

    def refuse_if_read_only(self) -> None:
        """Flower's ``--read_only`` (env ``FLOWER_READ_ONLY``) refuses every change."""
        if self.application.options.read_only:
            raise tornado.web.HTTPError(403, "Read only mode is enabled")

    @property
    def read_only(self) -> bool:
        """True when changes are refused."""
        return bool(self.application.options.read_only)

    @property
    def actor(self) -> str:
        """Who acts, for the history: the authenticated user when Flower knows one."""
        user = self.current_user
        if isinstance(user, bytes):
            user = user.decode()
        if isinstance(user, str):
            return user
        header = self.request.headers.get("Authorization", "")
        return "basic-auth user" if header.startswith("Basic ") else ACTOR_UNKNOWN

    async def blocking(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a database or broker call off the event loop, on Flower's executor."""
        return await IOLoop.current().run_in_executor(None, functools.partial(function, *args, **kwargs))

    async def dead_letter_detail(self, dead_letter_id: str) -> DeadLetterDetail:
        """The dead letter and its history; 404 when there is no such row."""
        detail = await self.blocking(self.operations.show, int(dead_letter_id))
        if detail is None:
            raise tornado.web.HTTPError(404, f"No dead letter {dead_letter_id}")
        return detail

    def text(self, name: str, default: str = "") -> str:
        """A query or form argument as typed (Flower's ``get_argument`` HTML-escapes by default)."""
        value = self.get_argument(name, default, escape=False)
        return str(value or "").strip()

    def number(self, name: str, default: int) -> int:
        """A whole-number argument; a malformed one is a 400."""
        raw = self.text(name)
        if not raw:
            return default
        try:
            return max(0, int(raw))
        except ValueError:
            raise tornado.web.HTTPError(400, f"{name} must be a whole number") from None

    def dead_letter_filter(self) -> DeadLetterFilter:
        """The status / event type / CRN filter from the query or form."""
        return DeadLetterFilter(
            self.text("status") or None, self.text("event_type") or None, self.text("crn").upper() or None
        )
