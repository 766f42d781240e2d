"""The Celery application, configured from ``celeryconfig``."""

from __future__ import annotations

from celery import Celery

app = Celery("allocations", include=["tasks.allocation"])
app.config_from_object("celeryconfig")
