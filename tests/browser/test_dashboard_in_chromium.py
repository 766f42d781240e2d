"""An operator fixes Delius data, re-enqueues the dead letter from the dashboard, and sees it applied."""

from datetime import UTC, datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait
from support.polling import wait_until

from allocations.event_types import EventType
from allocations.sqs import sqs_client
from allocations.state.records import DeadLetterFilter
from allocations_local.publishing import publish_allocation

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


def wait_for_outcome(state, event_id, outcome, timeout=60.0):
    def reached():
        found = state.operator_view.outcomes_for(event_id)
        return found[0] if found and found[0].outcome == outcome else None

    return wait_until(reached, timeout, 0.2, f"{event_id} {outcome}")


def row_status(browser, event_id) -> str:
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-event-id="{event_id}"]')
    return row.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status")


def test_operator_requeues_a_fixed_dead_letter_and_sees_it_applied(service, delius, browser, artifacts_dir):
    provider = delius.provider(code="N07", description="Browser Region")
    team = delius.team(provider, code="N07BRW", description="Browser Team")
    case = delius.case(team, delius.staff(team, code="N07OLDA", surname="Old"), START)
    detail = {"crn": case.crn, "staffCode": "N07LATE", "teamCode": team.code, "createdDate": "2025-06-04T13:05:09Z"}
    sqs = sqs_client("eu-west-2", service.stack.sqs_endpoint)
    received = publish_allocation(
        service.stub, sqs, service.queue_url, event_type=EventType.PERSON, crn=case.crn, detail=detail
    )
    wait_for_outcome(service.state, received.event_id, "dead-lettered")
    delius.staff(team, code="N07LATE", forename="Lee", surname="Late")  # the cause, fixed in Delius

    browser.get(f"{service.dashboard_url}/dead-letters")
    browser.find_element(By.ID, "crn").send_keys(case.crn)
    browser.find_element(By.ID, "apply-filter").click()
    WebDriverWait(browser, 10).until(ready.url_contains(f"crn={case.crn}"))
    assert row_status(browser, received.event_id) == "parked"
    assert "NotFound" in browser.find_element(By.CSS_SELECTOR, f'tr[data-event-id="{received.event_id}"]').text
    browser.find_element(By.CSS_SELECTOR, f'tr[data-event-id="{received.event_id}"] .requeue-one').click()
    WebDriverWait(browser, 10).until(
        ready.text_to_be_present_in_element((By.ID, "notice"), "Re-enqueued 1 dead letter: #")
    )

    applied = wait_for_outcome(service.state, received.event_id, "applied")
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda b: row_status(b, received.event_id) == "resolved")
    browser.save_screenshot(str(artifacts_dir / "dashboard.png"))

    assert applied.attempts == 1
    [letter] = service.state.operator_view.list_dead_letters(DeadLetterFilter(crn=case.crn)).items
    assert (letter.status, letter.requeue_count) == ("resolved", 1)
    browser.get(f"{service.dashboard_url}/outcomes?q={received.event_id}")
    outcomes = [r.get_attribute("data-outcome") for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-outcome]")]
    assert outcomes == ["applied"]  # one row per event: its failure is in the dead letter's history


def test_dashboard_asks_for_flowers_basic_auth(service, anonymous_browser):
    # A navigation would stop at the browser's credentials prompt; a fetch that omits credentials shows the answer.
    anonymous_browser.get(f"{service.dashboard_url}/static/favicon.ico")
    fetch = (
        "return fetch(arguments[0], {credentials: 'omit'})"
        ".then(r => r.text().then(body => [r.status, r.headers.get('WWW-Authenticate'), body]))"
    )
    page = anonymous_browser.execute_script(fetch, "/dead-letters")
    api = anonymous_browser.execute_script(fetch, "/api/dead-letters")

    assert page == [401, 'Basic realm="flower"', "Access denied"]
    assert api[0] == 401
