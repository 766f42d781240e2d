"""Scenario generator for the reliability fault suite: a seeded Delius world and a planned mix of re-allocations.

``seed`` creates N people, each with a current community manager and responsible officer, and one active event
(disposal, one requirement, one licence condition), every component managed since ``start``; plus teams of spare
staff to re-allocate to. ``plan`` then draws allocations of all four event types, each a re-allocation to a member
of staff the component has never had, so each one is *applied* whatever order the allocations arrive in:

* staff differ from every manager the component could have at the allocation date (no duplicate, spec §3.3);
* allocation dates of one component are distinct to the second (no date conflict, spec §3.3) and, for the normal
  allocations, strictly increasing in plan order, so the final Delius state depends on dates, not on arrival;
* a *historic* allocation (``historic=`` fraction) is dated between two allocations already planned for its
  component and comes later in the plan: it arrives out of order and is slotted into the history (spec §3.7);
* a *twin* (``twins=`` fraction) repeats an earlier allocation's detail under a new event id and detail id: one of
  the pair is applied and the other is a duplicate, which one depending on arrival (both accept either state).

Ids are stable: the event id (the SNS ``MessageId``) and the Workload detail id derive from the world's namespace and
the allocation's index, so a resend of one planned allocation carries the same ids and two worlds never share any.
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from factories import START, allocate
from sqlalchemy import func, insert, select

from allocations.config import DEFAULT_DELIUS_USERNAME
from allocations.delius import codes
from allocations.delius.models import (
    AuditedInteraction,
    Contact,
    Disposal,
    Event,
    LicenceCondition,
    Offender,
    Requirement,
    RequirementMainCategory,
    ResponsibleOfficer,
)
from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT, ManagerKind
from allocations.event_types import EventType
from allocations.events import AllocationEvent
from allocations.routes import parse_detail
from allocations.sqs import send_event
from allocations.workload.details import AllocationReason
from allocations_local.publishing import DETAIL_KIND, domain_event

if TYPE_CHECKING:
    import random
    from collections.abc import Iterable, Mapping, Sequence

    from factories import DeliusBuilder, StaffRow, TeamRow
    from mypy_boto3_sqs import SQSClient
    from sqlalchemy import Connection, Engine

    from allocations.events import ReceivedEvent
    from allocations.outcome import Outcome
    from allocations.workload.details import AllocationDetail
    from allocations_local.workload_stub import WorkloadStub

APPLIED = "applied"
DUPLICATE = "duplicate"
KINDS: Mapping[EventType, ManagerKind] = {
    EventType.PERSON: PERSON,
    EventType.EVENT: EVENT,
    EventType.REQUIREMENT: REQUIREMENT,
    EventType.LICENCE_CONDITION: LICENCE_CONDITION,
}
DETAIL_BASE_URL = "https://workload.example"
# Re-allocation reasons Workload sends; events mostly carry INITIAL_ALLOCATION (spec §2.5, WL quirk).
REASONS = tuple(r for r in AllocationReason if r is not AllocationReason.INITIAL_ALLOCATION)
REQUIREMENT_CATEGORIES = (None, None, "7", "RM38", "F")
# Two normal allocations of one component are at least this far apart; historic ones go in the gaps.
MIN_STEP = timedelta(minutes=5)
MAX_STEP = timedelta(hours=12)

_crn_numbers = itertools.count(1)


@dataclass(frozen=True)
class Baseline:
    """Where Delius stood after seeding: later contacts and audit rows are the allocations' own."""

    contact_id: int
    audit_after: datetime | None
    taken_at: datetime


@dataclass(frozen=True)
class Component:
    """One managed thing of a person: the person itself, its event, requirement or licence condition."""

    event_type: EventType
    crn: str
    offender_id: int
    parent_id: int
    event_number: int
    seed_manager_id: int
    team: TeamRow
    staff: StaffRow

    @property
    def kind(self) -> ManagerKind:
        """The manager table of this component."""
        return KINDS[self.event_type]

    @property
    def key(self) -> tuple[str, int]:
        """``(event type, parent id)``: the component's identity across plans and checks."""
        return (self.event_type.value, self.parent_id)


