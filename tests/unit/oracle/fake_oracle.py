"""A DBAPI connection that answers SQLAlchemy's Oracle dialect (python-oracledb) without a server, recording calls.

Enough of python-oracledb's connection and cursor for the real ``oracle+oracledb`` dialect to initialise, check
connections out and in, and execute statements; every ``execute`` and ``callproc`` is appended to ``calls``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Self

import oracledb
from sqlalchemy import Engine, create_engine

SERVICE_USER_ID = 4711


@dataclass
class FakeCursor:
    calls: list[tuple[Any, ...]]
    description: list[tuple[Any, ...]] | None = None
    rowcount: int = 0
    arraysize: int = 100
    _rows: list[tuple[Any, ...]] = field(default_factory=list)

    def execute(self, statement: str, parameters: Any = None, **_options: Any) -> None:
        self.calls.append(("execute", " ".join(statement.split()), dict(parameters or {})))
        self._rows = [_answer(statement.lower())]
        self.description = [("VALUE", oracledb.DB_TYPE_VARCHAR, None, None, None, None, None)]

    def callproc(self, name: str, parameters: Any = ()) -> None:
        self.calls.append(("callproc", name, list(parameters)))

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, _size: int | None = None) -> list[tuple[Any, ...]]:
        return self.fetchall()

    def setinputsizes(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    def var(self, *_args: Any, **_kwargs: Any) -> None:
        return None

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _answer(statement: str) -> tuple[Any, ...]:
    """The one row the dialect's (or the service's) query expects."""
    if "to_char" in statement or "1.1" in statement:
        return ("1.1",)  # the decimal character the dialect detects
    if "current_schema" in statement:
        return ("DELIUS_APP_SCHEMA",)
    if "user_.user_id" in statement:
        return (SERVICE_USER_ID,)
    return ("READ COMMITTED",)


@dataclass
class FakeConnection:
    calls: list[tuple[Any, ...]]
    version: str = "19.3.0.0.0"
    max_identifier_length: int = 128
    autocommit: bool = False
    stmtcachesize: int = 20
    outputtypehandler: Any = None

    def cursor(self) -> FakeCursor:
        return FakeCursor(self.calls)

    def commit(self) -> None:
        self.calls.append(("commit",))

    def rollback(self) -> None:
        self.calls.append(("rollback",))

    def close(self) -> None:
        self.calls.append(("close",))

    def ping(self) -> None:
        pass


def oracle_engine(calls: list[tuple[Any, ...]]) -> Engine:
    """An engine of the real Oracle dialect whose connections are ``FakeConnection`` s recording into ``calls``."""
    return create_engine("oracle+oracledb://", creator=lambda: FakeConnection(calls), pool_size=1)
