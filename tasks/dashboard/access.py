"""Who may act on the dashboard: viewers and operators, on top of Flower's authentication.

Flower decides who may look (``--basic-auth``, ``--auth`` with OAuth). Acting (re-enqueue, discard, redrive, and any
state-changing handler) also needs an operator: an authenticated user named in ``DASHBOARD_OPERATORS`` (user names
for basic auth, e-mail addresses for OAuth). Everyone else authenticated is a viewer. Without Flower authentication
nobody may act, unless ``DASHBOARD_ALLOW_ANONYMOUS_ACTIONS=true`` (the local stack only). Read-only mode refuses every
change whoever asks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

OPERATORS_VARIABLE = "DASHBOARD_OPERATORS"
ANONYMOUS_VARIABLE = "DASHBOARD_ALLOW_ANONYMOUS_ACTIONS"
ANONYMOUS_ACTOR = "anonymous (local stack)"
READ_ONLY = "Read-only mode: actions are disabled."
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


class Role(StrEnum):
    """What a visitor may do."""

    VIEWER = "viewer"
    OPERATOR = "operator"


@dataclass(frozen=True)
class AccessPolicy:
    """The operators (user names or e-mail addresses, compared without case) and the local stack's opt-out."""

    operators: frozenset[str]
    allow_anonymous_actions: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AccessPolicy:
        """``DASHBOARD_OPERATORS`` (comma-separated) and ``DASHBOARD_ALLOW_ANONYMOUS_ACTIONS`` (true/false)."""
        environ = os.environ if environ is None else environ
        names = environ.get(OPERATORS_VARIABLE, "").split(",")
        flag = environ.get(ANONYMOUS_VARIABLE, "").strip().lower()
        if flag not in _TRUE | _FALSE:
            raise ValueError(f"{ANONYMOUS_VARIABLE} must be true or false, not {flag!r}")
        return cls(
            frozenset(name.strip().lower() for name in names if name.strip()), allow_anonymous_actions=flag in _TRUE
        )

    def role_of(self, user: str) -> Role:
        """The role of an authenticated user."""
        return Role.OPERATOR if user.strip().lower() in self.operators else Role.VIEWER


@dataclass(frozen=True)
class Visitor:
    """Who is looking at a page, and whether they may act.

    Attributes:
        actor: the name the history records (basic-auth user, OAuth e-mail, or the local stack's anonymous actor).
        role: viewer or operator.
        refusal: why this visitor's actions are refused, in words for the page; None when they may act.
    """

    actor: str
    role: Role
    refusal: str | None

    @property
    def may_act(self) -> bool:
        """True when this visitor's state-changing requests are carried out."""
        return self.refusal is None


def visitor(policy: AccessPolicy, user: str | None, *, read_only: bool) -> Visitor:
    """The visitor for ``user`` (None: Flower has no authentication configured)."""
    if user is None:
        if policy.allow_anonymous_actions:
            return Visitor(ANONYMOUS_ACTOR, Role.OPERATOR, READ_ONLY if read_only else None)
        refusal = (
            "Actions are disabled: this dashboard has no Flower authentication (--basic-auth or --auth). "
            f"Only the local stack may allow anonymous actions ({ANONYMOUS_VARIABLE})."
        )
        return Visitor("anonymous", Role.VIEWER, READ_ONLY if read_only else refusal)
    role = policy.role_of(user)
    if read_only:
        return Visitor(user, role, READ_ONLY)
    if role is Role.VIEWER:
        return Visitor(user, role, f"Signed in as {user}, a viewer: only operators ({OPERATORS_VARIABLE}) may act.")
    return Visitor(user, role, None)