@dataclass(frozen=True)
class Person:
    """A seeded person: offender, its current manager and RO, and one active sentenced event."""

    offender_id: int
    crn: str
    manager_id: int
    ro_id: int
    event_id: int
    event_number: int
    disposal_id: int
    requirement_id: int
    condition_id: int
    components: tuple[Component, ...]


@dataclass
class _History:
    """What plan() has given a component so far: its dates and the staff it has had."""

    dates: list[datetime]
    staff_codes: set[str]
    latest: datetime


@dataclass
class World:
    """Everything ``seed`` created; ``plan`` keeps per-component history here so plans can be chained."""

    provider_id: int
    teams: list[TeamRow]
    memberships: list[tuple[TeamRow, StaffRow]]
    people: list[Person]
    start: datetime
    namespace: uuid.UUID
    baseline: Baseline
    seconds: float
    _histories: dict[tuple[str, int], _History] = field(default_factory=dict, repr=False)
    _planned: int = field(default=0, repr=False)
    _by_type: dict[EventType, list[Component]] = field(default_factory=dict, repr=False)

    @property
    def crns(self) -> list[str]:
        """Every seeded CRN."""
        return [p.crn for p in self.people]

    @property
    def components(self) -> list[Component]:
        """Every seeded component, four per person."""
        return [c for p in self.people for c in p.components]

    def components_of(self, event_type: EventType) -> list[Component]:
        """The seeded components of one type."""
        if not self._by_type:
            for component in self.components:
                self._by_type.setdefault(component.event_type, []).append(component)
        return self._by_type.get(event_type, [])

    def history(self, component: Component) -> _History:
        """The planned history of ``component`` (starting with its seed manager)."""
        key = component.key
        if key not in self._histories:
            self._histories[key] = _History([self.start], {component.staff.code}, self.start)
        return self._histories[key]


@dataclass(frozen=True)
class PlannedAllocation:
    """One allocation to publish: the detail the Workload stub serves and the event announcing it."""

    index: int
    event_id: str
    event_type: EventType
    crn: str
    detail: dict[str, Any]
    expected: str | None
    accepted: frozenset[str]
    component: tuple[str, int]
    created: datetime
    staff_code: str
    team_code: str
    historic: bool = False
    twin_of: str | None = None

    @property
    def detail_id(self) -> str:
        """The Workload allocation id: the last segment of the detail URL."""
        return str(self.detail["id"])

    @property
    def detail_kind(self) -> str:
        """The stub's path segment for this type (``person``, ``event``, ``requirements``, ...)."""
        return DETAIL_KIND[self.event_type]

    @property
    def detail_path(self) -> str:
        """``/allocation/<kind>/<detail id>``: where the stub serves the detail."""
        return f"/allocation/{self.detail_kind}/{self.detail_id}"

    def detail_url(self, base_url: str = DETAIL_BASE_URL) -> str:
        """The detail's absolute URL under ``base_url``."""
        return base_url.rstrip("/") + self.detail_path

    def received(self, base_url: str = DETAIL_BASE_URL) -> ReceivedEvent:
        """The domain event as SQS delivers it, with this allocation's stable event id as the SNS MessageId."""
        event = domain_event(self.event_type, self.detail_url(base_url), self.crn, self.detail_id)
        return replace(event, event_id=self.event_id)

    def allocation_event(self, base_url: str = DETAIL_BASE_URL) -> AllocationEvent:
        """What the write task gets from the event."""
        return AllocationEvent(self.event_id, self.event_type, self.detail_url(base_url), self.crn)

    def parsed_detail(self) -> AllocationDetail:
        """The detail as the fetch task parses it."""
        return parse_detail(self.detail)

    def publish(self, stub: WorkloadStub, client: SQSClient, queue_url: str) -> ReceivedEvent:
        """Serve the detail from ``stub`` and send the SNS-wrapped event to the queue (as Workload does)."""
        url = stub.add_detail(self.detail_kind, self.detail)
        event = replace(domain_event(self.event_type, url, self.crn, self.detail_id), event_id=self.event_id)
        send_event(client, queue_url, event)
        return event


