import json

import pytest
import requests

from allocations.config import RetryBudget, Settings
from allocations.errors import InvalidMessage, WorkloadUnavailable
from allocations.workload.client import MAX_DETAIL_BYTES, WorkloadClient
from allocations.workload.token import ClientCredentialsToken


class FakeResponse:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self.text = body if isinstance(body, str) else json.dumps(body)


class FakeTokenSession:
    """Answers token POSTs from a script and remembers what was asked."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.posts = []

    def post(self, url, **kwargs):
        self.posts.append((url, kwargs))
        return self.answers.pop(0)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def token(name, expires_in=1200):
    return FakeResponse(200, {"access_token": name, "token_type": "bearer", "expires_in": expires_in})


def make(session, clock):
    return ClientCredentialsToken(session, "https://auth.example/token", "id", "secret", timeout=(1, 2), clock=clock)


def test_token_request_is_a_client_credentials_grant_with_basic_auth_and_timeouts():
    session = FakeTokenSession(token("t1"))

    assert make(session, Clock()).current() == "t1"

    url, kwargs = session.posts[0]
    assert url == "https://auth.example/token"
    assert kwargs["data"] == "grant_type=client_credentials"
    assert kwargs["auth"] == ("id", "secret")
    assert kwargs["timeout"] == (1, 2)
    assert kwargs["allow_redirects"] is False


def test_token_is_reused_until_a_safety_margin_before_expiry():
    clock, session = Clock(), FakeTokenSession(token("t1", 1200), token("t2", 1200))
    tokens = make(session, clock)

    first = tokens.current()
    clock.now += 1169
    still = tokens.current()
    clock.now += 1
    renewed = tokens.current()

    assert (first, still, renewed) == ("t1", "t1", "t2")


def test_short_lived_token_keeps_a_tenth_of_its_life_as_margin():
    clock, session = Clock(), FakeTokenSession(token("t1", 10), token("t2", 10))
    tokens = make(session, clock)
    tokens.current()

    clock.now += 8.9
    assert tokens.current() == "t1"
    clock.now += 0.1
    assert tokens.current() == "t2"


def test_token_without_lifetime_is_kept_until_refused():
    clock = Clock()
    session = FakeTokenSession(FakeResponse(200, {"access_token": "t1", "token_type": "Bearer"}), token("t2"))
    tokens = make(session, clock)
    tokens.current()
    clock.now += 10**6

    assert tokens.current() == "t1"
    assert tokens.renew("t1") == "t2"


def test_renewing_an_already_replaced_token_fetches_nothing():
    session = FakeTokenSession(token("t1"), token("t2"))
    tokens = make(session, Clock())
    tokens.current()
    tokens.renew("t1")

    assert tokens.renew("t1") == "t2"
    assert len(session.posts) == 2


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (FakeResponse(401, {"error": "invalid_client"}), "HMPPS Auth answered HTTP 401"),
        (FakeResponse(500, "down"), "HMPPS Auth answered HTTP 500"),
        (FakeResponse(200, {"token_type": "bearer"}), "unusable token response"),
        (FakeResponse(200, {"error": "invalid_scope"}), "unusable token response"),
        (FakeResponse(200, "<html>"), "unusable token response"),
        (FakeResponse(200, {"access_token": "t", "token_type": "mac"}), "not a bearer token"),
    ],
)
def test_token_endpoint_failures_are_transient(response, problem):
    with pytest.raises(WorkloadUnavailable, match=problem):
        make(FakeTokenSession(response), Clock()).current()


def settings(**overrides):
    values = {
        "database_url": "postgresql+psycopg://db/delius",
        "state_database_url": "postgresql+psycopg://db/delius",
        "sqs_queue": "events",
        "sqs_dlq": "events-dlq",
        "aws_region": "eu-west-2",
        "sqs_endpoint_url": None,
        "workload_allowed_urls": ("https://workload.example/allocation/",),
        "oauth_token_url": "https://auth.example/auth/oauth/token",
        "oauth_client_id": "id",
        "oauth_client_secret": "secret",
        "delius_username": "HMPPSAllocations",
        "http_connect_timeout": 1.5,
        "http_read_timeout": 4.0,
        "retry": RetryBudget(),
    }
    return Settings(**{**values, **overrides})


def test_client_from_settings_uses_the_allow_list_and_timeouts():
    with WorkloadClient.from_settings(settings()) as client:
        assert client._timeout == (1.5, 4.0)
        with pytest.raises(InvalidMessage, match="not an allowed Workload URL"):
            client.fetch_json("https://elsewhere.example/allocation/person/1")


def test_client_refuses_to_start_without_a_usable_allow_list():
    with pytest.raises(ValueError, match="not an absolute http"):
        WorkloadClient.from_settings(settings(workload_allowed_urls=("workload.example",)))


def answering(content: bytes):
    response = requests.Response()
    response.status_code = 200
    response._content = content
    response._content_consumed = True
    client = WorkloadClient("https://auth.example/token", "id", "secret", ["https://workload.example/"])
    client._token.current = lambda: "t"
    client._get = lambda *_: response
    return client


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000 + b"]" * 100_000, b'{"n": ' + b"9" * 5_000 + b"}", b"\xff\xfe{", b"[1]", b"not json"],
)
def test_a_detail_body_that_cannot_be_read_is_invalid_not_retried(content):
    with pytest.raises(InvalidMessage, match="JSON"):
        answering(content).fetch_json("https://workload.example/allocation/person/1")


def test_a_detail_body_bigger_than_any_detail_is_invalid_before_it_is_parsed():
    client = answering(b'{"notes": "' + b"x" * MAX_DETAIL_BYTES + b'"}')
    with pytest.raises(InvalidMessage, match="more than"):
        client.fetch_json("https://workload.example/allocation/person/1")
