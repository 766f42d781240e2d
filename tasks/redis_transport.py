"""kombu's Redis transport, made to ride out a Redis that refuses writes or restarts instead of stopping the worker.

A Redis at ``maxmemory`` (OOM), a replica left read-only after a failover, or a master that is down answers with an
error that kombu counts as a channel error: Celery then calls it "Unrecoverable error" and the worker exits
(measured: ``OutOfMemoryError`` on the ``LLEN`` of a pipeline). These are conditions of the connection, not of one
message: counted as connection errors, the consumer reconnects with backoff until Redis takes writes again. Events
meanwhile wait in the ledger, and the reconciler dispatches those whose tasks could not be published.

Likewise an ack that lands on a channel closed by a Redis restart raises ``AttributeError`` ("'NoneType' object has
no attribute 'hostname'", from the closed channel's connection parameters; measured, one run in three): kombu
already counts the ``KeyError`` of the same stale-channel situation as a connection error, and so does this.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import virtual
from kombu.transport.redis import Channel, QoS, Transport
from redis import exceptions

REFUSED_WRITES = (
    exceptions.OutOfMemoryError,
    exceptions.ReadOnlyError,
    exceptions.ExecAbortError,  # a transaction discarded because one of its commands was refused (as above)
    exceptions.MasterDownError,
    exceptions.TryAgainError,
)
STALE_CHANNEL = (AttributeError,)


class SlotReleasingQoS(QoS):
    """Frees a delivery's prefetch slot even when Redis refuses the ack.

    kombu removes the message from the unacked index first and frees the slot only if that worked: each ack that
    Redis refused (maxmemory) kept a slot, and once the worker's few slots were held its consumer stopped fetching
    for good while the process stayed up (measured: BRPOP idle for minutes with hundreds of tasks queued). A message
    whose ack was refused stays in Redis's unacked set and is restored after the visibility timeout; it then runs
    again and finds its event already final in the ledger.
    """

    def ack(self, delivery_tag: str) -> None:
        """Remove the message from the unacked index, and free its slot whatever Redis says."""
        try:
            self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)


class SlotReleasingChannel(Channel):
    """The Redis channel with ``SlotReleasingQoS``."""

    QoS = SlotReleasingQoS


class RefusedWritesAreConnectionErrors(Transport):
    """The Redis transport, with Redis refusing writes treated as a lost connection, and no slot lost to it."""

    Channel = SlotReleasingChannel
    connection_errors = Transport.connection_errors + REFUSED_WRITES + STALE_CHANNEL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
