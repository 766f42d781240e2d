"""Accredited-programme (IAPS) flags: which requirements count, and the dialect-neutral upsert of the flag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update
from sqlalchemy.orm import aliased

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

if TYPE_CHECKING:
    from sqlalchemy import Connection, Select

    from allocations.delius.models import Base


def is_accredited_programme(main: str | None, additional: str | None, sub: str | None) -> bool:
    """Main ``RM38``, or main ``7`` with a sub-category other than ``RS66``, or additional ``7``/``RM38``."""
    if additional in codes.ACCREDITED_MAIN_CATEGORIES or main == "RM38":
        return True
    return main == "7" and sub != codes.NOT_ACCREDITED_SUB_CATEGORY


def _categories() -> Select[str, str, str]:
    sub = aliased(StandardReference)
    return (
        select(RequirementMainCategory.code, AdRequirementMainCategory.code, sub.code_value)
        .select_from(Requirement)
        .outerjoin(
            RequirementMainCategory,
            RequirementMainCategory.rqmnt_type_main_category_id == Requirement.rqmnt_type_main_category_id,
        )
        .outerjoin(
            AdRequirementMainCategory,
            AdRequirementMainCategory.ad_rqmnt_type_main_category_id == Requirement.ad_rqmnt_type_main_category_id,
        )
        .outerjoin(sub, sub.standard_reference_list_id == Requirement.rqmnt_type_sub_category_id)
    )


def _any_accredited(connection: Connection, statement: Select[str, str, str]) -> bool:
    return any(is_accredited_programme(*row) for row in connection.execute(statement))


def person_has_accredited_programme(connection: Connection, offender_id: int) -> bool:
    """Any requirement of the person, whatever its state (spec §3.9 step 10)."""
    return _any_accredited(connection, _categories().where(Requirement.offender_id == offender_id))


def event_has_accredited_programme(connection: Connection, event_id: int) -> bool:
    """Any active, non-deleted requirement of the event's disposal (spec §3.10 step 12)."""
    statement = (
        _categories()
        .join(Disposal, Disposal.disposal_id == Requirement.disposal_id)
        .where(Disposal.event_id == event_id, Requirement.active_flag == 1, Requirement.soft_deleted == 0)
    )
    return _any_accredited(connection, statement)


def requirement_is_accredited_programme(connection: Connection, rqmnt_id: int) -> bool:
    """The requirement itself (spec §3.11 step 13)."""
    return _any_accredited(connection, _categories().where(Requirement.rqmnt_id == rqmnt_id))


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
    # Select then insert or update: the same statements work on Oracle and PostgreSQL (no MERGE / ON CONFLICT).
    key = model.__table__.c[key_name]
    exists = connection.execute(select(key).where(key == value).with_for_update()).first()
    if exists is None:
        connection.execute(insert(model).values({key_name: value, "iaps_flag": 1}))
    else:
        connection.execute(update(model).where(key == value).values(iaps_flag=1))
