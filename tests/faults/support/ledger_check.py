"""The delivery guarantee, checked after a fault run: every event ended once, and Delius shows each effect once.

``check(engine, sent)`` compares what was sent with ``workforce_allocations.event_ledger`` and with Delius:

(a) ledger: one row per sent event id, none still ``pending``, each in a final state (applied, duplicate, ignored,
    dead-lettered) that the expectation accepts where one is given, with the sent event type; no ledger row for an
    unknown id among the CRNs concerned (or received since the baseline); of a pair of twins exactly one applied;
(b) Delius: per person, event, requirement and licence condition one current manager (end date null, not soft
    deleted), no two live manager rows of one component with the same allocation date, and a history without gaps
    or overlaps (each row ends where the next starts); per person one current responsible officer, the same chain
    rule for RO history, and the current RO (when it points at a community manager) points at the current one;
    and the current manager's staff per component is the one expected (derived from the world and plan, or given);
(c) contacts written since the baseline: ETOM = ROC = person applied, ETOS = SPO + SPOD03 = event applied, ETRC
    with a requirement = requirement applied, ETRC with a licence condition = licence-condition applied; and, when
    ``audit=True``, ``P`` audit rows since the baseline per business interaction = applied + duplicate of its types
    (``F`` rows are counted, never compared: every retry writes one).

Expectations are duck-typed so any planner can be used: a ``PlannedAllocation`` (``event_id``, ``event_type``,
``expected``, ``accepted``, ``crn``, ``twin_of``), a plain event id (no expectation), an ``(event_id, state)`` pair,
or a mapping of event id to state.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from allocations.delius.models import (
    AuditedInteraction,
    BusinessInteraction,
    Contact,
    ContactType,
    ResponsibleOfficer,
    Staff,
)
from allocations.delius.steps.kinds import EVENT, LICENCE_CONDITION, PERSON, REQUIREMENT, ManagerKind
from allocations.event_types import EventType
from allocations.state.models import LedgerRow

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable
    from datetime import datetime

    from sqlalchemy import Connection, Engine

PENDING = "pending"
APPLIED = "applied"
DUPLICATE = "duplicate"
FINAL_STATES = frozenset({APPLIED, DUPLICATE, "ignored", "dead-lettered"})
KINDS: dict[str, ManagerKind] = {
    EventType.PERSON.value: PERSON,
    EventType.EVENT.value: EVENT,
    EventType.REQUIREMENT.value: REQUIREMENT,
    EventType.LICENCE_CONDITION.value: LICENCE_CONDITION,
}
SHORT = {
    EventType.PERSON.value: "person",
    EventType.EVENT.value: "event",
    EventType.REQUIREMENT.value: "requirement",
    EventType.LICENCE_CONDITION.value: "licence condition",
}
# Contacts each applied allocation of a type writes once (spec §3.6, §3.9 8d, §3.10 11).
CONTACTS_PER_APPLIED = {
    EventType.PERSON.value: ("ETOM", "ROC"),
    EventType.EVENT.value: ("ETOS", "SPO|SPOD03"),
    EventType.REQUIREMENT.value: ("ETRC requirement",),
    EventType.LICENCE_CONDITION.value: ("ETRC licence condition",),
}
MAX_LISTED = 20  # problems of one kind listed before "... and N more"

_ledger = LedgerRow.__table__
_contacts = Contact.__table__
_contact_types = ContactType.__table__
_audit = AuditedInteraction.__table__
_interactions = BusinessInteraction.__table__
_officers = ResponsibleOfficer.__table__
_staff = Staff.__table__


@dataclass(frozen=True)
class Expectation:
    """What was sent under one event id, and what its ledger row may say."""

    event_id: str
    event_type: str | None = None
    crn: str | None = None
    accepted: frozenset[str] | None = None
    twin_of: str | None = None
    component: tuple[str, int] | None = None
    created: datetime | None = None
    staff_code: str | None = None


@dataclass
class LedgerReport:
    """Counts seen and every broken rule; ``problems`` is empty when the guarantee held."""

    sent: int = 0
    ledger_rows: int = 0
    states: Counter[str] = field(default_factory=Counter)
    by_type: dict[str, Counter[str]] = field(default_factory=dict)
    contacts: Counter[str] = field(default_factory=Counter)
    audit: dict[str, Counter[str]] = field(default_factory=dict)
    audit_checked: bool = True
    components: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        """True when no rule was broken."""
        return not self.problems

    def summary(self) -> str:
        """A few lines for a test's output: counts per type, contacts, audit rows, then every problem."""
        lines = [
            f"ledger check: {'HELD' if self.held else f'BROKEN ({len(self.problems)} problems)'}; "
            f"{self.sent} sent, {self.ledger_rows} ledger rows; "
            + ", ".join(f"{state} {n}" for state, n in sorted(self.states.items())),
        ]
        lines += [
            f"  {SHORT.get(t, t)}: " + ", ".join(f"{state} {n}" for state, n in sorted(c.items()))
            for t, c in sorted(self.by_type.items())
        ]
        lines.append("  contacts: " + ", ".join(f"{code} {n}" for code, n in sorted(self.contacts.items())))
        audit = "; ".join(
            f"{code} " + " ".join(f"{o}={n}" for o, n in sorted(c.items())) for code, c in sorted(self.audit.items())
        )
        lines.append(f"  audit{'' if self.audit_checked else ' (not compared)'}: {audit}")
        lines.append("  current managers: " + ", ".join(f"{k} {n}" for k, n in sorted(self.components.items())))
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)

    def assert_held(self) -> None:
        """Raise AssertionError listing every problem."""
        if self.problems:
            raise AssertionError(self.summary())


