"""The Redis transport the worker uses, against a real Redis that refuses writes."""

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
