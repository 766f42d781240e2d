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


def test_any_of_several_prefixes_may_admit_a_url():
    prefixes = parse_prefixes(["https://a.example/allocation/", "https://b.example/allocation/"])

    check_allowed("https://b.example/allocation/person/1", prefixes)
    with pytest.raises(InvalidMessage):
        check_allowed("https://c.example/allocation/person/1", prefixes)


@pytest.mark.parametrize(
    "prefixes", [[], [" "], ["w.example/allocation"], ["ftp://w.example/"], ["https://u:p@w.example"]]
)
def test_missing_or_malformed_prefixes_are_a_configuration_error(prefixes):
    with pytest.raises(ValueError):
        parse_prefixes(prefixes)
