"""Lock the component's parent row so concurrent allocations of it queue instead of racing (architecture §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

if TYPE_CHECKING:
    from sqlalchemy import Column, Connection


def lock_row(connection: Connection, key: Column[Any], value: object) -> bool:
    """``SELECT … FOR UPDATE`` the row where ``key = value``; False when there is none."""
    return connection.execute(select(key).where(key == value).with_for_update()).first() is not None
