import pytest

from allocations.errors import InvalidMessage
from allocations.workload.allowed_urls import check_allowed, parse_prefixes


@pytest.mark.parametrize(
    ("prefix", "url"),
    [
        ("https://w.example", "https://w.example/allocation/person/1"),
        ("https://w.example/", "https://w.example/allocation/person/1"),
        ("https://w.example/allocation/", "https://w.example/allocation/event/1"),
        ("https://w.example/allocation", "https://w.example/allocation/event/1"),
        ("HTTPS://W.Example/allocation/", "https://w.example/allocation/event/1"),
        ("https://w.example/allocation/", "https://W.EXAMPLE:443/allocation/event/1"),
        ("http://127.0.0.1:8090/allocation/", "http://127.0.0.1:8090/allocation/requirements/1?x=1"),
        ("http://localhost:8090/allocation/", "http://LOCALHOST:8090/allocation/person/1"),
        ("http://[::1]:8090/allocation/", "http://[::1]:8090/allocation/person/1"),
        ("http://127.0.0.2/allocation/", "http://127.0.0.2/allocation/person/1"),
        ("https://w.example/allocation/", "https://w.example/allocation/person/a.b..c/%7e;v=1"),
        ("https://w.example/allocation/", "https://w.example/allocation/person/1?next=../../admin&x=%252e"),
        ("https://w.example/allocation/", "https://w.example/allocation/person/100%25zz"),
    ],
)
def test_url_under_an_allowed_prefix_passes(prefix, url):
    check_allowed(url, parse_prefixes([prefix]))


@pytest.mark.parametrize(
    ("prefix", "url"),
    [
        ("https://w.example", "https://w.example.evil/allocation/person/1"),
        ("https://w.example", "https://w.example.evil.test/allocation/person/1"),
        ("https://w.example", "https://w.example@evil.test/allocation/person/1"),
        ("https://w.example", "https://user:pw@w.example/allocation/person/1"),
        ("https://w.example", "http://w.example/allocation/person/1"),
        ("https://w.example", "https://w.example:8443/allocation/person/1"),
        ("https://w.example/allocation", "https://w.example/allocationx/person/1"),
        ("https://w.example/allocation/", "https://w.example/admin"),
        ("https://w.example/allocation/", "https://w.example/allocation/../admin"),
        ("https://w.example/allocation/", "https://w.example/allocation/%2e%2e/admin"),
        ("https://w.example/allocation/", "https://w.example\\@evil.test/allocation/"),
        ("https://w.example", "file:///etc/passwd"),
        ("https://w.example", "/allocation/person/1"),
        ("https://w.example", "https://w.example:notaport/allocation/person/1"),
        ("https://w.example", ""),
    ],
)
def test_url_outside_every_prefix_is_refused_as_invalid(prefix, url):
    with pytest.raises(InvalidMessage, match="detailUrl is not an allowed Workload URL"):
        check_allowed(url, parse_prefixes([prefix]))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://w.example/allocation/..;/admin", "a dot segment (..;) in the path"),
        ("https://w.example/allocation/..;jsessionid=x/admin", "a dot segment (..;) in the path"),
        ("https://w.example/allocation/.;/person/1", "a dot segment (.;) in the path"),
        ("https://w.example/allocation/%2e%2e;/admin", "a dot segment (..;) in the path"),
        ("https://w.example/allocation/%2E./admin", "a dot segment (..) in the path"),
        ("https://w.example/allocation/%252e%252e/admin", "double percent-encoding in the path"),
        ("https://w.example/allocation/%252E%252E/admin", "double percent-encoding in the path"),
        ("https://w.example/allocation/.%252e/admin", "double percent-encoding in the path"),
        ("https://w.example/allocation/%2e%252E/admin", "double percent-encoding in the path"),
        ("https://w.example/allocation/%25%32%65%25%32%65/admin", "double percent-encoding in the path"),
        ("https://w.example/allocation/%252f..%252fadmin", "double percent-encoding in the path"),
        ("https://w.example/allocation/person%2f..%2f..%2fadmin", "an encoded slash in the path"),
        ("https://w.example/allocation/person%2F1", "an encoded slash in the path"),
        ("https://w.example/allocation/..%5cadmin", "an encoded backslash in the path"),
        ("https://w.example/allocation/person%5C1", "an encoded backslash in the path"),
        ("https://w.example/allocation/%c0%ae%c0%ae/admin", "percent-encoding that is not UTF-8 in the path"),
        ("https://w.example/allocation/person/1%00.json", "a control character in the path"),
        ("https://w.example/allocation/..\\admin", "contains a backslash"),
        ("http://w.example/allocation/person/1", "plain http to a host that is not loopback"),
        ("http://127.0.0.1.evil.test/allocation/person/1", "plain http to a host that is not loopback"),
        ("https://u:p@w.example/allocation/person/1", "carries credentials"),
        ("https://w.example/admin", "outside every allowed prefix"),
        ("ftp://w.example/allocation/person/1", "not an absolute http(s) URL"),
    ],
)
def test_each_refusal_says_why(url, reason):
    prefixes = parse_prefixes(["https://w.example/allocation/", "http://127.0.0.1:8090/allocation/"])

    with pytest.raises(InvalidMessage) as raised:
        check_allowed(url, prefixes)

    assert raised.value.message == f"detailUrl is not an allowed Workload URL ({reason}): {url}"
    assert raised.value.properties == {"url": url}


def test_plain_http_is_refused_even_when_a_loopback_prefix_shares_the_path():
    prefixes = parse_prefixes(["http://127.0.0.1:8090/allocation/"])

    with pytest.raises(InvalidMessage, match="plain http to a host that is not loopback"):
        check_allowed("http://w.example:8090/allocation/person/1", prefixes)


def test_any_of_several_prefixes_may_admit_a_url():
    prefixes = parse_prefixes(["https://a.example/allocation/", "https://b.example/allocation/"])

    check_allowed("https://b.example/allocation/person/1", prefixes)
    with pytest.raises(InvalidMessage):
        check_allowed("https://c.example/allocation/person/1", prefixes)


@pytest.mark.parametrize(
    "prefixes",
    [
        [],
        [" "],
        ["w.example/allocation"],
        ["ftp://w.example/"],
        ["https://u:p@w.example"],
        ["http://w.example/allocation/"],
        ["http://10.0.0.1/allocation/"],
        ["https://w.example/allocation/..;/"],
        ["https://w.example/allocation%2f"],
    ],
)
def test_missing_or_malformed_prefixes_are_a_configuration_error(prefixes):
    with pytest.raises(ValueError):
        parse_prefixes(prefixes)
