"""The sample allocations the local demo publishes, and how it shows what each one wrote in Delius."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from allocations.delius.models import Contact, ContactType, Event, Offender, ResponsibleOfficer, Staff, Team
from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT
from allocations.event_types import EventType

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from allocations_local.demo_data import DemoData


KINDS = {
    EventType.PERSON: PERSON,
    EventType.EVENT: EVENT,
    EventType.REQUIREMENT: REQUIREMENT,
    EventType.LICENCE_CONDITION: LICENCE_CONDITION,
}


@dataclass(frozen=True)
class Sample:
    """One allocation Workload would make, and the outcome the demo expects for it."""

    title: str
    event_type: EventType
    crn: str
    detail: dict[str, Any]
    expected: str


def samples(demo: DemoData, now: datetime | None = None) -> list[Sample]:
    """A tour of the service: each event type, a duplicate, a historic allocation and a failure."""
    now = now or datetime.now(UTC)
    first, second, third, fourth = demo.crns
    event_number = demo.event_numbers[first][0]

    def at(moment: datetime) -> str:
        return moment.isoformat().replace("+00:00", "Z")

    def detail(staff: str, team: str, moment: datetime, **extra: Any) -> dict[str, Any]:
        return {"staffCode": staff, "teamCode": team, "createdDate": at(moment), **extra}

    return [
        Sample("Person allocated (initial)", EventType.PERSON, first,
               detail("N02T01A", "N02T01", now, crn=first), "applied"),
        Sample("Event allocated, with SPO oversight", EventType.EVENT, first,
               detail("N02T01A", "N02T01", now, eventNumber=event_number, spoStaffCode=demo.spo_staff_code,
                      spoOversightNotes="Reviewed caseload before allocating", sensitiveOversightNotes=False),
               "applied"),
        Sample("Requirement allocated", EventType.REQUIREMENT, first,
               detail("N02T01A", "N02T01", now, eventNumber=event_number, requirementId=demo.requirement_ids[0]),
               "applied"),
        Sample("Licence condition allocated", EventType.LICENCE_CONDITION, first,
               detail("N02T01A", "N02T01", now, eventNumber=event_number,
                      licenceConditionId=demo.licence_condition_ids[0]), "applied"),
        Sample("Person re-allocated (officer left)", EventType.PERSON, second,
               detail("N02T02A", "N02T02", now, crn=second, allocationReason="OFFICER_LEFT"), "applied"),
        Sample("The same re-allocation published again", EventType.PERSON, second,
               detail("N02T02A", "N02T02", now, crn=second, allocationReason="OFFICER_LEFT"), "duplicate"),
        Sample("Person allocated now", EventType.PERSON, fourth,
               detail("N02T01B", "N02T01", now, crn=fourth), "applied"),
        Sample("Historic allocation, dated before the current one", EventType.PERSON, fourth,
               detail("N02T02A", "N02T02", now - timedelta(days=30), crn=fourth), "applied"),
        Sample("Staff not in the team: retried, then dead-lettered", EventType.PERSON, third,
               detail("N02T01A", "N02T02", now, crn=third), "dead-lettered"),
    ]  # fmt: skip


def describe_rows(engine: Engine, sample: Sample) -> str:
    """The manager history, responsible officers and contacts of the sample's person, as text lines."""
    with engine.connect() as c:
        offender_id = c.execute(select(Offender.offender_id).where(Offender.crn == sample.crn)).scalar_one()
        lines = [f"  {label}: {row}" for label, row in _managers(c, sample, offender_id)]
        officers = c.execute(
            select(ResponsibleOfficer.start_date, ResponsibleOfficer.end_date)
            .where(ResponsibleOfficer.offender_id == offender_id)
            .order_by(ResponsibleOfficer.start_date)
        ).all()
        lines += [f"  responsible officer: {_span(start, end)}" for start, end in officers]
        contacts = c.execute(
            select(ContactType.code, Contact.contact_date)
            .join(ContactType, ContactType.contact_type_id == Contact.contact_type_id)
            .where(Contact.offender_id == offender_id)
            .order_by(Contact.contact_id)
        ).all()
        lines += [f"  contact {code} on {day}" for code, day in contacts]
    return "\n".join(lines)


def _managers(c: Connection, sample: Sample, offender_id: int) -> list[tuple[str, str]]:
    kind = KINDS[sample.event_type]
    parent_ids: Any = {
        EventType.PERSON: [offender_id],
        EventType.EVENT: select(Event.event_id).where(Event.offender_id == offender_id),
        EventType.REQUIREMENT: [sample.detail.get("requirementId")],
        EventType.LICENCE_CONDITION: [sample.detail.get("licenceConditionId")],
    }[sample.event_type]
    start, end = kind.column("allocation_date"), kind.column("end_date")
    rows = c.execute(
        select(Staff.officer_code, Team.code, start, end)
        .join(Staff, Staff.staff_id == kind.column(kind.staff_column))
        .join(Team, Team.team_id == kind.column(kind.team_column))
        .where(kind.column(kind.parent_column).in_(parent_ids))
        .order_by(start)
    ).all()
    return [(kind.table.name, f"{staff} in {team}, {_span(begin, until)}") for staff, team, begin, until in rows]


def _span(start: datetime, end: datetime | None) -> str:
    return f"from {start:%Y-%m-%d %H:%M} " + (f"to {end:%Y-%m-%d %H:%M}" if end else "(current)")
