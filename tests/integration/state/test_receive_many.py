"""The events of one SQS receive are recorded together: new ones once, earlier ones reported with their state."""

from sqlalchemy import event, func, select

from allocations.outcome import Outcome
from allocations.state.ledger import Attempt
from allocations.state.models import ledger_table


def test_new_earlier_and_repeated_events_of_one_receive_get_their_receipts_in_one_insert(store, received_event):
    earlier_pending, earlier_final = received_event("rm-pending"), received_event("rm-final")
    store.receive(earlier_pending)
    store.receive(earlier_final)
    store.record_outcome(Attempt(earlier_final, 1, "t"), Outcome.applied())
    new, unsupported = received_event("rm-new"), received_event("rm-unsupported")
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_):
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        receipts = store.receive_many(
            [
                (new, None),
                (earlier_pending, None),
                (earlier_final, None),
                (new, None),
                (unsupported, Outcome.ignored("x")),
            ]
        )
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)

    assert {event_id: (r.new, r.state) for event_id, r in receipts.items()} == {
        "rm-new": (True, "pending"),
        "rm-pending": (False, "pending"),
        "rm-final": (False, "applied"),
        "rm-unsupported": (True, "ignored"),
    }
    assert sum(sql.lstrip().upper().startswith("INSERT") for sql in statements) == 1
    with store.engine.connect() as connection:
        counts = dict(
            connection.execute(
                select(ledger_table.c.event_id, func.count())
                .where(ledger_table.c.event_id.like("rm-%"))
                .group_by(ledger_table.c.event_id)
            ).all()
        )
    assert counts == {"rm-new": 1, "rm-pending": 1, "rm-final": 1, "rm-unsupported": 1}


def test_a_receive_with_nothing_to_record_records_nothing(store):
    assert store.receive_many([]) == {}
