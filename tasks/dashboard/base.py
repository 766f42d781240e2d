"""Common ground of the dashboard's handlers: Flower's authentication, who may act, and forgery protection.

Every state-changing handler method is decorated with ``requires_operator``: Flower's authentication, then read-only
mode, then the operator role (``tasks.dashboard.access``). Pages hide their action buttons when ``read_only`` (this
visitor may not act) and show ``refusal``.
"""

from __future__ import annotations

import binascii
import functools
from base64 import b64decode
from typing import TYPE_CHECKING, Any, TypeVar

import tornado.web
from flower.views import BaseHandler
from tornado.ioloop import IOLoop

from allocations.state.filters import FilterError, parse_filter
from allocations.state.records import FILTER_FIELDS, DeadLetterFilter
from tasks.dashboard.access import AccessPolicy, Visitor, visitor

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from tasks.operations import DeadLetterDetail, Operations

T = TypeVar("T")
PAGE_SIZE = 50
ACCESS_SETTING = "dashboard_access"  # the AccessPolicy, in the Tornado application's settings (set by mount)


def requires_operator(method: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None] | None]:
    """Let a state-changing handler method run only for an operator, on a dashboard that allows actions.

    Flower's authentication first (401 / login), then 403 in read-only mode, for a viewer, and when Flower has no
    authentication (unless the local stack's ``DASHBOARD_ALLOW_ANONYMOUS_ACTIONS``). Use it on every POST handler.
    """

    @functools.wraps(method)
    async def guarded(self: DashboardHandler, *args: Any, **kwargs: Any) -> None:
        self.refuse_unless_operator()
        await method(self, *args, **kwargs)

    guarded.requires_operator = True  # type: ignore[attr-defined]  # lets tests find every guarded handler
    return tornado.web.authenticated(guarded)


def auth_configured(options: Any) -> bool:
    """True when Flower asks who you are: OAuth, or basic auth with at least one ``user:password``."""
    credentials = [c for c in options.basic_auth or [] if c and ":" in c and c.split(":", 1)[0]]
    return bool(options.auth) or bool(credentials)


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

    @functools.cached_property
    def visitor(self) -> Visitor:
        """Who asks, their role, and whether they may act (call once authenticated)."""
        policy = self.settings.get(ACCESS_SETTING) or AccessPolicy(frozenset())
        return visitor(policy, self.authenticated_user(), read_only=bool(self.application.options.read_only))

    def authenticated_user(self) -> str | None:
        """The OAuth e-mail or the basic-auth user name; None when Flower has no authentication configured."""
        options = self.application.options
        if not auth_configured(options):
            return None
        if options.auth:
            user = self.current_user
            return user.decode() if isinstance(user, bytes) else str(user)
        scheme, _, encoded = self.request.headers.get("Authorization", "").partition(" ")
        try:
            credentials = b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise tornado.web.HTTPError(401) from None
        if scheme != "Basic" or ":" not in credentials:
            raise tornado.web.HTTPError(401)
        return credentials.split(":", 1)[0]

    def refuse_unless_operator(self) -> None:
        """403 unless this visitor may act (``requires_operator`` calls it)."""
        if self.application.options.read_only:
            raise tornado.web.HTTPError(403, "Read only mode is enabled")
        if self.visitor.refusal is not None:
            raise tornado.web.HTTPError(403, self.visitor.refusal)

    def refuse_if_read_only(self) -> None:
        """The same check as ``refuse_unless_operator`` (its former name)."""
        self.refuse_unless_operator()

    @property
    def read_only(self) -> bool:
        """True when this visitor's changes are refused (read-only mode, a viewer, or no authentication)."""
        return not self.visitor.may_act

    @property
    def actor(self) -> str:
        """Who acts, for the history: the basic-auth user, the OAuth e-mail, or the local stack's anonymous actor."""
        return self.visitor.actor

    def get_template_namespace(self) -> dict[str, Any]:
        """Every template also sees ``visitor`` and ``refusal`` (why actions are off, or empty)."""
        namespace: dict[str, Any] = super().get_template_namespace()
        if self.current_user:
            namespace.update(visitor=self.visitor, refusal=self.visitor.refusal or "")
        else:
            namespace.update(visitor=None, refusal="")
        return namespace

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
        """The dead-letter filter from the query or form (``FILTER_FIELDS``); a malformed field is a 400."""
        try:
            return parse_filter({name: self.text(name) for name in FILTER_FIELDS})
        except FilterError as error:
            raise tornado.web.HTTPError(400, str(error)) from None
