"""The dashboard's JSON API, served by the real launcher (Flower + extension) with basic auth."""

import threading

import requests


def test_api_and_pages_need_flowers_basic_auth(dashboard):
    anonymous = dashboard.session(auth=False)
    wrong = requests.Session()
    wrong.auth = ("operator", "wrong")

    for path in ("/dead-letters", "/api/dead-letters", "/outcomes", "/sqs-dlq"):
        assert anonymous.get(dashboard.base_url + path, timeout=10).status_code == 401
        assert wrong.get(dashboard.base_url + path, timeout=10).status_code == 401
        assert dashboard.session().get(dashboard.base_url + path, timeout=10).status_code == 200


def test_list_filters_by_status_event_type_and_crn_newest_first(dashboard, park, store):
    park("a", "X000001")
    park("b", "X000002", "event.manager.allocated")
    discarded = park("c", "X000001")
    store.operator_view.discard([discarded], "handled by hand")
    session = dashboard.session()

    def event_ids(**params):
        response = session.get(f"{dashboard.base_url}/api/dead-letters", params=params, timeout=10)
        response.raise_for_status()
        return [d["event_id"] for d in response.json()["items"]], response.json()["total"]

    assert event_ids() == (["c", "b", "a"], 3)
    assert event_ids(status="parked") == (["b", "a"], 2)
    assert event_ids(event_type="event.manager.allocated") == (["b"], 1)
    assert event_ids(crn="x000001") == (["c", "a"], 2)
    assert event_ids(limit=1, offset=1) == (["b"], 3)


def test_show_returns_the_event_error_traceback_and_history(dashboard, park):
    dead_letter_id = park("show-me")

    response = dashboard.session().get(f"{dashboard.base_url}/api/dead-letters/{dead_letter_id}", timeout=10)

    document = response.json()
    assert document["dead_letter"]["event"]["event_id"] == "show-me"
    assert document["dead_letter"]["traceback"].startswith("Traceback")
    assert [h["action"] for h in document["history"]] == ["failed"]
    assert dashboard.session().get(f"{dashboard.base_url}/api/dead-letters/999999", timeout=10).status_code == 404


def test_requeue_needs_the_xsrf_token(dashboard, park, store):
    dead_letter_id = park("needs-token")
    session = dashboard.session()

    response = session.post(
        f"{dashboard.base_url}/api/dead-letters/requeue", json={"ids": [dead_letter_id]}, timeout=10
    )

    assert response.status_code == 403
    assert store.operator_view.get_dead_letter(dead_letter_id).status == "parked"


def test_requeue_dispatches_the_task_once_however_often_it_is_repeated(dashboard, park, store):
    dead_letter_id = park("requeue-twice")
    session = dashboard.session()
    headers = {"X-XSRFToken": dashboard.token(session)}
    before = dashboard.queued()

    responses = [
        session.post(
            f"{dashboard.base_url}/api/dead-letters/requeue",
            json={"ids": [dead_letter_id]},
            headers=headers,
            timeout=10,
        ).json()["results"][0]
        for _ in range(3)
    ]

    assert [r["done"] for r in responses] == [True, False, False]
    assert responses[0]["task_url"] == f"/task/{responses[0]['task_id']}"
    assert dashboard.queued() - before == 1
    dead_letter = store.operator_view.get_dead_letter(dead_letter_id)
    assert (dead_letter.status, dead_letter.requeue_count, dead_letter.last_task_id) == (
        "requeued",
        1,
        responses[0]["task_id"],
    )


def test_concurrent_requeues_of_one_row_dispatch_once(dashboard, park):
    dead_letter_id = park("requeue-concurrently")
    sessions = [dashboard.session() for _ in range(4)]
    tokens = [dashboard.token(s) for s in sessions]
    before = dashboard.queued()
    start = threading.Barrier(len(sessions))
    done = []

    def requeue(session, token):
        start.wait()
        response = session.post(
            f"{dashboard.base_url}/api/dead-letters/requeue",
            json={"ids": [dead_letter_id]},
            headers={"X-XSRFToken": token},
            timeout=10,
        )
        done.extend(r["done"] for r in response.json()["results"])

    threads = [threading.Thread(target=requeue, args=pair) for pair in zip(sessions, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(done) == [False, False, False, True]
    assert dashboard.queued() - before == 1


def test_requeue_all_matching_a_filter_takes_only_parked_rows(dashboard, park, store):
    first, second = park("bulk-1", "X000007"), park("bulk-2", "X000007")
    other = park("bulk-3", "X000008")
    store.operator_view.discard([second], "not wanted")
    session = dashboard.session()
    headers = {"X-XSRFToken": dashboard.token(session)}

    response = session.post(
        f"{dashboard.base_url}/api/dead-letters/requeue",
        json={"filter": {"crn": "X000007"}},
        headers=headers,
        timeout=10,
    )
    again = session.post(
        f"{dashboard.base_url}/api/dead-letters/requeue",
        json={"filter": {"crn": "X000007"}},
        headers=headers,
        timeout=10,
    )

    assert [(r["id"], r["done"]) for r in response.json()["results"]] == [(first, True)]
    assert again.json()["results"] == []
    assert store.operator_view.get_dead_letter(other).status == "parked"


def test_discard_requires_a_reason_and_records_who(dashboard, park, store):
    dead_letter_id = park("discard-me")
    session = dashboard.session()
    headers = {"X-XSRFToken": dashboard.token(session)}
    url = f"{dashboard.base_url}/api/dead-letters/discard"

    missing_reason = session.post(url, json={"ids": [dead_letter_id]}, headers=headers, timeout=10)
    first = session.post(url, json={"ids": [dead_letter_id], "reason": "Moved by hand"}, headers=headers, timeout=10)
    second = session.post(url, json={"ids": [dead_letter_id], "reason": "Moved by hand"}, headers=headers, timeout=10)

    assert missing_reason.status_code == 400
    assert first.json()["results"][0]["done"] is True
    assert second.json()["results"][0]["done"] is False
    assert store.operator_view.get_dead_letter(dead_letter_id).discarded_reason == "Moved by hand"
    assert store.operator_view.history(dead_letter_id)[-1].detail == "Moved by hand (by operator)"


def test_outcomes_api_lists_every_outcome_with_flower_task_links(dashboard, park, store):
    park("looked-up", "X000042")

    response = dashboard.session().get(f"{dashboard.base_url}/api/outcomes/X000042", timeout=10)

    [outcome] = response.json()["outcomes"]
    assert (outcome["event_id"], outcome["outcome"]) == ("looked-up", "dead-lettered")
    assert outcome["task_url"] == "/task/task-looked-up"
