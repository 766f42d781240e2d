"""The benchmark's ledger check: every sent event applied exactly once, in the ledger and in Delius."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import psycopg

from benchmarks.plan import KINDS

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime


def check_ledger(libpq_url: str, event_ids: Sequence[str], since: datetime) -> dict[str, Any]:
    """Compare the sent ids with the ledger and with the manager rows written since ``since``.

    ``ok`` holds when every sent id has one ledger row in state ``applied``, no other event finished or was
    dead-lettered meanwhile, and each manager table gained exactly one row per applied event of its type.
    """
    with psycopg.connect(libpq_url) as conn:
        states: dict[str, int] = dict(
            conn.execute(
                "SELECT state, count(*) FROM workforce_allocations.event_ledger"
                " WHERE event_id = ANY(%s) GROUP BY state",
                (list(event_ids),),
            ).fetchall()
        )
        by_type: dict[str, int] = dict(
            conn.execute(
                "SELECT event_type, count(*) FROM workforce_allocations.event_ledger"
                " WHERE event_id = ANY(%s) AND state = 'applied' GROUP BY event_type",
                (list(event_ids),),
            ).fetchall()
        )
        others = conn.execute(
            "SELECT count(*) FROM workforce_allocations.event_ledger"
            " WHERE received_at >= %s AND NOT event_id = ANY(%s)",
            (since, list(event_ids)),
        ).fetchone()
        dead = conn.execute(
            "SELECT count(*) FROM workforce_allocations.dead_letter WHERE first_failed_at >= %s", (since,)
        )
        dead_letters = dead.fetchone()
        written = {
            event_type.value: conn.execute(
                f"SELECT count(*) FROM {kind.table.name} WHERE created_datetime >= %s",  # noqa: S608 - model names
                (since,),
            ).fetchone()
            for event_type, kind in KINDS.items()
        }
    rows = {t: int(r[0]) if r else 0 for t, r in written.items()}
    applied = int(states.get("applied", 0))
    ok = (
        applied == len(event_ids) == len(set(event_ids))
        and sum(states.values()) == applied
        and (others[0] if others else 0) == 0
        and (dead_letters[0] if dead_letters else 0) == 0
        and all(rows[t] == int(by_type.get(t, 0)) for t in rows)
    )
    return {
        "sent": len(event_ids),
        "states": {str(k): int(v) for k, v in states.items()},
        "manager_rows_written": rows,
        "ok": ok,
    }
