"""The Redis transport the worker uses, against a real Redis that refuses writes."""

import os
import signal
import threading

import billiard
import pytest
from faults.support.redis_server import RedisServer
from kombu import Connection
from kombu.transport.redis import Transport
from redis.exceptions import OutOfMemoryError

from tasks.redis_transport import RefusedWritesAreConnectionErrors


def held_slots(queue) -> int:
    qos = queue.consumer.channel.qos
    return len(qos._delivered) - len(qos._dirty)  # kombu forgets settled deliveries lazily


def deliver_then_refuse_the_ack(transport) -> int:
    with RedisServer() as redis, Connection(redis.url, transport=transport) as connection:
        queue = connection.SimpleQueue("refused-ack")
        queue.put({"n": 1})
        message = queue.get(timeout=5)
        redis.refuse_writes()
        with pytest.raises(OutOfMemoryError):
            message.ack()
        held = held_slots(queue)
        redis.allow_writes()
        queue.close()
        return held


def test_an_ack_that_redis_refuses_still_frees_the_delivery_slot():
    assert deliver_then_refuse_the_ack(RefusedWritesAreConnectionErrors) == 0


def test_kombus_own_transport_keeps_the_slot_of_a_refused_ack():
    # The defect the worker's transport fixes: with a prefetch of two, two refused acks stall its consumer.
    assert deliver_then_refuse_the_ack(Transport) == 1


def test_redis_refusing_writes_is_a_connection_error_not_an_unrecoverable_one():
    assert issubclass(OutOfMemoryError, RefusedWritesAreConnectionErrors.connection_errors)
    assert not issubclass(OutOfMemoryError, Transport.connection_errors)


def fork_while_another_thread_holds_the_pool_lock(redis_url: str, transport) -> int | None:
    """Fork a pool child (as Celery's prefork pool does) while a thread is inside the channel's Redis pool; its exit.

    The parent's thread holds the redis-py pool's lock, as it does while it takes a connection (the ingest reading
    the task backlog or publishing a task). The child inherits the lock held, and no thread of its own will free it.
    """
    with Connection(redis_url, transport=transport) as connection:
        channel = connection.default_channel
        channel.client.ping()  # the channel's connection pool exists and is in use
        holding, release = threading.Event(), threading.Event()

        def hold_the_lock() -> None:
            with channel.pool._lock:  # what redis-py's get_connection holds while it makes a connection
                holding.set()
                release.wait(30)

        holder = threading.Thread(target=hold_the_lock, daemon=True)
        holder.start()
        assert holding.wait(5), "the thread never took the pool's lock"
        child = billiard.get_context("fork").Process()  # nothing to run: starting is the test
        try:
            child.start()  # the child runs the registered after-fork handlers: kombu's cleans up the channel
            child.join(5)
            return child.exitcode
        finally:
            if child.is_alive():
                os.kill(child.pid, signal.SIGKILL)
                child.join(5)
            release.set()
            holder.join(5)


def test_a_pool_child_forked_while_a_thread_uses_redis_starts(redis_url):
    assert fork_while_another_thread_holds_the_pool_lock(redis_url, RefusedWritesAreConnectionErrors) == 0


def test_with_kombus_own_transport_that_child_hangs_in_the_after_fork_cleanup(redis_url):
    # The defect the worker's transport fixes: kombu disconnects the parent's pools in the child, and redis-py's
    # reset takes the lock the parent's thread held at the fork. Measured: one pool child in three hung at start.
    assert fork_while_another_thread_holds_the_pool_lock(redis_url, Transport) is None
