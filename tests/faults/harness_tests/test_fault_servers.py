import threading
import time

import psycopg
import pytest
import redis
from faults.support import processes
from faults.support.postgres_server import PostgresServer
from faults.support.redis_server import RedisServer
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError


def _count(url):
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            return connection.execute(text("SELECT count(*) FROM kept")).scalar()
    finally:
        engine.dispose()


def test_postgres_restarts_fast_and_immediate_keep_commits_and_accept_new_connections(postgres):
    url = postgres.create_database("restart_harness")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE kept (id int)"))
        connection.execute(text("INSERT INTO kept VALUES (1)"))
    port, first_pid = postgres.port, postgres.pid()

    held = engine.connect()
    held.execute(text("SELECT 1"))
    postgres.restart("immediate")
    with pytest.raises(OperationalError):
        held.execute(text("SELECT 1"))
    held.close()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO kept VALUES (2)"))
    postgres.restart("fast")

    assert _count(url) == 2
    assert postgres.port == port
    assert postgres.pid() not in (None, first_pid)
    engine.dispose()


def test_postgres_stop_refuses_connections_until_start(postgres):
    postgres.stop()
    try:
        assert postgres.pid() is None
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(postgres.dsn(), connect_timeout=2)
    finally:
        postgres.start()
    with psycopg.connect(postgres.dsn()) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_postgres_cleanup_stops_the_server_by_pid_and_removes_its_files():
    server = PostgresServer().start()
    pid, root = server.pid(), server.root

    server.cleanup()

    assert not root.exists()
    assert processes.wait_gone([pid], timeout=5) == []


def test_redis_kill_and_restart_keep_acknowledged_writes_on_the_same_port(redis_server):
    with redis_server.client() as client:
        client.set("aof-key", "written")
        client.rpush("aof-list", *range(100))
    port = redis_server.port

    redis_server.restart(kill=True)  # SIGKILL: only the AOF survives
    with redis_server.client() as client:
        assert client.get("aof-key") == b"written"
        assert client.llen("aof-list") == 100
    redis_server.restart()  # SIGTERM
    with redis_server.client() as client:
        assert client.get("aof-key") == b"written"
    assert redis_server.port == port
    assert redis_server.url == f"redis://127.0.0.1:{port}/0"


def test_redis_stopped_refuses_connections():
    with RedisServer() as server:
        server.stop()
        with pytest.raises(redis.ConnectionError), server.client() as client:
            client.ping()
        assert not server.running


def test_redis_pause_writes_holds_writes_but_not_reads(redis_server):
    with redis_server.client() as reader, redis_server.client() as writer:
        reader.set("paused-key", "before")
        redis_server.pause_writes(0.5)
        started = time.monotonic()
        done = {}
        thread = threading.Thread(target=lambda: done.update(ok=writer.set("paused-key", "after")))
        thread.start()
        time.sleep(0.1)

        assert reader.get("paused-key") == b"before"
        assert "ok" not in done
        thread.join(5)
        assert done == {"ok": True}
        assert time.monotonic() - started >= 0.4


def test_redis_refuse_writes_answers_oom_until_allowed(redis_server):
    with redis_server.client() as client:
        redis_server.refuse_writes()
        try:
            with pytest.raises(redis.exceptions.OutOfMemoryError):
                client.set("oom-key", "x")
            assert client.ping()
        finally:
            redis_server.allow_writes()
        assert client.set("oom-key", "x")
