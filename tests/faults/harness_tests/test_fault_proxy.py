import socket
import threading
import time

import psycopg
import pytest
import redis
from faults.support.proxy import TcpProxy, is_commit
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError


@pytest.fixture(scope="module")
def database(postgres):
    url = postgres.create_database("proxy_harness")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE item (id int PRIMARY KEY)"))
    yield url, engine
    engine.dispose()


@pytest.fixture
def proxy(postgres):
    with TcpProxy("127.0.0.1", postgres.port, postgres=True) as proxy:
        yield proxy


@pytest.fixture
def through(proxy, database):
    engine = create_engine(proxy.url_for(database[0]), pool_pre_ping=False)
    yield engine
    engine.dispose()


def _ids(database):
    with database[1].begin() as connection:
        return connection.execute(text("SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM item")).scalar()


def _insert(engine, item):
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO item VALUES (:id)"), {"id": item})


@pytest.fixture(autouse=True)
def _empty(database):
    with database[1].begin() as connection:
        connection.execute(text("TRUNCATE item"))


def test_commit_detection():
    assert all(is_commit(sql) for sql in ["COMMIT", "commit;", " END ", "COMMIT WORK", "commit transaction"])
    assert not any(is_commit(sql) for sql in ["COMMIT PREPARED 'x'", "ROLLBACK", "SELECT 'COMMIT'", "BEGIN"])


def test_url_for_points_a_socket_url_at_the_proxy(proxy):
    url = proxy.url_for("postgresql+psycopg://postgres:pw@/delius?host=/tmp/sock")

    assert url == f"postgresql+psycopg://postgres:pw@127.0.0.1:{proxy.port}/delius"


def test_sqlalchemy_with_psycopg_commits_with_a_simple_query(proxy, through, database):
    _insert(through, 1)

    assert ("Q", "COMMIT") in proxy.captured
    assert _ids(database) == [1]
    assert proxy.stats.commits_seen == 1


def test_reset_before_commit_loses_the_transaction_and_after_keeps_it(proxy, through, database):
    proxy.reset_next_commits(1, "before")
    with pytest.raises(OperationalError):
        _insert(through, 1)
    proxy.reset_next_commits(1, "after")
    with pytest.raises(OperationalError):
        _insert(through, 2)
    _insert(through, 3)  # the pool replaces the broken connections

    assert _ids(database) == [2, 3]
    assert proxy.resets == {"before": 1, "after": 1, "after_unanswered": 0}


@pytest.mark.parametrize(("when", "kept"), [("before", []), ("after", [7])])
def test_extended_protocol_commit_is_reset_too(proxy, database, postgres, when, kept):
    proxy.reset_next_commits(1, when)
    dsn = f"host=127.0.0.1 port={proxy.port} user=postgres dbname=proxy_harness"
    with psycopg.connect(dsn) as connection:
        connection.execute("INSERT INTO item VALUES (%s)", [7])
        with pytest.raises(psycopg.OperationalError):
            connection.execute("COMMIT", prepare=True)

    assert [kind for kind, sql in proxy.captured if sql == "COMMIT"] == ["P"]
    assert _ids(database) == kept
    assert proxy.resets[when] == 1


def test_commit_resets_by_probability_are_counted_and_seeded(proxy, through, database):
    proxy.reset_commits(before=0.25, after=0.25, seed=3)
    applied = []
    for item in range(40):
        try:
            _insert(through, item)
            applied.append(item)
        except OperationalError:
            continue
    resets = proxy.resets

    assert 5 <= resets["before"] <= 17
    assert 5 <= resets["after"] <= 17
    assert len(applied) + resets["before"] + resets["after"] == 40
    assert len(_ids(database)) == len(applied) + resets["after"]  # after-resets committed all the same


def test_refuse_resets_open_connections_and_refuses_new_ones_until_accept(postgres):
    with TcpProxy("127.0.0.1", postgres.port) as proxy:
        dsn = f"host=127.0.0.1 port={proxy.port} user=postgres dbname=postgres connect_timeout=2"
        open_connection = psycopg.connect(dsn)
        port = proxy.port

        proxy.refuse()
        with pytest.raises(psycopg.OperationalError):
            open_connection.execute("SELECT 1")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2)
        proxy.accept()
        with psycopg.connect(dsn) as again:
            assert again.execute("SELECT 1").fetchone() == (1,)

        proxy.refuse(seconds=0.3)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(dsn)
        time.sleep(0.6)
        with psycopg.connect(dsn) as later:
            assert later.execute("SELECT 1").fetchone() == (1,)
        assert proxy.port == port
        open_connection.close()


def test_plain_mode_reset_all_breaks_a_redis_connection_in_use(redis_server):
    with TcpProxy("127.0.0.1", redis_server.port) as proxy:
        client = redis.Redis(port=proxy.port, socket_timeout=5, retry=Retry(NoBackoff(), 0))
        client.set("through-proxy", "1")
        errors = []

        def blocked_pop():
            try:
                client.blpop(["never-filled"], timeout=3)
            except redis.ConnectionError as error:
                errors.append(error)

        waiter = threading.Thread(target=blocked_pop)
        waiter.start()
        time.sleep(0.2)
        assert proxy.reset_all() == 1
        waiter.join(5)

        assert len(errors) == 1
        assert client.get("through-proxy") == b"1"  # a new connection goes through
        assert proxy.stats.resets == 1
        client.close()
