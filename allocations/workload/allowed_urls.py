"""The SSRF guard: a ``detailUrl`` is fetched only when it lies under one of the configured URL prefixes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urlsplit

from allocations.errors import InvalidMessage

if TYPE_CHECKING:
    from collections.abc import Iterable

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class UrlPrefix:
    """A normalised prefix: scheme, host and port must be equal, and the path must continue at a segment boundary."""

    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, prefix: str) -> UrlPrefix:
        """Normalise ``prefix``; raise ValueError when it is not an absolute http(s) URL."""
        parts = urlsplit(prefix.strip())
        scheme, host, port = _origin(parts)
        if parts.username is not None or parts.password is not None:
            raise ValueError(f"allowed URL prefix must not carry credentials: {prefix!r}")
        return cls(scheme, host, port, parts.path)

    def admits(self, parts: SplitResult) -> bool:
        """True when ``parts`` (an already vetted URL) lies under this prefix."""
        if _origin(parts) != (self.scheme, self.host, self.port):
            return False
        if not self.path or self.path.endswith("/"):
            return parts.path.startswith(self.path)
        return parts.path == self.path or parts.path.startswith(self.path + "/")


def parse_prefixes(prefixes: Iterable[str]) -> tuple[UrlPrefix, ...]:
    """Every configured prefix, normalised; raise ValueError when there is none or one is malformed."""
    parsed = tuple(UrlPrefix.parse(prefix) for prefix in prefixes if prefix.strip())
    if not parsed:
        raise ValueError("at least one allowed Workload URL prefix is required")
    return parsed


def check_allowed(url: str, prefixes: Iterable[UrlPrefix]) -> None:
    """Raise InvalidMessage unless ``url`` lies under one of ``prefixes``."""
    refused = InvalidMessage(f"detailUrl is not an allowed Workload URL: {url}", url=url)
    try:
        parts = urlsplit(url)
        _origin(parts)
    except ValueError:
        raise refused from None
    if parts.username is not None or parts.password is not None or "\\" in url:
        raise refused
    # A server may resolve dot segments (even percent-encoded ones) after the prefix check.
    if any(segment in {".", ".."} for segment in unquote(parts.path).split("/")):
        raise refused
    if not any(prefix.admits(parts) for prefix in prefixes):
        raise refused


def _origin(parts: SplitResult) -> tuple[str, str, int]:
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an absolute http(s) URL: {parts.geturl()!r}")
    return scheme, host, parts.port or _DEFAULT_PORTS[scheme]