def check(  # noqa: PLR0913 - what was sent, from when, and what to compare
    engine: Engine,
    sent: Collection[Any] | Mapping[str, str],
    *,
    world: Any = None,
    baseline: Any = None,
    audit: bool = True,
    crns: Iterable[str] = (),
    expected_current: Mapping[tuple[str, int], str] | None = None,
) -> LedgerReport:
    """Check the guarantee for ``sent`` (see the module docstring).

    ``world``: the seeded world (``load.World``): supplies the baseline and CRNs and, when ``sent`` are planned
    allocations, the staff each component must end with (its latest-dated applied allocation, else its seed
    manager). ``baseline``: anything with ``contact_id`` (contacts with a greater id are counted), ``audit_after``
    (audit rows strictly later are counted; None counts all) and ``taken_at`` (ledger rows received since then
    count as this run's); without one every contact and audit row counts. ``crns``: more CRNs whose ledger rows
    must all be among ``sent``. ``audit=False`` skips the audit comparison (counts are still reported).
    ``expected_current``: staff code per ``(event type, parent id)``, instead of the one derived from ``world``.
    """
    expectations = _expectations(sent)
    report = LedgerReport(sent=len(expectations), audit_checked=audit)
    if world is not None:
        baseline = baseline if baseline is not None else world.baseline
        crns = {*crns, *world.crns}
    with engine.connect() as c:
        states = _check_ledger(c, expectations, set(crns), baseline, report)
        outcomes = Counter(f"{state}:{event_type}" for state, event_type in states.values())
        if expected_current is None and world is not None and _all_planned(expectations.values()):
            expected_current = _expected_current(world, expectations, states)
        _check_managers(c, report, expected_current)
        _check_officers(c, report)
        _check_contacts(c, outcomes, baseline, report)
        _check_audit(c, outcomes, baseline, report)
    return report


def _all_planned(expectations: Iterable[Expectation]) -> bool:
    """Whether every expectation says which component it allocates, when and to whom."""
    return all(e.component is not None and e.created is not None and e.staff_code for e in expectations)


def _expected_current(
    world: Any, expectations: dict[str, Expectation], states: dict[str, tuple[str, str]]
) -> dict[tuple[str, int], str]:
    """Per seeded component, the staff of its latest-dated applied allocation, else of its seed manager."""
    latest = {c.key: (world.start, c.staff.code) for c in world.components}
    for event_id, expectation in expectations.items():
        if states.get(event_id, ("", ""))[0] != APPLIED or expectation.component is None:
            continue
        key = (expectation.component[0], int(expectation.component[1]))
        if key in latest and expectation.created is not None and expectation.created > latest[key][0]:
            latest[key] = (expectation.created, str(expectation.staff_code))
    return {key: code for key, (_, code) in latest.items()}


