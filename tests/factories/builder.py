"""Builders of Delius rows, so a test states its scenario in a few lines (plain Core inserts, committed)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, insert, select

from allocations.delius import codes
from allocations.delius.models import (
    AdRequirementMainCategory,
    Disposal,
    Event,
    LicenceCondition,
    LicenceConditionMainCategory,
    Offender,
    PrisonOffenderManager,
    ProbationArea,
    ReferenceDataMaster,
    Requirement,
    RequirementMainCategory,
    ResponsibleOfficer,
    Staff,
    StaffTeam,
    StandardReference,
    Team,
    User,
)
from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT, ManagerKind
from allocations.workload.details import (
    AllocationDetail,
    AllocationReason,
)
from factories.rows import Case, ProviderRow, Sentence, StaffRow, TeamRow

_numbers = itertools.count(1)
D = TypeVar("D", bound=AllocationDetail)


class DeliusBuilder:
    """Inserts rows with sensible defaults; every method commits and returns what a test needs."""

    def __init__(self, engine: Engine, delius_username: str) -> None:
        self.engine = engine
        with engine.connect() as c:
            self.user_id = c.execute(
                select(User.user_id).where(User.distinguished_name == delius_username)
            ).scalar_one()

    def _insert(self, model: Any, **values: Any) -> int:
        key = next(iter(model.__table__.primary_key.columns))
        with self.engine.begin() as c:
            return int(c.execute(insert(model).values(**values).returning(key)).scalar_one())

    def reference_id(self, dataset: str, code: str) -> int:
        with self.engine.connect() as c:
            return c.execute(
                select(StandardReference.standard_reference_list_id)
                .join(ReferenceDataMaster)
                .where(ReferenceDataMaster.code_set_name == dataset, StandardReference.code_value == code)
            ).scalar_one()

    def _category_id(self, model: Any, code: str | None) -> int | None:
        if code is None:
            return None
        key = next(iter(model.__table__.primary_key.columns))
        with self.engine.connect() as c:
            return c.execute(select(key).where(model.code == code)).scalar_one()

    def provider(self, code: str | None = None, description: str | None = None) -> ProviderRow:
        n = next(_numbers)
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
        n = next(_numbers)
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
        n = next(_numbers)
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
        crn = crn or f"X{next(_numbers):06d}"
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

    def event(self, offender_id: int, number: str = "1", *, active: int = 1) -> int:
        return self._insert(Event, offender_id=offender_id, event_number=number, active_flag=active)

    def disposal(self, event_id: int, *, active: int = 1) -> int:
        return self._insert(Disposal, event_id=event_id, active_flag=active)

    def requirement(  # noqa: PLR0913 - categories and state are independent
        self,
        offender_id: int,
        disposal_id: int,
        *,
        main: str | None = None,
        additional: str | None = None,
        sub: str | None = None,
        active: int = 1,
        soft_deleted: int = 0,
    ) -> int:
        return self._insert(
            Requirement,
            offender_id=offender_id,
            disposal_id=disposal_id,
            rqmnt_type_main_category_id=self._category_id(RequirementMainCategory, main),
            ad_rqmnt_type_main_category_id=self._category_id(AdRequirementMainCategory, additional),
            rqmnt_type_sub_category_id=None if sub is None else self.reference_id(codes.REQUIREMENT_SUB_CATEGORY, sub),
            active_flag=active,
            soft_deleted=soft_deleted,
        )

    def lic_condition(
        self,
        disposal_id: int,
        *,
        main_id: int | None = None,
        sub_id: int | None = None,
        active: int = 1,
        soft_deleted: int = 0,
    ) -> int:
        return self._insert(
            LicenceCondition,
            disposal_id=disposal_id,
            lic_cond_type_main_cat_id=main_id,
            lic_cond_type_sub_cat_id=sub_id,
            active_flag=active,
            soft_deleted=soft_deleted,
        )

    def lic_condition_category(self, code: str, description: str) -> int:
        """A licence condition main category (reference data: kept across tests, so found when it exists)."""
        with self.engine.connect() as c:
            found = c.execute(
                select(LicenceConditionMainCategory.lic_cond_type_main_cat_id).where(
                    LicenceConditionMainCategory.code == code
                )
            ).scalar_one_or_none()
        if found is not None:
            return int(found)
        return self._insert(LicenceConditionMainCategory, code=code, description=description)

    def reference(self, dataset: str, code: str, description: str) -> int:
        """A code of ``dataset``, created with the dataset when missing (reference data is kept across tests)."""
        with self.engine.connect() as c:
            master = c.execute(
                select(ReferenceDataMaster.reference_data_master_id).where(ReferenceDataMaster.code_set_name == dataset)
            ).scalar_one_or_none()
        if master is None:
            master = self._insert(ReferenceDataMaster, code_set_name=dataset)
        with self.engine.connect() as c:
            found = c.execute(
                select(StandardReference.standard_reference_list_id).where(
                    StandardReference.reference_data_master_id == master, StandardReference.code_value == code
                )
            ).scalar_one_or_none()
        if found is not None:
            return int(found)
        return self._insert(
            StandardReference, reference_data_master_id=master, code_value=code, code_description=description
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

    def case(self, team: TeamRow, staff: StaffRow, start: datetime, crn: str | None = None) -> Case:
        offender_id, crn = self.person(crn)
        manager_id = self.manager(PERSON, offender_id, team, staff, start)
        ro_id = self.responsible_officer(offender_id, start, offender_manager_id=manager_id)
        return Case(offender_id, crn, manager_id, ro_id, team, staff, start)

    def sentence(self, case: Case, number: str = "3") -> Sentence:
        event_id = self.event(case.offender_id, number)
        disposal_id = self.disposal(event_id)
        requirement_id = self.requirement(case.offender_id, disposal_id)
        condition_id = self.lic_condition(disposal_id)
        managers = [
            self.manager(kind, parent_id, case.team, case.staff, case.start)
            for kind, parent_id in ((EVENT, event_id), (REQUIREMENT, requirement_id), (LICENCE_CONDITION, condition_id))
        ]
        return Sentence(event_id, number, disposal_id, requirement_id, condition_id, *managers)
