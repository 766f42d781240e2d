"""Per-engine memory of reference ids that never change while the service runs (user, contact types, reasons).

Delius reference rows are loaded by releases, not at runtime, so one look-up per engine is enough. Only found rows
are kept: a missing code is asked for again on the retry. Whoever deletes or reloads these reference rows under a
live engine (tests do) must call ``clear_reference_cache`` afterwards, or an id that no longer exists is served.
Allocation-reason codes are deliberately not kept here: validation reads them in the same round trip as the team.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from sqlalchemy import Connection, Engine

T = TypeVar("T")

_caches: weakref.WeakKeyDictionary[Engine, dict[Hashable, object]] = weakref.WeakKeyDictionary()


def remembered(connection: Connection, key: Hashable, look_up: Callable[[], T | None]) -> T | None:
    """The value kept for ``key`` on the connection's engine, else ``look_up()`` (kept unless None)."""
    cache = _caches.setdefault(connection.engine, {})
    if key in cache:
        return cache[key]  # type: ignore[return-value]
    value = look_up()
    if value is not None:
        cache[key] = value
    return value


def clear_reference_cache(engine: Engine | None = None) -> None:
    """Forget what was kept for ``engine`` (every engine when None); call after changing reference rows."""
    if engine is None:
        _caches.clear()
    else:
        _caches.pop(engine, None)
