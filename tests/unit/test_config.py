import pytest

from allocations.config import ConfigurationError, load_settings

REQUIRED = {
    "DATABASE_URL": "postgresql+psycopg://delius@db.example/delius",
    "SQS_QUEUE": "workforce-allocations-events",
    "WORKLOAD_ALLOWED_URLS": "https://workload.example/allocation/, https://other.example/",
    "OAUTH_TOKEN_URL": "https://auth.example/auth/oauth/token",
    "OAUTH_CLIENT_ID": "client",
    "OAUTH_CLIENT_SECRET": "secret",
}


@pytest.fixture
def environment(monkeypatch):
    for name in [*REQUIRED, "STATE_DATABASE_URL", "SQS_DLQ", "CELERY_BROKER_URL", "RETRY_MAX_RETRIES", "AWS_REGION"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in REQUIRED.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_defaults_fill_everything_optional(environment):
    settings = load_settings()
    assert settings.state_database_url == REQUIRED["DATABASE_URL"]
    assert settings.sqs_dlq == "workforce-allocations-events-dlq"
    assert settings.aws_region == "eu-west-2"
    assert settings.delius_username == "HMPPSAllocations"
    assert settings.workload_allowed_urls == ("https://workload.example/allocation/", "https://other.example/")
    assert settings.oauth_token_url == "https://auth.example/auth/oauth/token"
    assert (settings.retry.first_delay, settings.retry.max_delay, settings.retry.max_retries) == (2.0, 300.0, 8)


def test_every_missing_or_malformed_variable_gets_its_own_line(environment):
    environment.delenv("DATABASE_URL")
    environment.delenv("OAUTH_CLIENT_SECRET")
    environment.setenv("RETRY_MAX_RETRIES", "eight")
    environment.setenv("OAUTH_TOKEN_URL", "not a url")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    lines = str(raised.value).splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == [
        "DATABASE_URL",
        "OAUTH_CLIENT_SECRET",
        "OAUTH_TOKEN_URL",
        "RETRY_MAX_RETRIES",
    ]


@pytest.mark.parametrize(
    "urls",
    [
        "workload.example/allocation/",
        "https://workload.example/, /allocation/",
        "ftp://workload.example/",
        "https:///allocation/",
        "https://user:password@workload.example/",
        "https://workload.example:port/",
        " , ",
    ],
)
def test_malformed_allowed_workload_urls_fail_at_start_up_naming_the_variable(environment, urls):
    environment.setenv("WORKLOAD_ALLOWED_URLS", urls)
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    lines = str(raised.value).splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == ["WORKLOAD_ALLOWED_URLS"]


def test_allowed_workload_urls_may_be_http_with_a_port(environment):
    environment.setenv("WORKLOAD_ALLOWED_URLS", "http://127.0.0.1:8090/allocation/")
    assert load_settings().workload_allowed_urls == ("http://127.0.0.1:8090/allocation/",)
