"""Understand, in Chromium: the counts and chart after a mix of outcomes, and the Retrying view's "retry now"."""

from datetime import UTC, datetime, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import text
from support.polling import wait_until

from allocations.delius.steps.kinds import PERSON
from allocations.event_types import EventType
from allocations.sqs import send_event, sqs_client
from allocations_local.publishing import domain_event, publish_allocation

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
CREATED = "2025-06-04T13:05:09Z"
WIDTH = 1280
SERIES = ("applied", "duplicate", "ignored", "dead-lettered", "parked")
# Everything the dead-letters page says in numbers, read in one go (auto-refresh may reload the page at any time).
READ_NUMBERS = """
const counts = selector => Object.fromEntries([...document.querySelectorAll(selector)].map(
  a => [a.dataset.status || a.dataset.errorClass, Number(a.dataset.count)]));
const perHour = Object.fromEntries(arguments[0].map(name => [name, [...document.querySelectorAll(
  `#chart-counts td[data-series="${name}"]`)].reduce((sum, td) => sum + Number(td.textContent), 0)]));
return {
  by_status: counts('#counts-by-status a.count'),
  by_error_class: counts('#counts-by-error-class a.count'),
  totals: Object.fromEntries([...document.querySelectorAll('#chart-totals .chart-total')].map(
    s => [s.dataset.series, Number(s.dataset.count)])),
  per_hour: perHour,
  bars: document.querySelectorAll('#chart svg rect').length,
  widths: [window.innerWidth, document.documentElement.scrollWidth],
};
"""


def wait_for_outcome(state, event_id, outcome, timeout=60.0):
    def reached():
        found = state.operator_view.outcomes_for(event_id)
        return found[0] if found and found[0].outcome == outcome else None

    return wait_until(reached, timeout, 0.2, f"{event_id} {outcome}")


def held_by_the_tables(engine) -> dict[str, dict[str, int]]:
    """What the ledger and the dead-letter tables hold, counted here in plain SQL: the page must say the same."""
    first_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    with engine.connect() as c:
        by_status = dict(
            c.execute(text("SELECT status, count(*) FROM workforce_allocations.dead_letter GROUP BY 1")).all()
        )
        by_class = dict(
            c.execute(text("SELECT error_class, count(*) FROM workforce_allocations.dead_letter GROUP BY 1")).all()
        )
        outcomes = dict(
            c.execute(
                text(
                    "SELECT state, count(*) FROM workforce_allocations.event_ledger"
                    " WHERE state <> 'pending' AND finished_at >= :first GROUP BY 1"
                ),
                {"first": first_hour},
            ).all()
        )
        parked = c.execute(
            text(
                "SELECT count(*) FROM workforce_allocations.dead_letter_history"
                " WHERE action = 'failed' AND at >= :first"
            ),
            {"first": first_hour},
        ).scalar_one()
    totals = {name: outcomes.get(name, 0) for name in SERIES if name != "parked"} | {"parked": parked}
    return {"by_status": by_status, "by_error_class": by_class, "totals": totals}


def test_the_counts_and_chart_after_a_mix_of_outcomes_equal_what_the_tables_hold(service, delius, browser):
    provider = delius.provider(code="N08", description="Chart Region")
    team = delius.team(provider, code="N08CHT", description="Chart Team")
    old = delius.staff(team, code="N08OLDA", surname="Old")
    delius.staff(team, code="N08NEWA", forename="Nia", surname="New")
    applied, transferring, missing_staff = (delius.case(team, old, START) for _ in range(3))
    delius.transfer(PERSON, transferring.offender_id)  # a pending transfer: ignorable
    sqs = sqs_client("eu-west-2", service.stack.sqs_endpoint)

    def publish(case, staff_code):
        detail = {"crn": case.crn, "staffCode": staff_code, "teamCode": team.code, "createdDate": CREATED}
        return publish_allocation(
            service.stub, sqs, service.queue_url, event_type=EventType.PERSON, crn=case.crn, detail=detail
        )

    expected = {
        publish(applied, "N08NEWA").event_id: "applied",
        publish(transferring, "N08NEWA").event_id: "ignored",
        publish(missing_staff, "N08LATE").event_id: "dead-lettered",  # NotFound, after its retries
    }
    outside = domain_event(EventType.PERSON, f"{service.stub.base_url}/elsewhere/1", applied.crn, "elsewhere-1")
    send_event(sqs, service.queue_url, outside)  # detailUrl outside the allow-list: InvalidMessage, parked at once
    expected[outside.event_id] = "dead-lettered"
    for event_id, outcome in expected.items():
        wait_for_outcome(service.state, event_id, outcome)

    browser.set_window_size(WIDTH, 900)
    browser.get(f"{service.dashboard_url}/dead-letters")
    WebDriverWait(browser, 10).until(ready.presence_of_element_located((By.ID, "chart-totals")))
    shown = browser.execute_script(READ_NUMBERS, list(SERIES))
    held = held_by_the_tables(service.state.engine)

    assert shown["by_status"] == held["by_status"]
    assert shown["by_error_class"] == held["by_error_class"]
    assert shown["totals"] == held["totals"]
    assert shown["per_hour"] == held["totals"]  # the table under the chart adds up to its totals
    assert {"NotFound", "InvalidMessage"} <= set(shown["by_error_class"])
    assert all(shown["totals"][name] >= 1 for name in ("applied", "ignored", "dead-lettered", "parked"))
    assert shown["bars"] >= 3  # at least the applied, ignored and dead-lettered segments of this hour
    inner, page = shown["widths"]
    assert page <= inner <= WIDTH  # no horizontal scroll at 1280 px with the counts and the chart on the page