# ------------------------------------------------------------------------------------------------------ expectations


def _expectations(sent: Collection[Any] | Mapping[str, str]) -> dict[str, Expectation]:
    items: Iterable[Any] = sent.items() if isinstance(sent, Mapping) else sent
    result: dict[str, Expectation] = {}
    for item in items:
        expectation = _expectation(item)
        if expectation.event_id in result:
            raise ValueError(f"event id {expectation.event_id} sent twice in the expectations")
        result[expectation.event_id] = expectation
    return result


def _expectation(item: Any) -> Expectation:
    if isinstance(item, Expectation):
        return item
    if isinstance(item, str):
        return Expectation(item)
    if isinstance(item, tuple):
        event_id, state = item
        return Expectation(str(event_id), accepted=None if state is None else frozenset({state}))
    accepted = getattr(item, "accepted", None)
    expected = getattr(item, "expected", None)
    if accepted is None and expected is not None:
        accepted = frozenset({expected})
    event_type = getattr(item, "event_type", None)
    return Expectation(
        event_id=str(item.event_id),
        event_type=None if event_type is None else str(getattr(event_type, "value", event_type)),
        crn=getattr(item, "crn", None),
        accepted=None if accepted is None else frozenset(accepted),
        twin_of=getattr(item, "twin_of", None),
        component=getattr(item, "component", None),
        created=getattr(item, "created", None),
        staff_code=getattr(item, "staff_code", None),
    )


# ------------------------------------------------------------------------------------------------------------ ledger


def _check_ledger(
    c: Connection, expectations: dict[str, Expectation], crns: set[str], baseline: Any, report: LedgerReport
) -> dict[str, tuple[str, str]]:
    """(a); returns ``(state, event type)`` per sent event id found in the ledger."""
    ids = list(expectations)
    rows: list[Any] = []
    for start in range(0, len(ids), 1000):
        rows += c.execute(select(_ledger).where(_ledger.c.event_id.in_(ids[start : start + 1000]))).mappings().all()
    per_id: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        per_id[row["event_id"]].append(row)
    report.ledger_rows = len(rows)
    problems: dict[str, list[str]] = defaultdict(list)
    states: dict[str, tuple[str, str]] = {}
    for event_id, expectation in expectations.items():
        found = per_id.get(event_id, [])
        if not found:
            problems["missing"].append(f"no ledger row for sent event {event_id} ({_describe(expectation)})")
            continue
        if len(found) > 1:
            problems["repeated"].append(f"{len(found)} ledger rows for event {event_id}")
        state, event_type = found[0]["state"], found[0]["event_type"]
        states[event_id] = (state, event_type)
        report.states[state] += 1
        report.by_type.setdefault(event_type, Counter())[state] += 1
        _judge(expectation, state, event_type, problems)
    _check_twins(expectations, {event_id: state for event_id, (state, _) in states.items()}, problems)
    _check_unknown(c, expectations, crns | {r["crn"] for r in rows if r["crn"]}, baseline, problems)
    for kind in ("missing", "repeated", "pending", "state", "expected", "type", "twins", "unknown"):
        _add(report, problems[kind])
    return states


def _judge(expectation: Expectation, state: str, event_type: str, problems: dict[str, list[str]]) -> None:
    """One ledger row against its expectation: final, accepted, of the sent type."""
    event_id = expectation.event_id
    if state == PENDING:
        problems["pending"].append(f"event {event_id} still pending ({_describe(expectation)})")
    elif state not in FINAL_STATES:
        problems["state"].append(f"event {event_id} in unknown state {state!r}")
    elif expectation.accepted is not None and state not in expectation.accepted:
        wanted = "|".join(sorted(expectation.accepted))
        problems["expected"].append(f"event {event_id} ended {state}, expected {wanted} ({_describe(expectation)})")
    if expectation.event_type is not None and event_type != expectation.event_type:
        problems["type"].append(f"event {event_id} recorded as {event_type}, sent as {expectation.event_type}")


