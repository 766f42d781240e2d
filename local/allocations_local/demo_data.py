"""A small Delius world for the local demo: one provider, teams, staff and four people awaiting allocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, inspect, select

from allocations.delius import codes
from allocations.delius.models import (
    Disposal,
    Event,
    LicenceCondition,
    Offender,
    ProbationArea,
    Requirement,
    RequirementMainCategory,
    ResponsibleOfficer,
    Staff,
    StaffTeam,
    Team,
    User,
)
from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT, ManagerKind
from allocations.delius.steps.reference import reference_code, transfer_reason_id
from allocations.workload.details import AllocationReason

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from allocations.delius.models import Base

PROVIDER = ("N02", "North East Region")
TEAMS = {"N02UAT": "Unallocated", "N02T01": "Newcastle Central", "N02T02": "Sunderland"}
STAFF = {  # code: (forename, surname, team)
    "N02UATU": ("Unallocated", "Staff", "N02UAT"),
    "N02T01A": ("Ann", "Archer", "N02T01"),
    "N02T01B": ("Ben", "Brooks", "N02T01"),
    "N02T01S": ("Sue", "Senior", "N02T01"),
    "N02T02A": ("Cara", "Cole", "N02T02"),
}
CRNS = ("D000001", "D000002", "D000003", "D000004")
SINCE = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class DemoData:
    """Codes and ids a demo needs to build allocation events."""

    provider_code: str
    team_codes: tuple[str, ...]
    staff_codes: tuple[str, ...]
    spo_staff_code: str
    crns: tuple[str, ...]
    event_numbers: dict[str, tuple[int, ...]]
    requirement_ids: tuple[int, ...]
    licence_condition_ids: tuple[int, ...]


def load_demo_data(engine: Engine, delius_username: str = "HMPPSAllocations") -> DemoData:
    """Insert the demo world unless it is there already; return what it contains."""
    with engine.begin() as c:
        provider_id = _ensure(c, ProbationArea, code=PROVIDER[0], description=PROVIDER[1])
        teams = {
            code: _ensure(c, Team, code=code, description=d, probation_area_id=provider_id) for code, d in TEAMS.items()
        }
        staff = {}
        for code, (forename, surname, team) in STAFF.items():
            staff[code] = _ensure(c, Staff, officer_code=code, forename=forename, surname=surname)
            _ensure(c, StaffTeam, staff_id=staff[code], team_id=teams[team])
        writer = _Writer(c, delius_username, provider_id, teams["N02UAT"], staff["N02UATU"])
        for crn in CRNS:
            if c.execute(select(Offender.offender_id).where(Offender.crn == crn)).first() is None:
                writer.person(crn, with_sentence=crn == CRNS[0])
        offender_id = c.execute(select(Offender.offender_id).where(Offender.crn == CRNS[0])).scalar_one()
        requirements = c.execute(select(Requirement.rqmnt_id).where(Requirement.offender_id == offender_id)).scalars()
        conditions = c.execute(
            select(LicenceCondition.lic_condition_id)
            .join(Disposal, Disposal.disposal_id == LicenceCondition.disposal_id)
            .join(Event, Event.event_id == Disposal.event_id)
            .where(Event.offender_id == offender_id)
        ).scalars()
        return DemoData(
            provider_code=PROVIDER[0],
            team_codes=tuple(TEAMS),
            staff_codes=tuple(STAFF),
            spo_staff_code="N02T01S",
            crns=CRNS,
            event_numbers={CRNS[0]: (1,)},
            requirement_ids=tuple(sorted(requirements)),
            licence_condition_ids=tuple(sorted(conditions)),
        )


class _Writer:
    """Writes one person with their managers, all with the unallocated staff member since SINCE."""

    def __init__(self, c: Connection, username: str, provider_id: int, team_id: int, staff_id: int) -> None:
        self.c, self.provider_id, self.team_id, self.staff_id = c, provider_id, team_id, staff_id
        self.user_id = c.execute(select(User.user_id).where(User.distinguished_name == username)).scalar_one()
        self.now = datetime.now(UTC)

    def person(self, crn: str, *, with_sentence: bool) -> None:
        offender_id = _insert(self.c, Offender, crn=crn, first_name="Demo", surname=f"Person {crn[-1]}")
        manager_id = self.manager(PERSON, offender_id)
        ro = {"offender_id": offender_id, "offender_manager_id": manager_id, "start_date": SINCE}
        _insert(self.c, ResponsibleOfficer, **ro, **self.audit())
        if not with_sentence:
            return
        event_id = _insert(self.c, Event, offender_id=offender_id, event_number="1")
        self.manager(EVENT, event_id, transfer_reason=True)
        disposal_id = _insert(self.c, Disposal, event_id=event_id)
        for category in ("7", "F"):
            main = self.c.execute(
                select(RequirementMainCategory.rqmnt_type_main_category_id).where(
                    RequirementMainCategory.code == category
                )
            ).scalar_one()
            rqmnt_id = _insert(self.c, Requirement, offender_id=offender_id, disposal_id=disposal_id,
                               rqmnt_type_main_category_id=main)  # fmt: skip
            self.manager(REQUIREMENT, rqmnt_id, transfer_reason=True)
        condition_id = _insert(self.c, LicenceCondition, disposal_id=disposal_id, start_date=SINCE)
        self.manager(LICENCE_CONDITION, condition_id, transfer_reason=True)

    def manager(self, kind: ManagerKind, parent_id: int, *, transfer_reason: bool = False) -> int:
        reason = reference_code(
            self.c, kind.reason_dataset, codes.reason_code(kind.reason_dataset, AllocationReason.INITIAL_ALLOCATION)
        )
        values: dict[str, Any] = {
            kind.parent_column: parent_id,
            kind.team_column: self.team_id,
            kind.staff_column: self.staff_id,
            "staff_employee_id": self.staff_id,
            "trust_provider_team_id": self.team_id,
            "allocation_date": SINCE,
            "probation_area_id": self.provider_id,
            "allocation_reason_id": reason.id,
            **self.audit(),
        }
        if transfer_reason:
            values["transfer_reason_id"] = transfer_reason_id(self.c, kind.transfer_reason_code or codes.COMPONENT)
        return _insert(self.c, kind.model, **values)

    def audit(self) -> dict[str, Any]:
        return {
            "created_datetime": self.now,
            "last_updated_datetime": self.now,
            "created_by_user_id": self.user_id,
            "last_updated_user_id": self.user_id,
        }


def _insert(c: Connection, model: type[Base], **values: Any) -> int:
    key = inspect(model).primary_key[0]
    return int(c.execute(insert(model).values(**values).returning(key)).scalar_one())


def _ensure(c: Connection, model: type[Base], **values: Any) -> int:
    """Id of the row with exactly these values, inserted when missing (the first primary-key column)."""
    key = inspect(model).primary_key[0]
    found = c.execute(select(key).filter_by(**values)).scalar_one_or_none()
    return int(found) if found is not None else _insert(c, model, **values)
