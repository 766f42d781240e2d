"""A viewer sees the dead letters and cannot act; an operator can; the list fits a 1280-pixel window."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from allocations.events import ReceivedEvent
from allocations.state.ledger import Attempt
from allocations.state.recording import Failure

WIDTH = 1280
LONG_ID = "7f3c9a2e-5b1d-4c8e-9f60-" + "a1b2c3d4e5f6" * 3
FORGED_POST = """
const done = arguments[arguments.length - 1];
const token = document.cookie.split('; ').find(c => c.startsWith('_xsrf=')).slice(6);
const body = new URLSearchParams({_xsrf: decodeURIComponent(token), one: arguments[0]});
fetch('/dead-letters/requeue', {method: 'POST', body, redirect: 'manual'}).then(r => done(r.status));
"""


@pytest.fixture
def parked(service):
    ids = []
    for n in range(3):
        event_id = f"{LONG_ID}-{n}"
        url = f"{service.stack.workload_base_url}/allocation/person/{'very-long-path-segment/' * 6}{event_id}"
        event = ReceivedEvent(
            event_id,
            "licence-condition.manager.allocated",
            {
                "eventType": "licence-condition.manager.allocated",
                "detailUrl": url,
                "personReference": {"identifiers": [{"type": "CRN", "value": f"X9{n:05d}"}]},
            },
        )
        failure = Failure("StaffNotInTeam", "Staff N07LATE is not a member of team N07BRW " * 8, "Traceback …")
        service.state.dead_letter(Attempt(event, 9, f"task-{n}", None), failure)
        ids.append(
            next(
                d.id
                for d in service.state.operator_view.list_dead_letters(None, limit=50).items
                if d.event_id == event_id
            )
        )
    return ids


def open_list(browser, service):
    browser.set_window_size(WIDTH, 900)
    browser.get(f"{service.dashboard_url}/dead-letters")
    WebDriverWait(browser, 10).until(ready.presence_of_element_located((By.ID, "dead-letters")))


def test_a_viewer_sees_the_dead_letters_but_has_no_buttons_and_a_forged_post_is_refused(
    service, parked, viewer_browser
):
    open_list(viewer_browser, service)
    rows = viewer_browser.find_elements(By.CSS_SELECTOR, "#dead-letters tr[data-id]")
    shown = {int(row.get_attribute("data-id")) for row in rows}
    status = viewer_browser.execute_async_script(FORGED_POST, parked[0])

    assert set(parked) <= shown
    assert viewer_browser.find_elements(By.CSS_SELECTOR, ".requeue-one, #requeue-selected, #discard-selected") == []
    assert all(not box.is_enabled() for box in viewer_browser.find_elements(By.NAME, "id"))
    assert "Signed in as viewer, a viewer" in viewer_browser.find_element(By.ID, "read-only").text
    assert status == 403
    assert [service.state.operator_view.get_dead_letter(i).status for i in parked] == ["parked"] * 3


def test_an_operator_re_enqueues_and_is_told_what_happened(service, parked, browser):
    open_list(browser, service)
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-id="{parked[1]}"]')
    row.find_element(By.CSS_SELECTOR, ".requeue-one").click()
    WebDriverWait(browser, 10).until(ready.presence_of_element_located((By.ID, "notice")))

    assert browser.find_element(By.ID, "notice").text == f"Re-enqueued 1 dead letter: #{parked[1]}"
    assert service.state.operator_view.history(parked[1])[1].detail == "operator"
    assert service.state.operator_view.get_dead_letter(parked[0]).status == "parked"


def test_the_list_fits_a_1280_pixel_window_with_long_values_cut_and_whole_on_hover(
    service, parked, browser, artifacts_dir
):
    open_list(browser, service)
    widths = browser.execute_script(
        "const t = document.getElementById('dead-letters');"
        "return [window.innerWidth, document.documentElement.scrollWidth, t.scrollWidth, t.parentElement.clientWidth];"
    )
    cell = browser.find_element(By.CSS_SELECTOR, f'tr[data-id="{parked[0]}"] .detail-url')
    shown, whole = browser.execute_script("return [arguments[0].clientWidth, arguments[0].scrollWidth]", cell)
    browser.save_screenshot(str(artifacts_dir / "dead-letters-1280.png"))

    inner, page, table, room = widths
    assert inner <= WIDTH
    assert page <= WIDTH
    assert page <= inner
    assert table <= room
    assert 100 <= shown < whole  # the URL column keeps some room, and the URL is cut to it
    assert cell.get_attribute("title").endswith(f"{LONG_ID}-0")
    assert cell.value_of_css_property("text-overflow") == "ellipsis"
