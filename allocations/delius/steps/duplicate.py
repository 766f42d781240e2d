"""Is the allocation already recorded, or does it clash with the active manager's start (spec §3.3)?"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from allocations.errors import Conflict

if TYPE_CHECKING:
    from datetime import datetime

    from allocations.delius.steps.active_manager import ActiveManager
    from allocations.workload.details import AllocationDetail


def is_duplicate(active: ActiveManager, detail: AllocationDetail) -> bool:
    """True when the active manager already has this staff and team; Conflict when it started the same second."""
    if active.staff_code == detail.staff_code.strip() and active.team_code == detail.team_code.strip():
        return True
    if _whole_seconds(detail.created_date) == _whole_seconds(active.allocation_date):
        raise Conflict("Allocation date conflicts with the current active manager")
    return False


def _whole_seconds(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(microsecond=0)
