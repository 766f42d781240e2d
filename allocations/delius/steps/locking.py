"""Lock the component's parent row so concurrent allocations of it queue instead of racing (architecture §5)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

if TYPE_CHECKING:
    from sqlalchemy import Column, Connection, Select


def lock_row(connection: Connection, key: Column[Any], value: object) -> bool:
    """``SELECT … FOR UPDATE`` the row where ``key = value``; False when there is none."""
    return connection.execute(_statement(key), {"value": value}).first() is not None


@cache
def _statement(key: Column[Any]) -> Select[Any]:
    return select(key).where(key == bindparam("value", type_=key.type)).with_for_update()
