"""kombu's Redis transport, made to ride out a Redis that refuses writes or restarts instead of stopping the worker.

A Redis at ``maxmemory`` (OOM), a replica left read-only after a failover, or a master that is down answers with an
error that kombu counts as a channel error: Celery then calls it "Unrecoverable error" and the worker exits
(measured: ``OutOfMemoryError`` on the ``LLEN`` of a pipeline). These are conditions of the connection, not of one
message: counted as connection errors, the consumer reconnects with backoff until Redis takes writes again. Events
meanwhile wait in the ledger, and the reconciler dispatches those whose tasks could not be published.

Likewise an ack that lands on a channel closed by a Redis restart raises ``AttributeError`` ("'NoneType' object has
no attribute 'hostname'", from the closed channel's connection parameters; measured, one run in three): kombu
already counts the ``KeyError`` of the same stale-channel situation as a connection error, and so does this.

A prefork pool child also starts whatever the worker's other threads are doing: see ``ForkSafeChannel``.
"""

from __future__ import annotations

import os
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


class ForkSafeChannel(Channel):
    """A Redis channel that a forked child forgets without touching, with ``SlotReleasingQoS``.

    kombu registers every Redis channel for clean-up in forked children: the child disconnects the parent's
    connection pools, and redis-py's pool then takes its own lock to reset itself. The worker's ingest and reconciler
    threads use channels of the parent's (reading the task backlog, publishing tasks) while the main thread forks pool
    children (at start, and to replace one that exited). A child forked while one of those threads held a pool's lock
    inherits the lock held, and no thread of the child ever frees it: the child hung before its first task, and the
    worker's tasks waited for it for ever (measured: one worker start in three in the end-to-end suite). In a child,
    this channel drops its references to the parent's pools and clients instead; the parent keeps its connections,
    and the child, if it ever used the channel, would open its own.
    """

    QoS = SlotReleasingQoS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.owner_pid = os.getpid()  # set first: kombu's constructor disconnects the pools when its PING fails
        super().__init__(*args, **kwargs)

    def _disconnect_pools(self) -> None:
        if os.getpid() == self.owner_pid:
            super()._disconnect_pools()
            return
        self._pool = self._async_pool = None
        for client in ("client", "subclient"):  # cached properties holding the parent's pools
            self.__dict__.pop(client, None)


class RefusedWritesAreConnectionErrors(Transport):
    """The Redis transport: refused writes are a lost connection, no slot is lost to them, children fork safely."""

    Channel = ForkSafeChannel
    connection_errors = Transport.connection_errors + REFUSED_WRITES + STALE_CHANNEL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
