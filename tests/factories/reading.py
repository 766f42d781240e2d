"""Reading back what an allocation wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from allocations.delius.models import (
    AuditedInteraction,
    Contact,
    ContactType,
)


def read_rows(engine: Engine, model: Any, *order: Any) -> list[Any]:
    """Every row of ``model``'s table as mappings, in ``order``."""
    with engine.connect() as c:
        return list(c.execute(select(model.__table__).order_by(*order)).mappings())


def contact_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every contact as a dict with its contact type's code under ``type``, oldest first."""
    with engine.connect() as c:
        rows = c.execute(
            select(Contact.__table__, ContactType.code)
            .join(ContactType, ContactType.contact_type_id == Contact.contact_type_id)
            .order_by(Contact.contact_id)
        ).mappings()
        return [{**row, "type": row["code"]} for row in rows]


def audit_rows(engine: Engine) -> list[tuple[str, str]]:
    """``(outcome, interaction_parameters)`` of every audited interaction, oldest first."""
    rows = read_rows(engine, AuditedInteraction, AuditedInteraction.date_time)
    return [(r["outcome"], r["interaction_parameters"]) for r in rows]
