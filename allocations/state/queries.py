"""Read side for operators: dead letters (filtered, paged, newest first), their history, where events stand."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, or_, select

from allocations.state.models import dead_letter_table, history_table, ledger_table
from allocations.state.records import (
    DeadLetter,
    DeadLetterCounts,
    DeadLetterFilter,
    DeadLetterStatus,
    HistoryEntry,
    OutcomeRecord,
    Page,
)

_dl = dead_letter_table
_history = history_table
_ledger = ledger_table


def filtered(statement: Select[Any], where: DeadLetterFilter) -> Select[Any]:
    """``statement`` restricted to the dead letters ``where`` covers."""
    return statement.where(*conditions(where))


def conditions(where: DeadLetterFilter) -> list[ColumnElement[bool]]:
    """One SQL condition per field ``where`` sets (dialect-neutral: LIKE with an escape, no regular expressions)."""
    wanted: list[ColumnElement[bool] | None] = [
        _dl.c.status == where.status if where.status else None,
        _dl.c.event_type == where.event_type if where.event_type else None,
        _dl.c.crn == where.crn.strip().upper() if where.crn else None,
        _dl.c.error_class == where.error_class if where.error_class else None,
        _contains(where.error_text) if where.error_text else None,
        _names("team", where.team) if where.team else None,
        _names("staff", where.staff) if where.staff else None,
        _dl.c.first_failed_at >= where.failed_from if where.failed_from else None,
        _dl.c.last_failed_at <= where.failed_until if where.failed_until else None,
        _dl.c.attempts >= where.min_attempts if where.min_attempts is not None else None,
    ]
    return [condition for condition in wanted if condition is not None]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(text: str) -> ColumnElement[bool]:
    return func.lower(_dl.c.error_message).like(f"%{_escaped(text.lower())}%", escape="\\")


def _names(noun: str, code: str) -> ColumnElement[bool]:
    """The error message names ``code`` as a team (or staff member): ``Team N02T02`` or ``Team with code of N02T02``.

    The code must end a word (end of message, a space or a full stop follows), so ``N02T02`` is not ``N02T021``.
    """
    message = func.lower(_dl.c.error_message)
    code = _escaped(code.strip().lower())
    return or_(
        *(
            message.like(f"%{noun} {between}{code}{after}", escape="\\")
            for between in ("", "with code of ")
            for after in ("", " %", ".%", ",%")
        )
    )


def count_dead_letters(connection: Connection, where: DeadLetterFilter) -> DeadLetterCounts:
    """Rows ``where`` covers per status and per error class (and parked per class), in one grouped query."""
    rows = connection.execute(
        filtered(select(_dl.c.status, _dl.c.error_class, func.count().label("rows")), where).group_by(
            _dl.c.status, _dl.c.error_class
        )
    )
    by_status: dict[str, int] = {}
    by_class: dict[str, int] = {}
    parked: dict[str, int] = {}
    for status, error_class, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        by_class[error_class] = by_class.get(error_class, 0) + count
        if status == DeadLetterStatus.PARKED.value:
            parked[error_class] = parked.get(error_class, 0) + count
    ordered = sorted(by_class.items(), key=lambda item: (-item[1], item[0]))
    return DeadLetterCounts(by_status, dict(ordered), parked)


def list_dead_letters(connection: Connection, where: DeadLetterFilter, limit: int, offset: int) -> Page[DeadLetter]:
    """One page, newest failure first, and how many rows match in all."""
    total = connection.execute(filtered(select(func.count()).select_from(_dl), where)).scalar_one()
    rows = connection.execute(
        filtered(select(_dl), where).order_by(_dl.c.last_failed_at.desc(), _dl.c.id.desc()).limit(limit).offset(offset)
    ).mappings()
    return Page([DeadLetter(**row) for row in rows], int(total), limit, offset)


def matching_ids(connection: Connection, where: DeadLetterFilter) -> list[int]:
    """Ids of every dead letter ``where`` covers, oldest first (the order bulk actions run in)."""
    return list(connection.execute(filtered(select(_dl.c.id), where).order_by(_dl.c.id)).scalars())


def get_dead_letter(connection: Connection, dead_letter_id: int) -> DeadLetter | None:
    """The dead letter with this id, if any."""
    row = connection.execute(select(_dl).where(_dl.c.id == dead_letter_id)).mappings().first()
    return DeadLetter(**row) if row else None


def history(connection: Connection, dead_letter_id: int) -> list[HistoryEntry]:
    """Every failure, re-enqueue, resolution and discard of the dead letter, oldest first."""
    rows = connection.execute(
        select(_history).where(_history.c.dead_letter_id == dead_letter_id).order_by(_history.c.at, _history.c.id)
    ).mappings()
    return [HistoryEntry(**row) for row in rows]


def outcomes_for(connection: Connection, event_id_or_crn: str, limit: int) -> list[OutcomeRecord]:
    """The event with this id, or every event for this CRN, newest first, pending ones included."""
    key = event_id_or_crn.strip()
    rows = connection.execute(
        _OUTCOME.where(or_(_ledger.c.event_id == key, _ledger.c.crn == key.upper()))
        .order_by(_ledger.c.received_at.desc(), _ledger.c.event_id)
        .limit(limit)
    ).mappings()
    return [OutcomeRecord(**row) for row in rows]


def outcome_of(connection: Connection, event_id: str) -> OutcomeRecord | None:
    """Where the event with this id stands, if it was ever received."""
    row = connection.execute(_OUTCOME.where(_ledger.c.event_id == event_id)).mappings().first()
    return None if row is None else OutcomeRecord(**row)


_OUTCOME = select(
    _ledger.c.event_id,
    _ledger.c.event_type,
    _ledger.c.crn,
    _ledger.c.detail_url,
    _ledger.c.state.label("outcome"),
    _ledger.c.reason,
    _ledger.c.properties,
    _ledger.c.attempts,
    _ledger.c.task_id,
    _ledger.c.received_at,
    _ledger.c.started_at,
    _ledger.c.finished_at,
)
