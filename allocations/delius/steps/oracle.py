"""What Delius on Oracle expects around a write (spec §3.12); other dialects skip it with a debug line."""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

_identified: weakref.WeakSet[Engine] = weakref.WeakSet()


def rebuild_optimisation_tables(connection: Connection, offender_id: int) -> None:
    """After commit: ``PKG_TRIGGERSUPPORT.PROCREBUILDOPTTABLES(offender_id)`` on Oracle."""
    if connection.dialect.name != "oracle":
        log.debug("skipping optimisation table rebuild for offender %s on %s", offender_id, connection.dialect.name)
        return
    connection.execute(text("BEGIN PKG_TRIGGERSUPPORT.PROCREBUILDOPTTABLES(:id); END;"), {"id": offender_id})


def install_session_identity(engine: Engine, delius_username: str) -> None:
    """On Oracle, set the client identifier on checkout and clear it on checkin (Delius audit triggers)."""
    if engine.dialect.name != "oracle":
        log.debug("no session identity on %s", engine.dialect.name)
        return
    if engine in _identified:
        return
    _identified.add(engine)

    @event.listens_for(engine, "checkout")
    def _set(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.callproc("PKG_VPD_CTX.SET_CLIENT_IDENTIFIER", [delius_username])

    @event.listens_for(engine, "checkin")
    def _clear(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.callproc("PKG_VPD_CTX.CLEAR_CLIENT_IDENTIFIER")
