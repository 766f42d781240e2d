"""Add the dashboard's pages and API to a Flower application: same server, same port, same authentication."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flower.app import rewrite_handler
from tornado.web import url

from tasks.dashboard import api, pages
from tasks.dashboard.templating import DashboardLoader

if TYPE_CHECKING:
    from tasks.operations import Operations


def mount(flower: Any, operations: Operations) -> None:
    """Serve the dashboard from ``flower``; ``operations`` is what its actions act on."""
    dependencies = {"operations": operations}
    handlers = [
        url(r"/dead-letters", pages.DeadLettersPage, dependencies, name="dead-letters"),
        url(r"/dead-letters/(\d+)", pages.DeadLetterPage, dependencies, name="dead-letter"),
        url(r"/dead-letters/requeue", pages.RequeueAction, dependencies, name="dead-letters-requeue"),
        url(r"/dead-letters/discard", pages.DiscardAction, dependencies, name="dead-letters-discard"),
        url(r"/outcomes", pages.OutcomesPage, dependencies, name="outcomes"),
        url(r"/sqs-dlq", pages.SqsDlqPage, dependencies, name="sqs-dlq"),
        url(r"/sqs-dlq/redrive", pages.RedriveAction, dependencies, name="sqs-dlq-redrive"),
        url(r"/api/dead-letters", api.ListDeadLetters, dependencies),
        url(r"/api/dead-letters/(\d+)", api.ShowDeadLetter, dependencies),
        url(r"/api/dead-letters/requeue", api.RequeueDeadLetters, dependencies),
        url(r"/api/dead-letters/discard", api.DiscardDeadLetters, dependencies),
        url(r"/api/outcomes/([^/]+)", api.Outcomes, dependencies),
        url(r"/api/sqs-dlq", api.SqsDlqPeek, dependencies),
        url(r"/api/sqs-dlq/redrive", api.SqsDlqRedrive, dependencies),
    ]
    prefix = flower.options.url_prefix
    if prefix:
        handlers = [rewrite_handler(handler, prefix) for handler in handlers]
    # Inserted ahead of Flower's own rules, whose last one is a catch-all 404.
    flower.add_handlers(r".*$", handlers)
    flower.settings["template_loader"] = DashboardLoader(flower.settings["template_path"])
