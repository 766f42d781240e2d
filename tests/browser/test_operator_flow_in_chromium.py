"""An operator filters by error class, previews one, re-enqueues the filtered set after confirming, sees it resolved."""

from datetime import UTC, datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait
from support.polling import wait_until

from allocations.event_types import EventType
from allocations.sqs import sqs_client
from allocations_local.publishing import publish_allocation

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


def wait_for_outcome(state, event_id, outcome, timeout=60.0):
    def reached():
        found = state.operator_view.outcomes_for(event_id)
        return found[0] if found and found[0].outcome == outcome else None

    return wait_until(reached, timeout, 0.2, f"{event_id} {outcome}")


def statuses(browser) -> dict[str, str]:
    rows = browser.find_elements(By.CSS_SELECTOR, "#dead-letters tr[data-event-id]")
    return {
        row.get_attribute("data-event-id"): row.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute(
            "data-status"
        )
        for row in rows
    }


def test_operator_filters_by_error_class_previews_requeues_in_bulk_and_sees_them_resolved(
    service, delius, browser, artifacts_dir
):
    provider = delius.provider(code="N06", description="Bulk Region")
    team = delius.team(provider, code="N06BLK", description="Bulk Team")
    old = delius.staff(team, code="N06OLDA", surname="Old")
    sqs = sqs_client("eu-west-2", service.stack.sqs_endpoint)
    events = []
    for _ in range(2):
        case = delius.case(team, old, START)
        detail = {"crn": case.crn, "staffCode": "N06LATE", "teamCode": team.code, "createdDate": "2025-06-04T13:05:09Z"}
        events.append(
            publish_allocation(
                service.stub, sqs, service.queue_url, event_type=EventType.PERSON, crn=case.crn, detail=detail
            )
        )
    for event in events:
        wait_for_outcome(service.state, event.event_id, "dead-lettered")
    delius.staff(team, code="N06LATE", forename="Lee", surname="Late")  # the cause, fixed in Delius
    ids = {event.event_id for event in events}

    browser.get(f"{service.dashboard_url}/dead-letters")
    browser.find_element(By.ID, "error_class").send_keys("NotFound")
    browser.find_element(By.ID, "staff").send_keys("N06LATE")  # other tests' dead letters share the database
    browser.find_element(By.ID, "apply-filter").click()
    WebDriverWait(browser, 10).until(ready.url_contains("error_class=NotFound"))
    assert statuses(browser) == dict.fromkeys(ids, "parked")
    counts = browser.find_element(By.CSS_SELECTOR, '#counts-by-error-class [data-error-class="NotFound"]')
    assert counts.get_attribute("data-count") == "2"

    first = min(ids)
    browser.find_element(By.CSS_SELECTOR, f'tr[data-event-id="{first}"] input[name="id"]').click()
    browser.find_element(By.ID, "preview-selected").click()
    preview = WebDriverWait(browser, 30).until(lambda b: b.find_element(By.CSS_SELECTOR, "section.preview"))
    assert preview.get_attribute("data-verdict") == "apply"
    assert "offender_manager" in preview.find_element(By.CSS_SELECTOR, "table.preview-rows").text
    browser.save_screenshot(str(artifacts_dir / "dashboard-preview.png"))
    assert service.state.operator_view.outcomes_for(first)[0].outcome == "dead-lettered"  # the preview wrote nothing

    browser.back()
    WebDriverWait(browser, 10).until(ready.url_contains("error_class=NotFound"))
    browser.find_element(By.ID, "requeue-all").click()
    count = WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "confirm-count"))
    assert count.get_attribute("data-count") == "2"
    browser.find_element(By.ID, "confirm").click()
    WebDriverWait(browser, 10).until(ready.text_to_be_present_in_element((By.ID, "notice"), "Re-enqueued 2"))

    for event in events:
        wait_for_outcome(service.state, event.event_id, "applied")
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda b: statuses(b) == dict.fromkeys(ids, "resolved"))
    browser.save_screenshot(str(artifacts_dir / "dashboard-find.png"))