def _check_twins(expectations: dict[str, Expectation], states: dict[str, str], problems: dict[str, list[str]]) -> None:
    """Of a twin pair (same detail under two event ids) exactly one may be applied."""
    for event_id, expectation in expectations.items():
        original = expectation.twin_of
        if original is None or original not in states or event_id not in states:
            continue
        pair = (states[original], states[event_id])
        if pair.count(APPLIED) != 1 and all(s in FINAL_STATES for s in pair):
            problems["twins"].append(f"twins {original} and {event_id} ended {pair[0]} and {pair[1]}")


def _check_unknown(
    c: Connection, expectations: dict[str, Expectation], crns: set[str], baseline: Any, problems: dict[str, list[str]]
) -> None:
    crns |= {e.crn for e in expectations.values() if e.crn}
    scope = [_ledger.c.crn.in_(sorted(crns))] if crns else []
    if baseline is not None:
        scope.append(_ledger.c.received_at >= baseline.taken_at)
    if not scope:
        return
    for row in c.execute(select(_ledger.c.event_id, _ledger.c.crn, _ledger.c.state).where(or_(*scope))):
        if row.event_id not in expectations:
            problems["unknown"].append(f"ledger row for unknown event {row.event_id} (crn {row.crn}, {row.state})")


def _describe(expectation: Expectation) -> str:
    return ", ".join(
        part
        for part in (SHORT.get(expectation.event_type or "", expectation.event_type), expectation.crn)
        if part is not None
    )


def _add(report: LedgerReport, problems: list[str]) -> None:
    report.problems += problems[:MAX_LISTED]
    if len(problems) > MAX_LISTED:
        report.problems.append(f"... and {len(problems) - MAX_LISTED} more like the last")


# ------------------------------------------------------------------------------------------------------------ Delius


def _check_managers(
    c: Connection, report: LedgerReport, expected_current: Mapping[tuple[str, int], str] | None
) -> None:
    """(b) for the four manager tables: one current row, distinct dates, a gapless history, the expected staff."""
    for event_type, kind in KINDS.items():
        table = kind.table
        parent = table.c[kind.parent_column]
        rows = c.execute(
            select(parent, table.c[kind.id_column], table.c.allocation_date, table.c.end_date, _staff.c.officer_code)
            .join(_staff, _staff.c.staff_id == table.c[kind.staff_column])
            .where(table.c.soft_deleted == 0)
            .order_by(parent, table.c.allocation_date, table.c[kind.id_column])
        ).all()
        histories: dict[int, list[tuple[int, datetime, datetime | None, str]]] = defaultdict(list)
        for parent_id, row_id, start, end, code in rows:
            histories[parent_id].append((row_id, start, end, code))
        problems: list[str] = []
        label = SHORT[event_type]
        for parent_id, history in histories.items():
            problems += _history_problems(f"{label} {parent_id}", history)
            current = [code for _, _, end, code in history if end is None]
            report.components[label] += len(current) == 1
            wanted = None if expected_current is None else expected_current.get((event_type, parent_id))
            if wanted is not None and current and current[-1] != wanted:
                problems.append(f"{label} {parent_id} is managed by {current[-1]}, expected {wanted}")
        _add(report, problems)


def _history_problems(label: str, history: list[tuple[int, datetime, datetime | None, str]]) -> list[str]:
    """Rows ordered by start: exactly one open row, no repeated start, each row ending where the next starts."""
    problems = []
    current = [row_id for row_id, _, end, _ in history if end is None]
    if len(current) != 1:
        problems.append(f"{label} has {len(current)} current rows {current}")
    starts = Counter(start for _, start, _, _ in history)
    problems += [f"{label} has {n} rows starting {start.isoformat()}" for start, n in starts.items() if n > 1]
    for (row_id, _, end, _), (next_id, next_start, _, _) in pairwise(history):
        if end is not None and end != next_start and starts[next_start] == 1:
            problems.append(f"{label} row {row_id} ends {end.isoformat()} but row {next_id} starts {next_start}")
    return problems


