"""kombu's Redis transport, made to ride out a Redis that refuses writes instead of stopping the worker.

A Redis at ``maxmemory`` (OOM), a replica left read-only after a failover, or a master that is down answers with an
error that kombu counts as a channel error: Celery then calls it "Unrecoverable error" and the worker exits
(measured: ``OutOfMemoryError`` on the ``LLEN`` of a pipeline). These are conditions of the connection, not of one
message: counted as connection errors, the consumer reconnects with backoff until Redis takes writes again. Events
meanwhile wait in the ledger, and the reconciler dispatches those whose tasks could not be published.
"""

from __future__ import annotations

from typing import Any

from kombu.transport.redis import Transport
from redis import exceptions

REFUSED_WRITES = (
    exceptions.OutOfMemoryError,
    exceptions.ReadOnlyError,
    exceptions.ExecAbortError,  # a transaction discarded because one of its commands was refused (as above)
    exceptions.MasterDownError,
    exceptions.TryAgainError,
)


class RefusedWritesAreConnectionErrors(Transport):
    """The Redis transport, with Redis refusing writes treated as a lost connection."""

    connection_errors = Transport.connection_errors + REFUSED_WRITES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
