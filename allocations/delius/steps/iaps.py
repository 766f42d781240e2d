"""Accredited-programme (IAPS) flags: which requirements count, and the dialect-neutral upsert of the flag."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, select, update

from allocations.delius import codes
from allocations.delius.models import (
    AdRequirementMainCategory,
    Disposal,
    IapsEvent,
    IapsOffender,
    IapsRequirement,
    Requirement,
    RequirementMainCategory,
    StandardReference,
)
from allocations.delius.steps.kinds import table

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import BindParameter, ColumnElement, Connection, Insert, Select, Update

    from allocations.delius.models import Base


def is_accredited_programme(main: str | None, additional: str | None, sub: str | None) -> bool:
    """Main ``RM38``, or main ``7`` with a sub-category other than ``RS66``, or additional ``7``/``RM38``."""
    if additional in codes.ACCREDITED_MAIN_CATEGORIES or main == codes.ACCREDITED_PROGRAMME_RM38:
        return True
    return main == codes.ACCREDITED_PROGRAMME and sub != codes.NOT_ACCREDITED_SUB_CATEGORY


def _categories() -> Select[str, str, str]:
    rqmnt, main, additional = table(Requirement), table(RequirementMainCategory), table(AdRequirementMainCategory)
    sub = table(StandardReference).alias("sub")
    return (
        select(main.c.code, additional.c.code, sub.c.code_value)
        .select_from(rqmnt)
        .outerjoin(main, main.c.rqmnt_type_main_category_id == rqmnt.c.rqmnt_type_main_category_id)
        .outerjoin(additional, additional.c.ad_rqmnt_type_main_category_id == rqmnt.c.ad_rqmnt_type_main_category_id)
        .outerjoin(sub, sub.c.standard_reference_list_id == rqmnt.c.rqmnt_type_sub_category_id)
    )


def _by(column: ColumnElement[int]) -> BindParameter[int]:
    return bindparam("id", type_=column.type)


_rqmnt, _disposal = table(Requirement).c, table(Disposal).c
_OF_PERSON = _categories().where(_rqmnt.offender_id == _by(_rqmnt.offender_id))
_OF_EVENT = (
    _categories()
    .join(table(Disposal), _disposal.disposal_id == _rqmnt.disposal_id)
    .where(_disposal.event_id == _by(_disposal.event_id), _rqmnt.active_flag == 1, _rqmnt.soft_deleted == 0)
)
_OF_REQUIREMENT = _categories().where(_rqmnt.rqmnt_id == _by(_rqmnt.rqmnt_id))


def _any_accredited(connection: Connection, statement: Select[str, str, str], key: int) -> bool:
    return any(is_accredited_programme(*row) for row in connection.execute(statement, {"id": key}))


def person_has_accredited_programme(connection: Connection, offender_id: int) -> bool:
    """Any requirement of the person, whatever its state (spec §3.9 step 10)."""
    return _any_accredited(connection, _OF_PERSON, offender_id)


def event_has_accredited_programme(connection: Connection, event_id: int) -> bool:
    """Any active, non-deleted requirement of the event's disposal (spec §3.10 step 12)."""
    return _any_accredited(connection, _OF_EVENT, event_id)


def requirement_is_accredited_programme(connection: Connection, rqmnt_id: int) -> bool:
    """The requirement itself (spec §3.11 step 13)."""
    return _any_accredited(connection, _OF_REQUIREMENT, rqmnt_id)


def flag_offender(connection: Connection, offender_id: int) -> None:
    """Upsert ``iaps_offender(offender_id, iaps_flag=1)``."""
    _upsert_flag(connection, IapsOffender, "offender_id", offender_id)


def flag_event(connection: Connection, event_id: int) -> None:
    """Upsert ``iaps_event(event_id, iaps_flag=1)``."""
    _upsert_flag(connection, IapsEvent, "event_id", event_id)


def flag_requirement(connection: Connection, rqmnt_id: int) -> None:
    """Upsert ``iaps_rqmnt(rqmnt_id, iaps_flag=1)``."""
    _upsert_flag(connection, IapsRequirement, "rqmnt_id", rqmnt_id)


def _upsert_flag(connection: Connection, model: type[Base], key_name: str, value: int) -> None:
    # Update, then insert when no row was there: the same statements work on Oracle and PostgreSQL (no MERGE /
    # ON CONFLICT), and an existing flag costs one statement.
    set_flag, add_flag = _upsert_statements(model, key_name)
    if connection.execute(set_flag, {"key": value}).rowcount == 0:
        connection.execute(add_flag, {"key": value})


@cache
def _upsert_statements(model: type[Base], key_name: str) -> tuple[Update, Insert]:
    flags = table(model)
    key = flags.c[key_name]
    value = bindparam("key", type_=key.type)
    set_flag = update(flags).where(key == value).values(iaps_flag=1)
    return set_flag, insert(flags).values({key_name: value, "iaps_flag": 1})


@dataclass(frozen=True)
class IapsFlag:
    """When and where an allocation flags its subject as on an accredited programme (keyed by the subject's id)."""

    is_accredited: Callable[[Connection, int], bool]
    flag: Callable[[Connection, int], None]

    def flag_if_accredited(self, connection: Connection, subject_id: int) -> None:
        """Set the flag when the subject has (or is) an accredited programme."""
        if self.is_accredited(connection, subject_id):
            self.flag(connection, subject_id)


PERSON_IAPS = IapsFlag(person_has_accredited_programme, flag_offender)
EVENT_IAPS = IapsFlag(event_has_accredited_programme, flag_event)
REQUIREMENT_IAPS = IapsFlag(requirement_is_accredited_programme, flag_requirement)
