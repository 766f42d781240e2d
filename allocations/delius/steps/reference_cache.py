"""Memory of reference ids that never change while the service runs (user, contact types, interactions, reasons).

Delius reference rows are loaded by releases, not at runtime, so one look-up per ``Delius`` is enough. Only found
rows are kept: a missing code is asked for again on the retry. Whoever deletes or reloads these reference rows under
a live ``Delius`` (tests do) must call its ``references.clear()`` afterwards, or an id that no longer exists is
served. Allocation-reason codes are deliberately not kept here: validation reads them with the team.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

T = TypeVar("T")


class ReferenceCache:
    """Reference ids found so far, by a key naming what was looked up."""

    def __init__(self) -> None:
        self._found: dict[Hashable, object] = {}

    def remembered(self, key: Hashable, look_up: Callable[[], T | None]) -> T | None:
        """The value kept for ``key``, else ``look_up()`` (kept unless None)."""
        if key in self._found:
            return self._found[key]  # type: ignore[return-value]
        value = look_up()
        if value is not None:
            self._found[key] = value
        return value

    def clear(self) -> None:
        """Forget everything kept; call after changing reference rows."""
        self._found.clear()


def remembered(cache: ReferenceCache | None, key: Hashable, look_up: Callable[[], T | None]) -> T | None:
    """``cache.remembered(key, look_up)``, or a fresh ``look_up()`` when there is no cache (one-off callers)."""
    return look_up() if cache is None else cache.remembered(key, look_up)
