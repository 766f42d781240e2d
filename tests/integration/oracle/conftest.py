"""Every statement the use cases issue against Delius, recorded while they run on PostgreSQL.

The use cases run for real (every kind, applied, duplicate, historic, ignorable and refused), and a ``before_execute``
listener on the engine keeps each ``ClauseElement`` with the parameter names it was executed with, so the tests can
compile exactly those statements for Oracle. The scenario rows are inserted before recording starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from factories import CREATED, START, DeliusBuilder, apply, detail_of, person_detail
from sqlalchemy import event, text, update

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.delius.models import OffenderManager, ResponsibleOfficer, metadata
from allocations.delius.steps.kinds import LICENCE_CONDITION, PERSON, REQUIREMENT
from allocations.errors import NotFound
from allocations.workload.details import (
    AllocationReason,
    EventAllocationDetail,
    LicenceConditionAllocationDetail,
    RequirementAllocationDetail,
)
from allocations_local.delius_schema import REFERENCE_TABLES

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine
    from sqlalchemy.sql import ClauseElement

    from allocations.outcome import OutcomeKind

CASE_TABLES = sorted(set(metadata.tables) - REFERENCE_TABLES)


@dataclass(frozen=True)
class Executed:
    """One statement as a use case executed it: the construct and the names of the parameters it was given."""

    element: ClauseElement
    keys: tuple[str, ...]
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Recording:
    """What the use cases executed, and the outcome kinds they returned (to show every path was taken)."""

    executed: list[Executed]
    outcomes: list[OutcomeKind | str]


def _record(engine: Engine, executed: list[Executed]) -> Callable[..., None]:
    def before_execute(_conn, clauseelement, multiparams, params, _options):
        for parameters in [*multiparams, params] if multiparams else [params]:
            items = sorted((parameters or {}).items())
            executed.append(Executed(clauseelement, tuple(k for k, _ in items), tuple(v for _, v in items)))

    event.listen(engine, "before_execute", before_execute)
    return before_execute


@pytest.fixture(scope="module")
def recording(engine) -> Recording:
    """Run every use case through its applied, duplicate, historic, ignorable and refused paths, recording."""
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(CASE_TABLES)} CASCADE"))
    delius = DeliusBuilder(engine, DEFAULT_DELIUS_USERNAME)
    provider = delius.provider(code="N07", description="London")
    old_team = delius.team(provider, code="N07OLD", description="Old Team")
    team = delius.team(provider, code="N07NEW", description="New Team")
    old_staff = delius.staff(old_team, code="N07OLDA", forename="Ann", surname="Old")
    staff = delius.staff(team, code="N07NEWA", forename="John", surname="New")
    spo = delius.staff(team, code="N07SPOA", forename="Sue", surname="Senior")

    # A person with an accredited programme (IAPS flags for person, event and requirement) and a full sentence.
    person = delius.case(old_team, old_staff, START)
    sentence = delius.sentence(person, main="RM38")
    # A person whose current manager starts after the historic allocation date: the new row is slotted in.
    historic = delius.case(old_team, old_staff, START)
    later = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for table, key in (
            (OffenderManager, OffenderManager.offender_id),
            (ResponsibleOfficer, ResponsibleOfficer.offender_id),
        ):
            connection.execute(update(table).where(key == historic.offender_id).values(end_date=later))
    current = delius.manager(PERSON, historic.offender_id, old_team, old_staff, later)
    delius.responsible_officer(historic.offender_id, later, offender_manager_id=current)
    # A person with pending transfers of the person, a requirement and a licence condition: all ignorable.
    transferring = delius.case(old_team, old_staff, START)
    pending = delius.sentence(transferring, main="7")
    delius.transfer(PERSON, transferring.offender_id)
    delius.transfer(REQUIREMENT, pending.requirement_id)
    delius.transfer(LICENCE_CONDITION, pending.condition_id)

    def requirement(sentenced):
        return detail_of(RequirementAllocationDetail, staff.code, team.code, requirement_id=sentenced.requirement_id)

    def condition(sentenced):
        return detail_of(
            LicenceConditionAllocationDetail, staff.code, team.code, licence_condition_id=sentenced.condition_id
        )

    runs: list[tuple[str, Any]] = [
        (person.crn, person_detail(person.crn, staff.code, team.code, CREATED, AllocationReason.OFFICER_LEFT)),
        (person.crn, person_detail(person.crn, staff.code, team.code, CREATED, AllocationReason.OFFICER_LEFT)),
        (historic.crn, person_detail(historic.crn, staff.code, team.code, datetime(2024, 6, 1, 12, tzinfo=UTC))),
        (
            person.crn,
            detail_of(
                EventAllocationDetail,
                staff.code,
                team.code,
                CREATED,
                AllocationReason.CHANGE_OF_ADDRESS,
                spo_staff_code=spo.code,
                spo_oversight_notes="Reviewed caseload",
            ),
        ),
        (person.crn, requirement(sentence)),
        (person.crn, condition(sentence)),
        (transferring.crn, person_detail(transferring.crn, staff.code, team.code, CREATED)),
        (transferring.crn, requirement(pending)),
        (transferring.crn, condition(pending)),
        ("X999999", person_detail("X999999", staff.code, team.code, CREATED)),
    ]
    executed: list[Executed] = []
    outcomes: list[OutcomeKind | str] = []
    listener = _record(engine, executed)
    try:
        for crn, detail in runs:
            try:
                outcomes.append(apply(engine, crn, detail).kind)
            except NotFound as refused:
                outcomes.append(type(refused).__name__)
    finally:
        event.remove(engine, "before_execute", listener)
    return Recording(executed, outcomes)
