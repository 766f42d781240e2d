"""Sentry error tracking, on only when ``SENTRY_DSN`` is set; then with its Celery integration.

Started when the ``tasks`` package is imported, which the worker, the dashboard (Flower loads ``tasks.app``) and the
``allocations`` command all do: a task that fails for good, and every ERROR log line, is reported once. Prefork
children inherit the client; the SDK starts its sending thread again in each process. Unset, ``sentry_sdk`` is never
imported.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

DSN_VARIABLE = "SENTRY_DSN"

_lock = threading.Lock()
_started = False


def configure(dsn: str | None) -> bool:
    """Start Sentry with ``dsn`` (once per process); nothing when it is unset or blank.

    ``SENTRY_ENVIRONMENT`` and ``SENTRY_RELEASE`` are read by the SDK itself. Personal data is not sent: events are
    about cases (CRNs), and the SDK's default of no PII is kept.

    Returns:
        True when error tracking is on.
    """
    global _started  # noqa: PLW0603 - one client per process
    with _lock:
        if _started or not (dsn and dsn.strip()):
            return _started
        import sentry_sdk  # noqa: PLC0415 - only when configured
        from sentry_sdk.integrations.celery import CeleryIntegration  # noqa: PLC0415

        # Retries are not failures: Celery's Retry is ignored by the integration; a dead letter re-raises its error.
        sentry_sdk.init(dsn=dsn.strip(), integrations=[CeleryIntegration()], send_default_pii=False)
        _started = True
        log.info("error tracking on")
        return True


def configure_from_environment() -> bool:
    """``configure`` with ``SENTRY_DSN``."""
    return configure(os.environ.get(DSN_VARIABLE))