def _check_officers(c: Connection, report: LedgerReport) -> None:
    """(b) for responsible officers: one current per person, a gapless history, pointing at the current manager."""
    current_managers = dict(
        c.execute(
            select(PERSON.table.c.offender_id, PERSON.table.c.offender_manager_id).where(
                PERSON.table.c.end_date.is_(None), PERSON.table.c.soft_deleted == 0
            )
        ).all()
    )
    rows = c.execute(
        select(
            _officers.c.offender_id,
            _officers.c.responsible_officer_id,
            _officers.c.start_date,
            _officers.c.end_date,
            _officers.c.offender_manager_id,
        ).order_by(_officers.c.offender_id, _officers.c.start_date, _officers.c.responsible_officer_id)
    ).all()
    histories: dict[int, list[tuple[int, datetime, datetime | None, str]]] = defaultdict(list)
    pointers: dict[int, int | None] = {}
    for offender_id, row_id, start, end, manager_id in rows:
        histories[offender_id].append((row_id, start, end, ""))
        if end is None:
            pointers[row_id] = manager_id
    problems: list[str] = []
    for offender_id, history in histories.items():
        problems += _history_problems(f"responsible officer of offender {offender_id}", history)
        current = [row_id for row_id, _, end, _ in history if end is None]
        report.components["responsible officer"] += len(current) == 1
        manager = current_managers.get(offender_id)
        if len(current) == 1 and pointers[current[0]] is not None and pointers[current[0]] != manager:
            problems.append(
                f"current responsible officer {current[0]} of offender {offender_id} points at manager "
                f"{pointers[current[0]]}, the current one is {manager}"
            )
    _add(report, problems)


def _check_contacts(c: Connection, outcomes: Counter[str], baseline: Any, report: LedgerReport) -> None:
    """(c) contacts since the baseline, per kind, against the applied count of the type that writes them."""
    since = 0 if baseline is None else int(baseline.contact_id)
    code = _contact_types.c.code
    rows = c.execute(
        select(code, _contacts.c.rqmnt_id.is_not(None), _contacts.c.lic_condition_id.is_not(None), func.count())
        .join(_contact_types, _contact_types.c.contact_type_id == _contacts.c.contact_type_id)
        .where(_contacts.c.contact_id > since, _contacts.c.soft_deleted == 0)
        .group_by(code, _contacts.c.rqmnt_id.is_not(None), _contacts.c.lic_condition_id.is_not(None))
    ).all()
    for contact_type, has_requirement, has_condition, n in rows:
        if contact_type == "ETRC":
            label = "ETRC " + ("requirement" if has_requirement else "licence condition" if has_condition else "other")
        elif contact_type in {"SPO", "SPOD03"}:
            label = "SPO|SPOD03"
        else:
            label = contact_type
        report.contacts[label] += n
    expected_labels: set[str] = set()
    for event_type, labels in CONTACTS_PER_APPLIED.items():
        applied = outcomes[f"{APPLIED}:{event_type}"]
        for label in labels:
            expected_labels.add(label)
            if report.contacts[label] != applied:
                report.problems.append(
                    f"{report.contacts[label]} {label} contacts written, {applied} {SHORT[event_type]} allocations "
                    "applied"
                )
    report.problems += [
        f"{n} unexpected {label} contacts"
        for label, n in sorted(report.contacts.items())
        if label not in expected_labels
    ]


def _check_audit(c: Connection, outcomes: Counter[str], baseline: Any, report: LedgerReport) -> None:
    """(c) P audit rows per business interaction = applied + duplicate of its types; F rows counted only."""
    after = None if baseline is None else baseline.audit_after
    code = _interactions.c.business_interaction_code
    query = (
        select(code, _audit.c.outcome, func.count())
        .join(_interactions, _interactions.c.business_interaction_id == _audit.c.business_interaction_id)
        .group_by(code, _audit.c.outcome)
    )
    if after is not None:
        query = query.where(_audit.c.date_time > after)
    for interaction, outcome, n in c.execute(query):
        report.audit.setdefault(interaction, Counter())[outcome] += n
    wanted: Counter[str] = Counter()
    for event_type, kind in KINDS.items():
        wanted[kind.business_interaction] += outcomes[f"{APPLIED}:{event_type}"] + outcomes[f"{DUPLICATE}:{event_type}"]
    for interaction in sorted(set(wanted) | set(report.audit)):
        report.audit.setdefault(interaction, Counter())
        passed = report.audit[interaction]["P"]
        if report.audit_checked and passed != wanted[interaction]:
            report.problems.append(
                f"{passed} P audit rows for {interaction}, {wanted[interaction]} applied or duplicate allocations"
            )


__all__ = ["Expectation", "LedgerReport", "check"]
