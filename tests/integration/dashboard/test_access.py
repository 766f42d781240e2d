"""Who may act, through the real launcher (Flower + extension): viewers, operators, no authentication, OAuth, XSRF."""

import re

import pytest
import requests
from conftest import PASSWORD, USER, start_dashboard
from tornado.web import create_signed_value

VIEWER, VIEWER_PASSWORD = "viewer", "viewer-pass"
COOKIE_SECRET = "test-cookie-secret"
# Flower's endpoints that make workers run, stop or change anything, each with the method Flower serves it on.
FLOWER_CONTROL = [
    ("POST", "/api/task/async-apply/allocations.write_allocation"),
    ("POST", "/api/task/apply/allocations.write_allocation"),
    ("POST", "/api/task/send-task/allocations.write_allocation"),
    ("POST", "/api/task/revoke/0d3c5f1e-0000-4000-8000-000000000000?terminate=true"),
    ("POST", "/api/task/abort/0d3c5f1e-0000-4000-8000-000000000000"),
    ("POST", "/api/task/timeout/allocations.write_allocation"),
    ("POST", "/api/task/rate-limit/allocations.write_allocation"),
    ("POST", "/api/worker/shutdown/celery@host"),
    ("POST", "/api/worker/pool/restart/celery@host"),
    ("POST", "/api/worker/pool/grow/celery@host"),
    ("POST", "/api/worker/queue/add-consumer/celery@host"),
]


@pytest.fixture(scope="module")
def two_roles(stack, sqs_queues):
    running = start_dashboard(
        stack,
        FLOWER_BASIC_AUTH=f"{USER}:{PASSWORD},{VIEWER}:{VIEWER_PASSWORD}",
        DASHBOARD_OPERATORS=f" {USER.upper()} ",
    )
    yield running
    running.process.stop()


@pytest.fixture(scope="module")
def unauthenticated(stack, sqs_queues):
    running = start_dashboard(stack, FLOWER_BASIC_AUTH="", FLOWER_UNAUTHENTICATED_API="true")
    yield running
    running.process.stop()


@pytest.fixture(scope="module")
def local_opt_out(stack, sqs_queues):
    running = start_dashboard(
        stack, FLOWER_BASIC_AUTH="", FLOWER_UNAUTHENTICATED_API="true", DASHBOARD_ALLOW_ANONYMOUS_ACTIONS="true"
    )
    yield running
    running.process.stop()


@pytest.fixture(scope="module")
def oauth(stack, sqs_queues):
    running = start_dashboard(
        stack,
        FLOWER_BASIC_AUTH="",
        FLOWER_AUTH=".*@justice.gov.uk",
        FLOWER_COOKIE_SECRET=COOKIE_SECRET,
        DASHBOARD_OPERATORS="alice@justice.gov.uk",
    )
    yield running
    running.process.stop()


def session_as(user: str | None, password: str = "") -> requests.Session:
    session = requests.Session()
    if user is not None:
        session.auth = (user, password)
    return session


def oauth_session(email: str) -> requests.Session:
    # The cookie Flower's OAuth login sets once the provider has named the user.
    session = requests.Session()
    session.cookies.set("user", create_signed_value(COOKIE_SECRET, "user", email).decode())
    return session


def form_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    page.raise_for_status()
    return re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1) if "_xsrf" in page.text else ""


def cookie_token(session: requests.Session, dashboard) -> str:
    session.get(f"{dashboard.base_url}/dead-letters", timeout=10).raise_for_status()
    return session.cookies["_xsrf"]


def requeue_form(session, dashboard, dead_letter_id, token):
    return session.post(
        f"{dashboard.base_url}/dead-letters/requeue",
        data={"_xsrf": token, "one": dead_letter_id},
        allow_redirects=False,
        timeout=10,
    )


def requeue_api(session, dashboard, dead_letter_id, token):
    return session.post(
        f"{dashboard.base_url}/api/dead-letters/requeue",
        json={"ids": [dead_letter_id]},
        headers={"X-XSRFToken": token},
        timeout=10,
    )


def test_a_viewer_sees_the_dead_letters_but_every_action_is_refused(two_roles, park, store):
    dead_letter_id = park("viewer-cannot")
    viewer = session_as(VIEWER, VIEWER_PASSWORD)
    page = viewer.get(f"{two_roles.base_url}/dead-letters", timeout=10).text
    token = cookie_token(viewer, two_roles)
    before = two_roles.queued()

    form = requeue_form(viewer, two_roles, dead_letter_id, token)
    api = requeue_api(viewer, two_roles, dead_letter_id, token)
    discard = viewer.post(
        f"{two_roles.base_url}/api/dead-letters/discard",
        json={"ids": [dead_letter_id], "reason": "viewer tries"},
        headers={"X-XSRFToken": token},
        timeout=10,
    )
    redrive = viewer.post(
        f"{two_roles.base_url}/api/sqs-dlq/redrive", json={}, headers={"X-XSRFToken": token}, timeout=10
    )

    assert 'data-event-id="viewer-cannot"' in page
    assert "requeue-one" not in page
    assert 'id="requeue-selected"' not in page
    assert "Signed in as viewer, a viewer" in page
    assert [r.status_code for r in (form, api, discard, redrive)] == [403, 403, 403, 403]
    assert "only operators (DASHBOARD_OPERATORS) may act" in api.text
    assert store.operator_view.get_dead_letter(dead_letter_id).status == "parked"
    assert two_roles.queued() == before


