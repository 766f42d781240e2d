"""The dashboard's HTML pages and form actions, and Flower's read-only mode."""

import html
import re

from allocations.events import ReceivedEvent
from allocations.sqs import send_event


def form_token(session, url) -> str:
    page = session.get(url, timeout=10)
    page.raise_for_status()
    return re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)


def test_list_page_shows_dead_letters_and_flower_navbar_links_to_it(dashboard, park):
    park("page-row", "X000123")
    session = dashboard.session()

    page = session.get(f"{dashboard.base_url}/dead-letters", params={"crn": "X000123"}, timeout=10).text
    workers = session.get(f"{dashboard.base_url}/workers", timeout=10).text

    assert 'data-event-id="page-row"' in page
    assert "StaffNotInTeam" in page
    assert "1 matching" in page
    assert 'href="/dead-letters"' in workers


def test_requeue_form_posts_with_the_token_and_redirects_with_a_notice(dashboard, park, store):
    dead_letter_id = park("form-requeue")
    session = dashboard.session()
    token = form_token(session, f"{dashboard.base_url}/dead-letters")

    refused = session.post(f"{dashboard.base_url}/dead-letters/requeue", data={"one": dead_letter_id}, timeout=10)
    accepted = session.post(
        f"{dashboard.base_url}/dead-letters/requeue",
        data={"_xsrf": token, "one": dead_letter_id, "crn": "X123456"},
        allow_redirects=False,
        timeout=10,
    )

    assert refused.status_code == 403
    assert accepted.status_code == 303
    assert accepted.headers["Location"].startswith(
        f"/dead-letters?crn=X123456&notice=Re-enqueued+1+dead+letter%3A+%23{dead_letter_id}"
    )
    assert store.operator_view.get_dead_letter(dead_letter_id).status == "requeued"


def test_discard_form_without_a_reason_is_refused(dashboard, park, store):
    dead_letter_id = park("form-discard")
    session = dashboard.session()
    token = form_token(session, f"{dashboard.base_url}/dead-letters/{dead_letter_id}")

    refused = session.post(
        f"{dashboard.base_url}/dead-letters/discard", data={"_xsrf": token, "id": dead_letter_id}, timeout=10
    )
    accepted = session.post(
        f"{dashboard.base_url}/dead-letters/discard",
        data={"_xsrf": token, "id": dead_letter_id, "reason": "Test data", "back": dead_letter_id},
        timeout=10,
    )

    assert refused.status_code == 400
    assert accepted.status_code == 200
    assert f"Discarded 1 dead letter: #{dead_letter_id}" in accepted.text
    assert store.operator_view.get_dead_letter(dead_letter_id).status == "discarded"


def test_detail_page_shows_event_traceback_and_history(dashboard, park):
    dead_letter_id = park("detail-page")

    page = html.unescape(
        dashboard.session().get(f"{dashboard.base_url}/dead-letters/{dead_letter_id}", timeout=10).text
    )

    assert '"event_id": "detail-page"' in page
    assert "Traceback (most recent call last)" in page
    assert "StaffNotInTeam: Staff N01A001 is not a member of team N01T01" in page


def test_outcomes_page_finds_outcomes_by_crn(dashboard, park):
    park("outcome-page", "X000555")

    page = dashboard.session().get(f"{dashboard.base_url}/outcomes", params={"q": "X000555"}, timeout=10).text

    assert 'data-outcome="dead-lettered"' in page
    assert 'href="/task/task-outcome-page"' in page


def test_read_only_mode_refuses_requeue_and_hides_the_buttons(read_only_dashboard, park, store):
    dead_letter_id = park("read-only")
    session = read_only_dashboard.session()
    page = session.get(f"{read_only_dashboard.base_url}/dead-letters", timeout=10)
    token = read_only_dashboard.token(session)

    form = session.post(
        f"{read_only_dashboard.base_url}/dead-letters/requeue", data={"_xsrf": token, "one": dead_letter_id}, timeout=10
    )
    api = session.post(
        f"{read_only_dashboard.base_url}/api/dead-letters/requeue",
        json={"ids": [dead_letter_id]},
        headers={"X-XSRFToken": token},
        timeout=10,
    )

    assert "Read-only mode" in page.text
    assert "requeue-one" not in page.text
    assert (form.status_code, api.status_code) == (403, 403)
    assert "Read only mode is enabled" in api.text
    assert store.operator_view.get_dead_letter(dead_letter_id).status == "parked"
    assert read_only_dashboard.queued() == 0


def test_sqs_dlq_api_peeks_without_consuming_then_redrives(dashboard, sqs_queues):
    client, queue_url, dlq_url = sqs_queues
    send_event(
        client, dlq_url, ReceivedEvent("poison-1", "event.manager.allocated", {"eventType": "event.manager.allocated"})
    )
    client.send_message(QueueUrl=dlq_url, MessageBody="not json")
    session = dashboard.session()
    before = waiting(client, queue_url)

    first = session.get(f"{dashboard.base_url}/api/sqs-dlq", timeout=10).json()
    second = session.get(f"{dashboard.base_url}/api/sqs-dlq", timeout=10).json()
    page = session.get(f"{dashboard.base_url}/sqs-dlq", timeout=10).text
    moved = session.post(
        f"{dashboard.base_url}/api/sqs-dlq/redrive",
        json={},
        headers={"X-XSRFToken": dashboard.token(session)},
        timeout=10,
    ).json()

    assert first["depth"]["visible"] == 2
    assert {m["event_id"] for m in first["messages"]} == {"poison-1", None}
    assert len(second["messages"]) == 2
    assert "is not JSON" in page
    assert moved["result"] == {"method": "receive-send-delete", "moved": 2, "task_handle": None, "requested": None}
    assert moved["message"] == "Moved 2 messages back to the events queue; 0 messages still waiting"
    assert waiting(client, queue_url) == before + 2


def waiting(client, url) -> int:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])