# ---------------------------------------------------------------------------------------------------------- seeding


def seed(  # noqa: PLR0913 - the size of the world and how to build it
    engine: Engine,
    builder: DeliusBuilder,
    people: int,
    rng: random.Random,
    *,
    teams: int | None = None,
    staff_per_team: int = 6,
    start: datetime = START,
    bulk: bool = True,
    namespace: uuid.UUID | None = None,
) -> World:
    """Create ``people`` managed people and spare staff in one provider; ``bulk=False`` uses only the builder.

    Staff: ``teams`` (default max(4, people / 25)) of ``staff_per_team`` each, one team per member; each person's
    components are all managed by one of them since ``start``. The world's baseline is taken last.
    """
    began = time.perf_counter()
    team_count = teams if teams is not None else max(4, -(-people // 25))
    provider = builder.provider()
    team_rows = [builder.team(provider) for _ in range(team_count)]
    memberships = [(team, builder.staff(team)) for team in team_rows for _ in range(staff_per_team)]
    if bulk:
        seeded = _bulk_people(engine, builder, people, rng=rng, memberships=memberships, start=start)
    else:
        seeded = [_built_person(builder, rng, memberships, start) for _ in range(people)]
    return World(
        provider_id=provider.id,
        teams=team_rows,
        memberships=memberships,
        people=seeded,
        start=start,
        namespace=namespace or uuid.uuid4(),
        baseline=take_baseline(engine),
        seconds=time.perf_counter() - began,
    )


def take_baseline(engine: Engine) -> Baseline:
    """The newest contact id and audit time now: what ``ledger_check`` counts from."""
    with engine.connect() as c:
        contact_id = c.execute(select(func.max(Contact.contact_id))).scalar()
        audit_after = c.execute(select(func.max(AuditedInteraction.date_time))).scalar()
    return Baseline(int(contact_id or 0), audit_after, datetime.now(UTC))


def _new_crn() -> str:
    return f"F{next(_crn_numbers):06d}"


def _components(  # noqa: PLR0913 - one row per manager table
    crn: str,
    offender_id: int,
    *,
    event_number: int,
    parents: Sequence[int],
    managers: Sequence[int],
    team: TeamRow,
    staff: StaffRow,
) -> tuple[Component, ...]:
    types = (EventType.PERSON, EventType.EVENT, EventType.REQUIREMENT, EventType.LICENCE_CONDITION)
    return tuple(
        Component(t, crn, offender_id, parent, event_number, manager, team, staff)
        for t, parent, manager in zip(types, parents, managers, strict=True)
    )


def _built_person(
    builder: DeliusBuilder, rng: random.Random, memberships: Sequence[tuple[TeamRow, StaffRow]], start: datetime
) -> Person:
    """One person through the builder's own methods (a transaction per row: the slow, reference path)."""
    team, staff = rng.choice(memberships)
    case = builder.case(team, staff, start, crn=_new_crn())
    number = rng.randint(1, 5)
    event_id = builder.event(case.offender_id, str(number))
    disposal_id = builder.disposal(event_id)
    requirement_id = builder.requirement(case.offender_id, disposal_id, main=rng.choice(REQUIREMENT_CATEGORIES))
    condition_id = builder.lic_condition(disposal_id)
    parents = (case.offender_id, event_id, requirement_id, condition_id)
    managers = [case.manager_id] + [
        builder.manager(kind, parent, team, staff, start)
        for kind, parent in zip((EVENT, REQUIREMENT, LICENCE_CONDITION), parents[1:], strict=True)
    ]
    return Person(
        case.offender_id,
        case.crn,
        case.manager_id,
        case.ro_id,
        event_id,
        number,
        disposal_id,
        requirement_id,
        condition_id,
        _components(
            case.crn,
            case.offender_id,
            event_number=number,
            parents=parents,
            managers=managers,
            team=team,
            staff=staff,
        ),
    )


def _insert_many(connection: Connection, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in one statement batch; their new primary keys, in order."""
    key = next(iter(model.__table__.primary_key.columns))
    result = connection.execute(insert(model).returning(key, sort_by_parameter_order=True), rows)
    return [int(k) for k in result.scalars().all()]


def _bulk_people(  # noqa: PLR0913 - the world so far and how many to add
    engine: Engine,
    builder: DeliusBuilder,
    people: int,
    *,
    rng: random.Random,
    memberships: Sequence[tuple[TeamRow, StaffRow]],
    start: datetime,
) -> list[Person]:
    """The same rows as ``_built_person`` (same columns as the builder), ten batched INSERTs in one transaction."""
    now = datetime.now(UTC)
    audit = {
        "row_version": 0,
        "created_datetime": now,
        "last_updated_datetime": now,
        "created_by_user_id": builder.user_id,
        "last_updated_user_id": builder.user_id,
    }
    reasons = {
        kind.label: builder.reference_id(
            kind.reason_dataset, codes.reason_code(kind.reason_dataset, AllocationReason.INITIAL_ALLOCATION)
        )
        for kind in KINDS.values()
    }
    with engine.connect() as c:
        rows = c.execute(select(RequirementMainCategory.code, RequirementMainCategory.rqmnt_type_main_category_id))
        categories = {code: int(category_id) for code, category_id in rows}
    chosen = [rng.choice(memberships) for _ in range(people)]
    numbers = [rng.randint(1, 5) for _ in range(people)]
    mains = [rng.choice(REQUIREMENT_CATEGORIES) for _ in range(people)]
    crns = [_new_crn() for _ in range(people)]

    def managers(kind: ManagerKind, parents: list[int]) -> list[dict[str, Any]]:
        return [
            {
                kind.parent_column: parent,
                kind.team_column: team.id,
                kind.staff_column: staff.id,
                "staff_employee_id": staff.id,
                "trust_provider_team_id": team.id,
                "allocation_date": start,
                "end_date": None,
                "active_flag": 1,
                "probation_area_id": team.provider.id,
                "partition_area_id": 0,
                "allocation_reason_id": reasons[kind.label],
                "soft_deleted": 0,
                **audit,
            }
            for parent, (team, staff) in zip(parents, chosen, strict=True)
        ]

    with engine.begin() as c:
        offenders = _insert_many(c, Offender, [{"crn": crn, "first_name": "Pat", "surname": "Person"} for crn in crns])
        person_managers = _insert_many(c, PERSON.model, managers(PERSON, offenders))
        officers = _insert_many(
            c,
            ResponsibleOfficer,
            [
                {"offender_id": o, "offender_manager_id": m, "prison_offender_manager_id": None, "start_date": start}
                | {"end_date": None, **audit}
                for o, m in zip(offenders, person_managers, strict=True)
            ],
        )
        events = _insert_many(
            c,
            Event,
            [
                {"offender_id": o, "event_number": str(n), "active_flag": 1}
                for o, n in zip(offenders, numbers, strict=True)
            ],
        )
        disposals = _insert_many(c, Disposal, [{"event_id": e, "active_flag": 1} for e in events])
        requirements = _insert_many(
            c,
            Requirement,
            [
                {
                    "offender_id": o,
                    "disposal_id": d,
                    "rqmnt_type_main_category_id": None if main is None else categories[main],
                    "ad_rqmnt_type_main_category_id": None,
                    "rqmnt_type_sub_category_id": None,
                    "active_flag": 1,
                    "soft_deleted": 0,
                }
                for o, d, main in zip(offenders, disposals, mains, strict=True)
            ],
        )
        conditions = _insert_many(
            c, LicenceCondition, [{"disposal_id": d, "active_flag": 1, "soft_deleted": 0} for d in disposals]
        )
        event_managers = _insert_many(c, EVENT.model, managers(EVENT, events))
        requirement_managers = _insert_many(c, REQUIREMENT.model, managers(REQUIREMENT, requirements))
        condition_managers = _insert_many(c, LICENCE_CONDITION.model, managers(LICENCE_CONDITION, conditions))
    return [
        Person(
            offender,
            crn,
            person_manager,
            officer,
            event,
            number,
            disposal,
            requirement,
            condition,
            _components(
                crn,
                offender,
                event_number=number,
                parents=(offender, event, requirement, condition),
                managers=(person_manager, event_manager, requirement_manager, condition_manager),
                team=team,
                staff=staff,
            ),
        )
        for (
            offender,
            crn,
            person_manager,
            officer,
            event,
            number,
            disposal,
            requirement,
            condition,
            event_manager,
            requirement_manager,
            condition_manager,
            (team, staff),
        ) in zip(
            offenders,
            crns,
            person_managers,
            officers,
            events,
            numbers,
            disposals,
            requirements,
            conditions,
            event_managers,
            requirement_managers,
            condition_managers,
            chosen,
            strict=True,
        )
    ]


# --------------------------------------------------------------------------------------------------------- planning


def plan(  # noqa: PLR0913 - the mix is the point
    world: World,
    count: int,
    rng: random.Random,
    *,
    historic: float = 0.0,
    twins: float = 0.0,
    weights: Mapping[EventType, float] | None = None,
) -> list[PlannedAllocation]:
    """``count`` allocations in sending order: a mix of all four types, each expected ``applied``.

    ``historic``: the fraction dated inside a component's planned history and sent after a later-dated allocation
    of that component (still applied: slotted into history). ``twins``: the fraction that repeat an earlier planned
    detail under new ids (the pair ends as one applied and one duplicate, in either order; both accept either).
    ``weights``: relative frequency per event type (default equal). A component that has had every member of staff
    is passed over for another of its type; ValueError when all have.
    """
    weights = weights or dict.fromkeys(KINDS, 1.0)
    types = [t for t in KINDS if weights.get(t, 0) > 0]
    planned: list[PlannedAllocation] = []
    singles: list[int] = []  # positions of allocations that may still get a twin
    while len(planned) < count:
        if singles and rng.random() < twins:
            position = singles.pop(rng.randrange(len(singles)))
            planned[position], twin = _twin(world, planned[position])
            planned.append(twin)
            continue
        component = _component_with_staff(world, rng.choices(types, [weights[t] for t in types])[0], rng)
        history = world.history(component)
        created = _historic_date(history, rng) if rng.random() < historic else None
        singles.append(len(planned))
        planned.append(
            _allocation(world, component, created or _next_date(history, rng), rng, historic=created is not None)
        )
    return planned


def _component_with_staff(world: World, event_type: EventType, rng: random.Random) -> Component:
    """A random component of ``event_type``; another one when it has had every member of staff already."""
    components = world.components_of(event_type)
    staff = len({s.code for _, s in world.memberships})
    component = rng.choice(components)
    if len(world.history(component).staff_codes) < staff:
        return component
    others = [c for c in components if len(world.history(c).staff_codes) < staff]
    if not others:
        raise ValueError(f"every {event_type.value} component has had every member of staff: seed more staff")
    return rng.choice(others)


def _next_date(history: _History, rng: random.Random) -> datetime:
    step = timedelta(seconds=rng.randint(int(MIN_STEP.total_seconds()), int(MAX_STEP.total_seconds())))
    created = history.latest + step + timedelta(milliseconds=rng.randint(1, 999))
    history.latest = created
    return created


def _historic_date(history: _History, rng: random.Random) -> datetime | None:
    """A date strictly inside a gap of the planned history, distinct to the second from both ends; None if no gap."""
    dates = sorted(history.dates)
    gaps = [(a, b) for a, b in itertools.pairwise(dates) if (b - a) >= timedelta(seconds=4)]
    if not gaps:
        return None
    low, high = rng.choice(gaps)
    whole_seconds = int((high - low).total_seconds())
    created = low.replace(microsecond=0) + timedelta(
        seconds=rng.randint(2, whole_seconds - 1), milliseconds=rng.randint(1, 999)
    )
    if not (low.replace(microsecond=0) < created.replace(microsecond=0) < high.replace(microsecond=0)):
        return None
    return created


def _allocation(
    world: World, component: Component, created: datetime, rng: random.Random, *, historic: bool
) -> PlannedAllocation:
    history = world.history(component)
    candidates = [(t, s) for t, s in world.memberships if s.code not in history.staff_codes]
    if not candidates:
        raise ValueError(
            f"{component.event_type.value} {component.parent_id} has had every member of staff: seed more staff"
        )
    team, staff = rng.choice(candidates)
    history.staff_codes.add(staff.code)
    history.dates.append(created)
    index = world._planned
    world._planned += 1
    detail = {
        "id": str(uuid.uuid5(world.namespace, f"detail:{index}")),
        "staffCode": staff.code,
        "teamCode": team.code,
        "createdDate": created.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        **_specific(world, component, rng),
    }
    return PlannedAllocation(
        index=index,
        event_id=str(uuid.uuid5(world.namespace, f"event:{index}")),
        event_type=component.event_type,
        crn=component.crn,
        detail=detail,
        expected=APPLIED,
        accepted=frozenset({APPLIED}),
        component=component.key,
        created=created,
        staff_code=staff.code,
        team_code=team.code,
        historic=historic,
    )


def _specific(world: World, component: Component, rng: random.Random) -> dict[str, Any]:
    """The fields of the detail that depend on its type (spec §2.4-2.6, §5.9)."""
    reason = rng.choice(REASONS).value
    if component.event_type is EventType.PERSON:
        return {"crn": component.crn, "allocationReason": reason}
    fields: dict[str, Any] = {"eventNumber": component.event_number}
    if component.event_type is EventType.EVENT:
        spo = rng.choice([None, rng.choice(world.memberships)[1].code])
        return fields | {
            "allocationReason": rng.choice([AllocationReason.INITIAL_ALLOCATION.value, reason]),
            "spoStaffCode": spo,
            "spoOversightNotes": rng.choice([None, "Reviewed caseload before allocating"]),
            "sensitiveOversightNotes": rng.choice([None, True, False]),
        }
    if component.event_type is EventType.REQUIREMENT:
        return fields | {"requirementId": component.parent_id, "allocationReason": reason}
    return fields | {"licenceConditionId": component.parent_id, "allocationReason": reason}


def _twin(world: World, original: PlannedAllocation) -> tuple[PlannedAllocation, PlannedAllocation]:
    """``original`` and a copy of it under new ids: the pair now accepts applied or duplicate, in either order."""
    index = world._planned
    world._planned += 1
    either = frozenset({APPLIED, DUPLICATE})
    twin = replace(
        original,
        index=index,
        event_id=str(uuid.uuid5(world.namespace, f"event:{index}")),
        detail={**original.detail, "id": str(uuid.uuid5(world.namespace, f"detail:{index}"))},
        expected=None,
        accepted=either,
        twin_of=original.event_id,
    )
    return replace(original, expected=None, accepted=either), twin


def expected_current(world: World, planned: Iterable[PlannedAllocation]) -> dict[tuple[str, int], str]:
    """The staff code each component ends with once every planned allocation is applied: the latest-dated one."""
    latest: dict[tuple[str, int], tuple[datetime, str]] = {c.key: (world.start, c.staff.code) for c in world.components}
    for p in planned:
        if p.created > latest[p.component][0]:
            latest[p.component] = (p.created, p.staff_code)
    return {key: code for key, (_, code) in latest.items()}


def apply(engine: Engine, allocation: PlannedAllocation, delius_username: str = DEFAULT_DELIUS_USERNAME) -> Outcome:
    """Write ``allocation`` through the domain entry point, as the write task does (no Celery, no HTTP)."""
    return allocate(engine, delius_username, allocation.allocation_event(), allocation.parsed_detail())