def test_an_operator_named_in_any_case_acts_and_the_history_names_them(two_roles, park, store):
    dead_letter_id = park("operator-can")
    operator = session_as(USER, PASSWORD)
    before = two_roles.queued()
    page = operator.get(f"{two_roles.base_url}/dead-letters", timeout=10).text

    response = requeue_api(operator, two_roles, dead_letter_id, cookie_token(operator, two_roles))

    assert "requeue-one" in page
    assert response.status_code == 200
    assert response.json()["message"] == f"Re-enqueued 1 dead letter: #{dead_letter_id}"
    assert store.operator_view.history(dead_letter_id)[-1].detail == USER
    assert two_roles.queued() == before + 1


def test_forms_and_the_api_need_the_xsrf_token_even_under_basic_auth(two_roles, park, store):
    dead_letter_id = park("xsrf-check")
    operator = session_as(USER, PASSWORD)
    token = form_token(operator, f"{two_roles.base_url}/sqs-dlq")

    form_without = requeue_form(operator, two_roles, dead_letter_id, "")
    form_forged = requeue_form(operator, two_roles, dead_letter_id, "2|00000000|" + "0" * 32 + "|0")
    redrive_without = operator.post(f"{two_roles.base_url}/sqs-dlq/redrive", data={"max": "1"}, timeout=10)
    redrive_with = operator.post(
        f"{two_roles.base_url}/sqs-dlq/redrive", data={"_xsrf": token, "max": "1"}, allow_redirects=False, timeout=10
    )
    form_with = requeue_form(operator, two_roles, dead_letter_id, token)

    assert [form_without.status_code, form_forged.status_code, redrive_without.status_code] == [403, 403, 403]
    assert "XSRF" in form_without.text or "_xsrf" in form_without.text
    assert (redrive_with.status_code, form_with.status_code) == (303, 303)
    assert store.operator_view.get_dead_letter(dead_letter_id).status == "requeued"


@pytest.mark.parametrize(("method", "path"), FLOWER_CONTROL)
def test_flowers_task_and_worker_control_endpoints_are_closed_to_everyone(two_roles, method, path):
    operator = session_as(USER, PASSWORD)
    token = cookie_token(operator, two_roles)
    before = two_roles.queued()

    response = operator.request(
        method,
        two_roles.base_url + path,
        json={"args": [{"crn": "X999999", "staffCode": "FORGED"}]},
        headers={"X-XSRFToken": token},
        timeout=10,
    )

    assert response.status_code == 403
    assert response.text.startswith("Disabled by the allocations dashboard")
    assert two_roles.queued() == before


def test_flowers_read_only_api_still_answers(two_roles):
    operator = session_as(USER, PASSWORD)

    assert operator.get(f"{two_roles.base_url}/api/task/types", timeout=10).status_code == 200
    assert operator.get(f"{two_roles.base_url}/api/workers", timeout=10).status_code == 200


def test_without_flower_authentication_pages_show_but_nothing_acts(unauthenticated, park, store):
    dead_letter_id = park("no-auth")
    anonymous = session_as(None)
    page = anonymous.get(f"{unauthenticated.base_url}/dead-letters", timeout=10)
    token = anonymous.cookies["_xsrf"]

    form = requeue_form(anonymous, unauthenticated, dead_letter_id, token)
    api = requeue_api(anonymous, unauthenticated, dead_letter_id, token)
    listed = anonymous.get(f"{unauthenticated.base_url}/api/dead-letters", timeout=10)

    assert page.status_code == 200
    assert "requeue-one" not in page.text
    assert "this dashboard has no Flower authentication" in page.text
    assert (form.status_code, api.status_code, listed.status_code) == (403, 403, 200)
    assert store.operator_view.get_dead_letter(dead_letter_id).status == "parked"
    assert unauthenticated.queued() == 0


def test_the_local_stacks_opt_out_lets_anonymous_visitors_act_and_says_so(local_opt_out, park, store):
    dead_letter_id = park("local-anonymous")
    anonymous = session_as(None)

    response = requeue_api(anonymous, local_opt_out, dead_letter_id, cookie_token(anonymous, local_opt_out))

    assert response.status_code == 200
    assert store.operator_view.history(dead_letter_id)[-1].detail == "anonymous (local stack)"


def test_oauth_users_act_by_their_e_mail_and_others_are_viewers(oauth, park, store):
    alice_letter, bob_letter = park("oauth-alice"), park("oauth-bob")
    alice, bob = oauth_session("alice@justice.gov.uk"), oauth_session("bob@justice.gov.uk")
    stranger = oauth_session("eve@example.com")

    by_alice = requeue_api(alice, oauth, alice_letter, cookie_token(alice, oauth))
    by_bob = requeue_api(bob, oauth, bob_letter, cookie_token(bob, oauth))
    strangers_page = stranger.get(f"{oauth.base_url}/dead-letters", allow_redirects=False, timeout=10)

    assert by_alice.status_code == 200
    assert store.operator_view.history(alice_letter)[-1].detail == "alice@justice.gov.uk"
    assert by_bob.status_code == 403
    assert "Signed in as bob@justice.gov.uk, a viewer" in by_bob.text
    assert store.operator_view.get_dead_letter(bob_letter).status == "parked"
    assert strangers_page.status_code == 302  # to Flower's login: not a user at all
