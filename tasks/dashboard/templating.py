"""Templates: the dashboard's own first, then Flower's; Flower's navbar gains the dashboard's tabs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tornado.template import Loader, Template

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = "dashboard.css"
_TABS = """
        <li class="nav-item">
          <a class="nav-link{% if active_tab == 'dead-letters' %} active{% end %}"
            href="{{ reverse_url('dead-letters') }}">Dead letters</a>
        </li>
        <li class="nav-item">
          <a class="nav-link{% if active_tab == 'outcomes' %} active{% end %}"
            href="{{ reverse_url('outcomes') }}">Outcomes</a>
        </li>
        <li class="nav-item">
          <a class="nav-link{% if active_tab == 'retrying' %} active{% end %}"
            href="{{ reverse_url('retrying') }}">Retrying</a>
        </li>
        <li class="nav-item">
          <a class="nav-link{% if active_tab == 'sqs-dlq' %} active{% end %}"
            href="{{ reverse_url('sqs-dlq') }}">SQS DLQ</a>
        </li>
"""


class DashboardLoader(Loader):
    """Looks in the dashboard's templates, then in Flower's."""

    def __init__(self, flower_templates: str, **kwargs: Any) -> None:
        super().__init__(flower_templates, **kwargs)

    def _create_template(self, name: str) -> Template:
        own = TEMPLATES / name
        path = own if own.is_file() else Path(self.root) / name
        source = path.read_text(encoding="utf-8")
        if name == "base.html":
            # One stylesheet for the dashboard's pages, inline: Flower serves only its own static files.
            style = (TEMPLATES / STYLESHEET).read_text(encoding="utf-8")
            source = source.replace("</head>", f"<style>\n{style}</style>\n  </head>", 1)
        if name == "navbar.html":
            # Flower's first list is its primary tabs; a Flower without one keeps its navbar as is.
            source = source.replace("</ul>", _TABS + "      </ul>", 1)
        return Template(source, name=name, loader=self)
