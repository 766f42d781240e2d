"""Outcomes and dead letters over time: one grouped query, by UTC hour or day, zeros included."""

from datetime import timedelta

from conftest import received
from sqlalchemy import text

from allocations.outcome import Outcome
from allocations.state import timeline
from allocations.state.ledger import Attempt, now
from allocations.state.recording import Failure


def finish(store, event_id, outcome, hours_ago):
    event = received(event_id)
    store.receive(event)
    if outcome is None:
        store.dead_letter(Attempt(event, 1, None), Failure("NotFound", "gone", ""))
    else:
        store.record_outcome(Attempt(event, 1, None), outcome)
    with store.engine.begin() as c:
        at = now() - timedelta(hours=hours_ago)
        c.execute(
            text("UPDATE workforce_allocations.event_ledger SET finished_at = :at WHERE event_id = :e"),
            {"at": at, "e": event_id},
        )
        c.execute(
            text(
                "UPDATE workforce_allocations.dead_letter_history SET at = :at"
                " WHERE dead_letter_id IN (SELECT id FROM workforce_allocations.dead_letter WHERE event_id = :e)"
            ),
            {"at": at, "e": event_id},
        )


def test_counts_per_hour_and_day_match_the_ledger(store):
    finish(store, "a1", Outcome.applied(), 0)
    finish(store, "a2", Outcome.applied(), 0)
    finish(store, "i1", Outcome.ignored("team ended"), 3)
    finish(store, "d1", None, 3)
    finish(store, "old", Outcome.applied(), 30)  # outside 24 hours, inside 7 days

    hours = timeline.timeline(store.engine, timeline.SPANS["24h"])
    days = timeline.timeline(store.engine, timeline.SPANS["7d"])

    assert len(hours.buckets) == 24
    assert hours.totals == {"applied": 2, "duplicate": 0, "ignored": 1, "dead-lettered": 1, "parked": 1}
    assert hours.buckets[-1].counts["applied"] == 2
    assert hours.buckets[-4].counts == {"applied": 0, "duplicate": 0, "ignored": 1, "dead-lettered": 1, "parked": 1}
    assert hours.buckets[-4].total == 2  # dead letters parked are not outcomes: not added twice
    assert len(days.buckets) == 7
    assert days.totals["applied"] == 3
    assert days.buckets[-1].start == now().replace(hour=0, minute=0, second=0, microsecond=0)


def test_the_dead_letters_page_shows_the_chart_and_its_counts(store, dashboard):
    finish(store, "p1", Outcome.applied(), 0)
    finish(store, "p2", None, 1)

    page = dashboard.session().get(f"{dashboard.base_url}/dead-letters", params={"chart": "7d"}, timeout=10)

    assert page.status_code == 200
    assert 'id="chart" data-span="7d"' in page.text
    assert 'data-series="applied" data-count="1"' in page.text
    assert 'data-series="parked" data-count="1"' in page.text
    assert "<svg" in page.text
