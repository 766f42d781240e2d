"""The SSRF guard on paths built of traversal pieces: whatever it admits, a lenient server reads under the prefix.

The "server" here is as lenient as any seen in practice: it decodes percent-escapes up to three times, reads a
backslash as a slash, drops path parameters (``..;x`` is ``..``) and resolves dot segments.
"""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given, settings
from hypothesis import strategies as st
from property_settings import examples
from valid_documents import detail_urls

from allocations.workload.allowed_urls import parse_prefixes, refusal

PREFIXES = parse_prefixes(["https://workload.example/allocation/", "http://127.0.0.1:8090/allocation/"])
PIECES = [
    "person", "1", "a.b", ".", "..", "..;", ".;x", ";", "%2e", "%2E", "%2e%2e", ".%2e", "%252e", "%252E", "%25",
    "%2f", "%2F", "%252f", "%5c", "%5C", "\\", "%c0%ae", "%00", "%3b", "%25%32%65", "//",
]  # fmt: skip
paths = st.lists(st.sampled_from(PIECES), max_size=8).map("/".join)
origins = st.sampled_from(["https://workload.example", "http://127.0.0.1:8090", "http://workload.example"])


def read_by_a_lenient_server(path: str) -> list[str]:
    for _ in range(3):
        path = unquote(path)
    resolved: list[str] = []
    for segment in path.replace("\\", "/").split("/"):
        name = segment.split(";", 1)[0]
        if name == "..":
            if resolved:
                resolved.pop()
        elif name not in {"", "."}:
            resolved.append(name)
    return resolved


@settings(max_examples=examples(600))
@given(origins, paths)
def test_an_admitted_url_resolves_under_its_prefix(origin, path):
    url = f"{origin}/allocation/{path}"

    if refusal(url, PREFIXES) is None:
        assert origin != "http://workload.example"
        assert read_by_a_lenient_server(f"/allocation/{path}")[:1] == ["allocation"]


@settings(max_examples=examples(200))
@given(detail_urls)
def test_every_valid_detail_url_is_admitted(url):
    assert refusal(url, PREFIXES) is None
