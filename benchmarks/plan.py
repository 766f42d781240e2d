"""Re-allocations that apply: subjects drawn from the seeded people, each to another member of its team, later.

A plan reads the current manager of every chosen component in one query per type, so it holds across runs on the
same database: each allocation goes to a member of the component's team other than the current one, dated one hour
after the current allocation (plus a random part of a second). People are distinct within one plan, so no two
allocations in flight touch the same person. The mix of types is stated by ``weights`` (default equal) and the plan
is shuffled with a seeded generator.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg

from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT, ManagerKind
from allocations.event_types import EventType
from allocations.events import AllocationEvent
from allocations.workload.details import AllocationReason
from allocations_local.publishing import DETAIL_KIND, domain_event
from benchmarks.seed import STAFF_PER_TEAM, Scale, staff_code

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping, Sequence

    from allocations.events import ReceivedEvent

TYPES = (EventType.PERSON, EventType.EVENT, EventType.REQUIREMENT, EventType.LICENCE_CONDITION)
KINDS: Mapping[EventType, ManagerKind] = dict(zip(TYPES, (PERSON, EVENT, REQUIREMENT, LICENCE_CONDITION), strict=True))
STEP = timedelta(hours=1)


@dataclass(frozen=True)
class Allocation:
    """One planned re-allocation: the detail the stub serves and the SNS MessageId of its event."""

    event_id: str
    event_type: EventType
    crn: str
    detail: dict[str, Any]

    @property
    def kind(self) -> str:
        """The stub's path segment (``person``, ``event``, ``requirements``, ``licence-conditions``)."""
        return DETAIL_KIND[self.event_type]

    def detail_url(self, base_url: str) -> str:
        """Where the stub at ``base_url`` serves the detail."""
        return f"{base_url}/allocation/{self.kind}/{self.detail['id']}"

    def received(self, base_url: str) -> ReceivedEvent:
        """The domain event as Workload publishes it, with this allocation's event id."""
        event = domain_event(self.event_type, self.detail_url(base_url), self.crn, str(self.detail["id"]))
        return type(event)(self.event_id, event.event_type, event.payload)

    def allocation_event(self, base_url: str) -> AllocationEvent:
        """What the write gets from the event (for the in-process baseline)."""
        return AllocationEvent(self.event_id, self.event_type, self.detail_url(base_url), self.crn)


def parse_weights(text: str) -> dict[EventType, float]:
    """``"1,1,1,1"`` (person, event, requirement, licence condition) as relative weights."""
    values = [float(part) for part in text.split(",")]
    if len(values) != len(TYPES) or any(v < 0 for v in values) or not any(values):
        raise ValueError("--mix takes four non-negative weights: person,event,requirement,licence-condition")
    return dict(zip(TYPES, values, strict=True))


def type_counts(count: int, weights: Mapping[EventType, float]) -> dict[EventType, int]:
    """``count`` split by ``weights`` (largest remainders), so every run of one size has the same mix."""
    total = sum(weights.values())
    exact = {t: count * weights[t] / total for t in TYPES}
    counts = {t: int(exact[t]) for t in TYPES}
    for t in sorted(TYPES, key=lambda t: exact[t] - counts[t], reverse=True)[: count - sum(counts.values())]:
        counts[t] += 1
    return counts


def plan(
    url: str, scale: Scale, count: int, rng: random.Random, weights: Mapping[EventType, float]
) -> list[Allocation]:
    """``count`` re-allocations of distinct people, mixed by ``weights``, in a shuffled order."""
    if count > scale.people:
        raise ValueError(f"{count} allocations need {count} distinct people; the database has {scale.people}")
    people = rng.sample(range(1, scale.people + 1), count)
    planned: list[Allocation] = []
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        offset = 0
        for event_type, n in type_counts(count, weights).items():
            chosen = people[offset : offset + n]
            offset += n
            current = _current(conn, scale, event_type, chosen)
            planned += [_allocation(scale, event_type, p, current[p], rng) for p in chosen]
    rng.shuffle(planned)
    return planned


def _parent_id(scale: Scale, event_type: EventType, person: int) -> int:
    base = {
        EventType.PERSON: scale.offender_base,
        EventType.EVENT: scale.event_base,
        EventType.REQUIREMENT: scale.requirement_base,
        EventType.LICENCE_CONDITION: scale.condition_base,
    }[event_type]
    return base + person


def _current(
    conn: psycopg.Connection[tuple[Any, ...]], scale: Scale, event_type: EventType, people: Sequence[int]
) -> dict[int, tuple[str, datetime, int]]:
    """Per person: the current manager's staff code, allocation date and the event number."""
    kind = KINDS[event_type]
    parents = {_parent_id(scale, event_type, p): p for p in people}
    rows = conn.execute(
        f"SELECT m.{kind.parent_column}, s.officer_code, m.allocation_date, e.event_number"  # noqa: S608 - model names
        f" FROM {kind.table.name} m JOIN staff s ON s.staff_id = m.{kind.staff_column}"
        f" JOIN event e ON e.event_id = %s + (m.{kind.parent_column} - %s)"
        f" WHERE m.{kind.parent_column} = ANY(%s) AND m.active_flag = 1 AND m.soft_deleted = 0",
        (scale.event_base, _parent_id(scale, event_type, 0), list(parents)),
    ).fetchall()
    found = {parents[int(parent)]: (str(code).strip(), date, int(number)) for parent, code, date, number in rows}
    missing = set(people) - set(found)
    if missing:
        raise RuntimeError(f"no active {kind.label} for {len(missing)} seeded people (e.g. {min(missing)})")
    return found


def _allocation(
    scale: Scale, event_type: EventType, person: int, current: tuple[str, datetime, int], rng: random.Random
) -> Allocation:
    code, since, event_number = current
    team = scale.team_of(person)
    others = [staff_code(team, m) for m in range(1, STAFF_PER_TEAM + 1) if staff_code(team, m) != code]
    staff = rng.choice(others)
    created = since + STEP + timedelta(milliseconds=rng.randint(1, 999))
    detail: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "staffCode": staff,
        "teamCode": staff[:6],
        "createdDate": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "allocationReason": AllocationReason.CASELOAD_ADJUSTMENT.value,
    }
    crn = scale.crn(person)
    if event_type is EventType.PERSON:
        detail["crn"] = crn
    else:
        detail["eventNumber"] = event_number
    if event_type is EventType.EVENT:
        detail |= {"spoStaffCode": None, "spoOversightNotes": None, "sensitiveOversightNotes": None}
    elif event_type is EventType.REQUIREMENT:
        detail["requirementId"] = _parent_id(scale, event_type, person)
    elif event_type is EventType.LICENCE_CONDITION:
        detail["licenceConditionId"] = _parent_id(scale, event_type, person)
    return Allocation(str(uuid.uuid4()), event_type, crn, detail)
