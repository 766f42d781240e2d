"""Which database errors are worth retrying, on PostgreSQL and on Delius's Oracle."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

# Oracle reports these as plain DatabaseErrors: deadlock, resource busy (NOWAIT), serialisation, lock timeout.
_ORACLE_TRANSIENT = ("ORA-00060", "ORA-00054", "ORA-08177", "ORA-30006")


def is_operational(error: DBAPIError) -> bool:
    """Connection lost, deadlock, lock timeout or serialisation failure: worth retrying."""
    if isinstance(error, OperationalError) or error.connection_invalidated:
        return True
    return any(code in str(error.orig) for code in _ORACLE_TRANSIENT)
