"""A person's events, their disposals, and the disposals' requirements and licence conditions."""

from __future__ import annotations

from allocations.delius import codes
from allocations.delius.models import (
    AdRequirementMainCategory,
    Disposal,
    Event,
    LicenceCondition,
    Requirement,
    RequirementMainCategory,
)
from factories.inserting import RowInserter


class Sentences(RowInserter):
    """What a person is sentenced to: each row with sensible defaults for what a test does not state."""

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
