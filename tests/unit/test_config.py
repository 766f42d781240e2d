import pytest

from allocations.config import ConfigurationError, load_settings, mask_url_password

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
    optional = ["STATE_DATABASE_URL", "SQS_DLQ", "CELERY_BROKER_URL", "RETRY_MAX_RETRIES", "AWS_REGION", "LOG_FORMAT"]
    for name in [*REQUIRED, *optional, "AWS_ENDPOINT_URL_SQS"]:
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
        "http://workload.example/allocation/",
        "https://workload.example/allocation/..;/",
        " , ",
    ],
)
def test_malformed_allowed_workload_urls_fail_at_start_up_naming_the_variable(environment, urls):
    environment.setenv("WORKLOAD_ALLOWED_URLS", urls)
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    lines = str(raised.value).splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == ["WORKLOAD_ALLOWED_URLS"]


def test_allowed_workload_urls_may_be_http_with_a_port_on_a_loopback_host(environment):
    environment.setenv("WORKLOAD_ALLOWED_URLS", "http://127.0.0.1:8090/allocation/")
    assert load_settings().workload_allowed_urls == ("http://127.0.0.1:8090/allocation/",)


def test_log_format_defaults_to_text_and_takes_json_in_any_case(environment):
    environment.delenv("LOG_FORMAT", raising=False)
    assert load_settings().log_format == "text"
    environment.setenv("LOG_FORMAT", " JSON ")
    assert load_settings().log_format == "json"


def test_an_unknown_log_format_fails_at_start_up_naming_the_variable(environment):
    environment.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert str(raised.value).splitlines()[1:] == ["  LOG_FORMAT: Must be one of: text, json."]


def test_repr_and_str_show_no_secret_nor_any_password_in_a_url(environment):
    secrets = ["s3cr3t-Client-Value", "Delius-Pa55", "St@te/Pa55:word", "Query-Pa55"]
    environment.setenv("OAUTH_CLIENT_SECRET", secrets[0])
    environment.setenv("DATABASE_URL", f"postgresql+psycopg://delius_app:{secrets[1]}@db.example:5432/delius")
    environment.setenv("STATE_DATABASE_URL", f"postgresql+psycopg://state:{secrets[2]}@state-db.example/allocations")
    environment.setenv("AWS_ENDPOINT_URL_SQS", f"https://sqs.example/?sslmode=require&password={secrets[3]}")

    settings = load_settings()

    for shown in (repr(settings), str(settings), f"{settings}", f"{settings!r}"):
        assert not [secret for secret in secrets if secret in shown]
        assert "oauth_client_secret='***'" in shown
        assert "database_url='postgresql+psycopg://delius_app:***@db.example:5432/delius'" in shown
        assert "state_database_url='postgresql+psycopg://state:***@state-db.example/allocations'" in shown
        assert "sqs_endpoint_url='https://sqs.example/?sslmode=require&password=***'" in shown
        assert "oauth_client_id='client'" in shown
    assert settings.oauth_client_secret == secrets[0]
    assert secrets[1] in settings.database_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:5432/test", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        ("postgresql+psycopg://db.example:5432/delius", "postgresql+psycopg://db.example:5432/delius"),
        ("redis://:r3dis-Pa55@cache.example:6379/0", "redis://:***@cache.example:6379/0"),
        ("rediss://default:a@b/c@cache.example:6380/0", "rediss://default:***@cache.example:6380/0"),
        ("postgresql://u@h/db?PASSWORD=x&sslmode=require", "postgresql://u@h/db?PASSWORD=***&sslmode=require"),
    ],
)
def test_url_passwords_are_masked_and_nothing_else_changes(url, shown):
    assert mask_url_password(url) == shown
