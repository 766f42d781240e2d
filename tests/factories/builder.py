"""Builders of Delius rows, so a test states its scenario in a few lines (plain Core inserts, committed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT
from factories.rows import START, Case, Sentence, StaffRow, TeamRow
from factories.sentences import Sentences
from factories.staffing import Staffing

if TYPE_CHECKING:
    from datetime import datetime


class DeliusBuilder(Staffing, Sentences):
    """Inserts rows with sensible defaults; every method commits and returns what a test needs."""

    def case(self, team: TeamRow, staff: StaffRow, start: datetime, crn: str | None = None) -> Case:
        offender_id, crn = self.person(crn)
        manager_id = self.manager(PERSON, offender_id, team, staff, start)
        ro_id = self.responsible_officer(offender_id, start, offender_manager_id=manager_id)
        return Case(offender_id, crn, manager_id, ro_id, team, staff, start)

    def sentence(self, case: Case, number: str = "3", *, main: str | None = None) -> Sentence:
        """Event ``number`` of the case, its requirement (main category ``main``) and licence condition, all managed."""
        event_id = self.event(case.offender_id, number)
        disposal_id = self.disposal(event_id)
        requirement_id = self.requirement(case.offender_id, disposal_id, main=main)
        condition_id = self.lic_condition(disposal_id)
        managers = [
            self.manager(kind, parent_id, case.team, case.staff, case.start)
            for kind, parent_id in ((EVENT, event_id), (REQUIREMENT, requirement_id), (LICENCE_CONDITION, condition_id))
        ]
        return Sentence(event_id, number, disposal_id, requirement_id, condition_id, *managers)

    def person_moving_teams(self, *, new_forename2: str | None = None) -> tuple[Case, TeamRow, StaffRow]:
        """A person managed by Ann Old (Old Team, North East) since START, and John New of New Team to move them to."""
        provider = self.provider(code="N02", description="North East")
        old_team = self.team(provider, code="N02OLD", description="Old Team")
        new_team = self.team(provider, code="N02NEW", description="New Team")
        old_staff = self.staff(old_team, code="N02OLDA", forename="Ann", surname="Old")
        new_staff = self.staff(new_team, code="N02NEWA", forename="John", forename2=new_forename2, surname="New")
        return self.case(old_team, old_staff, START), new_team, new_staff