def test_retry_now_applies_an_event_in_backoff_long_before_its_countdown_ends(slow_retry_service, delius, browser):
    service = slow_retry_service
    provider = delius.provider(code="N09", description="Retry Region")
    team = delius.team(provider, code="N09RTY", description="Retry Team")
    case = delius.case(team, delius.staff(team, code="N09OLDA", surname="Old"), START)
    delius.staff(team, code="N09NEWA", forename="Rae", surname="Now")
    service.stub.failure_mix(error_rate=1.0, status=503)  # Workload down: every detail request answers 503
    sqs = sqs_client("eu-west-2", service.stack.sqs_endpoint)
    detail = {"crn": case.crn, "staffCode": "N09NEWA", "teamCode": team.code, "createdDate": CREATED}
    received = publish_allocation(
        service.stub, sqs, service.queue_url, event_type=EventType.PERSON, crn=case.crn, detail=detail
    )

    def in_long_backoff():
        # The first delay is uniform in [0, 600] s: one under 30 s is waited out (the event fails again, still 503).
        with service.state.engine.connect() as c:
            row = c.execute(
                text(
                    "SELECT next_attempt_at FROM workforce_allocations.event_ledger"
                    " WHERE event_id = :id AND state = 'pending' AND open_attempts = 0"
                ),
                {"id": received.event_id},
            ).first()
        at = row.next_attempt_at if row else None
        return at if at and at - datetime.now(UTC) > timedelta(seconds=30) else None

    countdown_ends = wait_until(in_long_backoff, 90, 0.2, f"{received.event_id} in backoff for 30 s or more")

    browser.get(f"{service.dashboard_url}/retrying")
    toggle = WebDriverWait(browser, 10).until(ready.element_to_be_clickable((By.ID, "auto-refresh")))
    assert toggle.is_selected()  # on by default
    toggle.click()
    browser.refresh()
    WebDriverWait(browser, 10).until(ready.text_to_be_present_in_element((By.ID, "auto-refresh-state"), "(off)"))
    assert not browser.find_element(By.ID, "auto-refresh").is_selected()  # switched off, and still off after a reload

    row = browser.find_element(By.CSS_SELECTOR, f'#retrying tr[data-event-id="{received.event_id}"]')
    next_attempt = row.find_element(By.CSS_SELECTOR, ".next-attempt")
    assert datetime.fromisoformat(next_attempt.get_attribute("data-at")) == countdown_ends
    assert " s" in next_attempt.text
    assert "in " in next_attempt.text
    assert "503" in row.find_element(By.CSS_SELECTOR, ".error").get_attribute("title")

    service.stub.clear_failure_mix()  # Workload is back
    row.find_element(By.CSS_SELECTOR, ".retry-one").click()
    WebDriverWait(browser, 10).until(
        ready.text_to_be_present_in_element((By.ID, "notice"), f"Retried now 1 event: {received.event_id}")
    )
    applied = wait_for_outcome(service.state, received.event_id, "applied", timeout=25)

    assert applied.finished_at < countdown_ends
    answers = [r["status"] for r in service.stub.requests_to(received.payload["detailUrl"])]
    assert answers[0] == 503
    assert answers[-1] == 200  # the failed attempt(s), then the one "retry now" sent
    browser.refresh()
    assert browser.find_elements(By.CSS_SELECTOR, f'#retrying tr[data-event-id="{received.event_id}"]') == []
