"""Add the dashboard's pages and API to a Flower application: same server, same port, same authentication.

Also closes Flower's own endpoints that change what workers run (task apply / send-task / abort / revoke, worker
control): through them anyone who may use Flower could send ``allocations.write_allocation`` a forged detail and write
any allocation into Delius, past Workload and the allow-list. And it turns Tornado's XSRF checks on explicitly.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import tornado.web
from flower.api import control, tasks
from flower.app import rewrite_handler
from tornado.web import url

from tasks.dashboard import api, bulk, pages, retrying, sqs_dlq
from tasks.dashboard.access import ANONYMOUS_VARIABLE, OPERATORS_VARIABLE, AccessPolicy
from tasks.dashboard.base import ACCESS_SETTING, auth_configured
from tasks.dashboard.templating import DashboardLoader

if TYPE_CHECKING:
    from tasks.operations import Operations

logger = logging.getLogger(__name__)
# Flower's handlers that make workers run, stop or change anything; every other Flower handler only reads.
BLOCKED_FLOWER_HANDLERS = (tasks.TaskApply, tasks.TaskAsyncApply, tasks.TaskSend, tasks.TaskAbort)
BLOCKED_REASON = "tasks are sent only by the service and by re-enqueueing dead letters; workers are not controlled here"


class FlowerControlBlocked(tornado.web.RequestHandler):
    """403 for every method: the dashboard closes this Flower endpoint, whoever asks."""

    def prepare(self) -> None:
        """Refuse before anything else runs."""
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(f"Disabled by the allocations dashboard: {BLOCKED_REASON}")

    def check_xsrf_cookie(self) -> None:
        """The answer is 403 either way; say why rather than that a token is missing."""


def is_blocked(handler: object) -> bool:
    """True for a Flower handler class that makes workers run, stop or change anything."""
    return handler in BLOCKED_FLOWER_HANDLERS or getattr(handler, "__module__", None) == control.__name__


def mount(flower: Any, operations: Operations, access: AccessPolicy | None = None) -> None:
    """Serve the dashboard from ``flower``; ``operations`` is what its actions act on, ``access`` who may act."""
    access = access or AccessPolicy.from_environment()
    flower.settings[ACCESS_SETTING] = access
    flower.settings["xsrf_cookies"] = (
        True  # Flower 2.2 sets it too; the actions rely on it, so it is not left to chance
    )
    _block_flower_control(flower)
    dependencies = {"operations": operations}
    handlers = [
        url(r"/dead-letters", pages.DeadLettersPage, dependencies, name="dead-letters"),
        url(r"/dead-letters/(\d+)", pages.DeadLetterPage, dependencies, name="dead-letter"),
        url(r"/dead-letters/requeue", pages.RequeueAction, dependencies, name="dead-letters-requeue"),
        url(r"/dead-letters/discard", pages.DiscardAction, dependencies, name="dead-letters-discard"),
        url(r"/dead-letters/confirm", bulk.ConfirmPage, dependencies, name="dead-letters-confirm"),
        url(r"/dead-letters/bulk", bulk.BulkAction, dependencies, name="dead-letters-bulk"),
        url(r"/dead-letters/preview", bulk.PreviewPage, dependencies, name="dead-letters-preview"),
        url(r"/dead-letters/recovery/(\d+)/stop", bulk.StopRecovery, dependencies, name="dead-letters-recovery-stop"),
        url(r"/api/dead-letters/preview", bulk.PreviewApi, dependencies),
        url(r"/api/recovery", bulk.RecoveryApi, dependencies),
        url(r"/api/recovery/(\d+)", bulk.RecoveryJobApi, dependencies),
        url(r"/outcomes", pages.OutcomesPage, dependencies, name="outcomes"),
        url(r"/retrying", retrying.RetryingPage, dependencies, name="retrying"),
        url(r"/retrying/retry-now", retrying.RetryNowAction, dependencies, name="retrying-retry-now"),
        url(r"/retrying/dead-letter-now", retrying.DeadLetterNowAction, dependencies, name="retrying-dead-letter-now"),
        url(r"/api/retrying", retrying.RetryingApi, dependencies),
        url(r"/api/retrying/retry-now", retrying.RetryNowApi, dependencies),
        url(r"/api/retrying/dead-letter-now", retrying.DeadLetterNowApi, dependencies),
        url(r"/sqs-dlq", sqs_dlq.SqsDlqPage, dependencies, name="sqs-dlq"),
        url(r"/sqs-dlq/redrive", sqs_dlq.RedriveAction, dependencies, name="sqs-dlq-redrive"),
        url(r"/sqs-dlq/cancel", sqs_dlq.CancelMoveAction, dependencies, name="sqs-dlq-cancel"),
        url(r"/api/dead-letters", api.ListDeadLetters, dependencies),
        url(r"/api/dead-letters/(\d+)", api.ShowDeadLetter, dependencies),
        url(r"/api/dead-letters/requeue", api.RequeueDeadLetters, dependencies),
        url(r"/api/dead-letters/discard", api.DiscardDeadLetters, dependencies),
        url(r"/api/outcomes/([^/]+)", api.Outcomes, dependencies),
        url(r"/api/sqs-dlq", sqs_dlq.SqsDlqPeek, dependencies),
        url(r"/api/sqs-dlq/redrive", sqs_dlq.SqsDlqRedrive, dependencies),
        url(r"/api/sqs-dlq/cancel", sqs_dlq.SqsDlqCancelMove, dependencies),
    ]
    prefix = flower.options.url_prefix
    if prefix:
        handlers = [rewrite_handler(handler, prefix) for handler in handlers]
    # Inserted ahead of Flower's own rules, whose last one is a catch-all 404.
    flower.add_handlers(r".*$", handlers)
    flower.settings["template_loader"] = DashboardLoader(flower.settings["template_path"])
    _log_access(flower.options, access)


def _block_flower_control(flower: Any) -> None:
    """Point every route of Flower's that reaches a blocked handler at ``FlowerControlBlocked``, whatever its URL."""
    for rule in flower.wildcard_router.rules:
        if is_blocked(rule.target):
            rule.target, rule.target_kwargs = FlowerControlBlocked, {}


def _log_access(options: Any, access: AccessPolicy) -> None:
    if not auth_configured(options):
        allowed = "allowed (local stack only)" if access.allow_anonymous_actions else f"refused ({ANONYMOUS_VARIABLE})"
        logger.warning("Dashboard: no Flower authentication; anonymous actions %s", allowed)
    elif not access.operators:
        logger.warning("Dashboard: %s is empty, so every user is a viewer and nobody may act", OPERATORS_VARIABLE)
    else:
        logger.info("Dashboard: %d operator(s) may act; other users are viewers", len(access.operators))
