"""Contact notes and display names, rendered exactly as Delius writes them (Europe/London times)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from datetime import datetime

LONDON = ZoneInfo("Europe/London")


def london(instant: datetime) -> datetime:
    """``instant`` as Europe/London wall-clock time."""
    return instant.astimezone(LONDON)


def display_name(forename: str, middle_name: str | None, surname: str) -> str:
    """Forename, middle name (if any) and surname joined with single spaces."""
    return " ".join(part.strip() for part in (forename, middle_name, surname) if part and part.strip())


def transfer_notes(start: datetime, provider: str, from_team: str, from_officer: str) -> str:
    """Notes of the ETOM/ETOS/ETRC transfer contact (spec §3.6)."""
    return (
        "Transfer Reason: Internal Transfer\n"
        f"Transfer Date: {london(start):%d/%m/%Y}\n"
        f"From Trust: {provider}\n"
        f"From Team: {from_team}\n"
        f"From Officer: {from_officer}\n"
        "-------------------------------/\n"
        "\n"
    )


@dataclass(frozen=True)
class ResponsibleOfficerDetails:
    """What the RO-change contact says about one responsible officer."""

    prison: bool
    staff_name: str
    team: str
    provider: str
    start: datetime
    end: datetime | None


def ro_details(ro: ResponsibleOfficerDetails) -> str:
    """The lines describing one RO in the ROC contact (spec §3.9 step 8d)."""
    kind = "Prison Offender Manager" if ro.prison else "Offender Manager"
    lines = [
        f"Responsible Officer Type: {kind}",
        f"Responsible Officer: {ro.staff_name}({ro.team},{ro.provider})",
        f"Start Date: {london(ro.start):%d/%m/%Y %H:%M:%S}",
    ]
    if ro.end is not None:
        lines.append(f"End Date: {london(ro.end):%d/%m/%Y %H:%M:%S}")
    return "\n".join(lines)


def ro_change_notes(new: ResponsibleOfficerDetails, old: ResponsibleOfficerDetails, reason: str) -> str:
    """Notes of the ROC contact."""
    return f"New Details:\n{ro_details(new)}\nPrevious Details:\n{ro_details(old)}\nAllocation Reason: {reason}"
