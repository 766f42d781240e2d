"""Providers, teams, staff, people and the managers, responsible officers and transfers that link them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert

from allocations.delius import codes
from allocations.delius.models import (
    Offender,
    PrisonOffenderManager,
    ProbationArea,
    ResponsibleOfficer,
    Staff,
    StaffTeam,
    Team,
)
from allocations.workload.details import AllocationReason
from factories.inserting import RowInserter, numbers
from factories.rows import ProviderRow, StaffRow, TeamRow

if TYPE_CHECKING:
    from allocations.delius.steps.kinds import ManagerKind


class Staffing(RowInserter):
    """Who manages whom: the organisation's rows, and the manager rows of every kind."""

    def provider(self, code: str | None = None, description: str | None = None) -> ProviderRow:
        n = next(numbers)
        code = code or f"P{n % 100:02d}"
        description = description or f"Provider {n}"
        return ProviderRow(self._insert(ProbationArea, code=code, description=description), code, description)

    def team(
        self,
        provider: ProviderRow,
        code: str | None = None,
        description: str | None = None,
        end_date: datetime | None = None,
    ) -> TeamRow:
        n = next(numbers)
        code = code or f"T{n:05d}"
        description = description or f"Team {n}"
        team_id = self._insert(
            Team, code=code, description=description, probation_area_id=provider.id, end_date=end_date
        )
        return TeamRow(team_id, code, description, provider)

    def staff(
        self,
        *teams: TeamRow,
        code: str | None = None,
        forename: str = "Sam",
        forename2: str | None = None,
        surname: str | None = None,
        end_date: datetime | None = None,
    ) -> StaffRow:
        n = next(numbers)
        code = code or f"S{n:06d}"
        surname = surname or f"Officer{n}"
        staff_id = self._insert(
            Staff, officer_code=code, forename=forename, forename2=forename2, surname=surname, end_date=end_date
        )
        for team in teams:
            with self.engine.begin() as c:
                c.execute(insert(StaffTeam).values(staff_id=staff_id, team_id=team.id))
        return StaffRow(staff_id, code, " ".join(p for p in (forename, forename2, surname) if p))

    def person(self, crn: str | None = None) -> tuple[int, str]:
        crn = crn or f"X{next(numbers):06d}"
        return self._insert(Offender, crn=crn, first_name="Pat", surname="Person"), crn

    def manager(  # noqa: PLR0913 - a manager row has this many facts
        self,
        kind: ManagerKind,
        parent_id: int,
        team: TeamRow,
        staff: StaffRow,
        start: datetime,
        *,
        end: datetime | None = None,
        soft_deleted: int = 0,
    ) -> int:
        now = datetime.now(UTC)
        reason = self.reference_id(
            kind.reason_dataset, codes.reason_code(kind.reason_dataset, AllocationReason.INITIAL_ALLOCATION)
        )
        values = {
            kind.parent_column: parent_id,
            kind.team_column: team.id,
            kind.staff_column: staff.id,
            "staff_employee_id": staff.id,
            "trust_provider_team_id": team.id,
            "allocation_date": start,
            "end_date": end,
            "active_flag": 1 if end is None or end > now else 0,
            "probation_area_id": team.provider.id,
            "partition_area_id": 0,
            "allocation_reason_id": reason,
            "soft_deleted": soft_deleted,
            "row_version": 0,
            "created_datetime": now,
            "last_updated_datetime": now,
            "created_by_user_id": self.user_id,
            "last_updated_user_id": self.user_id,
        }
        return self._insert(kind.model, **values)

    def responsible_officer(
        self,
        offender_id: int,
        start: datetime,
        end: datetime | None = None,
        *,
        offender_manager_id: int | None = None,
        prison_offender_manager_id: int | None = None,
    ) -> int:
        now = datetime.now(UTC)
        return self._insert(
            ResponsibleOfficer,
            offender_id=offender_id,
            offender_manager_id=offender_manager_id,
            prison_offender_manager_id=prison_offender_manager_id,
            start_date=start,
            end_date=end,
            row_version=0,
            created_datetime=now,
            last_updated_datetime=now,
            created_by_user_id=self.user_id,
            last_updated_user_id=self.user_id,
        )

    def prison_manager(self, offender_id: int, team: TeamRow, staff: StaffRow) -> int:
        return self._insert(
            PrisonOffenderManager,
            offender_id=offender_id,
            probation_area_id=team.provider.id,
            allocation_team_id=team.id,
            allocation_staff_id=staff.id,
        )

    def transfer(
        self, kind: ManagerKind, parent_id: int, status: str = codes.PENDING_TRANSFER, *, soft_deleted: int = 0
    ) -> int:
        return self._insert(
            kind.transfer_model,
            **{kind.parent_column: parent_id},
            transfer_status_id=self.reference_id(codes.TRANSFER_STATUS, status),
            soft_deleted=soft_deleted,
        )
