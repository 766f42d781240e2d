"""The SSRF guard: a ``detailUrl`` is fetched only when it lies under one of the configured URL prefixes.

The path is judged as a server might read it, not only as written: a server or a proxy in front of it may decode
percent-escapes (once, or again), resolve ``.`` and ``..`` segments, drop Tomcat/Spring path parameters (``..;x``
is ``..``) and read a backslash or an encoded slash as a separator. Any of these is refused before the prefix check.

Plain ``http`` is allowed only to a loopback host (``localhost``, ``127.0.0.0/8``, ``::1``): the local stack and the
tests. Everywhere else a prefix, and so a ``detailUrl``, must be ``https``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urlsplit

from allocations.errors import InvalidMessage

if TYPE_CHECKING:
    from collections.abc import Iterable

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = {"localhost"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class UrlPrefix:
    """A normalised prefix: scheme, host and port must be equal, and the path must continue at a segment boundary."""

    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, prefix: str) -> UrlPrefix:
        """Normalise ``prefix``; raise ValueError unless it is an absolute https URL (http for a loopback host)."""
        parts = urlsplit(prefix.strip())
        scheme, host, port = _origin(parts)
        if parts.username is not None or parts.password is not None:
            raise ValueError(f"allowed URL prefix must not carry credentials: {prefix!r}")
        if scheme != "https" and not is_loopback(host):
            raise ValueError(f"allowed URL prefix must be https unless its host is loopback: {prefix!r}")
        if _path_problem(parts.path) is not None:
            raise ValueError(f"allowed URL prefix has an ambiguous path: {prefix!r}")
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
    """Raise InvalidMessage, saying why, unless ``url`` lies under one of ``prefixes``."""
    reason = refusal(url, prefixes)
    if reason is not None:
        raise InvalidMessage(f"detailUrl is not an allowed Workload URL ({reason}): {url}", url=url)


def refusal(url: str, prefixes: Iterable[UrlPrefix]) -> str | None:
    """Why ``url`` may not be fetched, or None when it lies under one of ``prefixes``."""
    try:
        parts = urlsplit(url)
        scheme, host, _ = _origin(parts)
    except ValueError:
        return "not an absolute http(s) URL"
    reason = _authority_problem(url, parts, scheme, host) or _path_problem(parts.path)
    if reason is None and not any(prefix.admits(parts) for prefix in prefixes):
        reason = "outside every allowed prefix"
    return reason


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (``127.0.0.0/8``, ``::1``); never a name that merely resolves there."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authority_problem(url: str, parts: SplitResult, scheme: str, host: str) -> str | None:
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "carries credentials"
    if "\\" in url:
        return "contains a backslash"
    if scheme != "https" and not is_loopback(host):
        return "plain http to a host that is not loopback"
    return None


def _path_problem(path: str) -> str | None:
    """What in ``path`` a server could read differently from the prefix check, or None."""
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        # Overlong forms such as %c0%ae were read as a dot by some servers.
        return "percent-encoding that is not UTF-8 in the path"
    checks = (
        # %252e, %252f, %25%32%65 ...: decoded twice somewhere, it becomes a dot or a separator.
        (unquote(decoded) != decoded, "double percent-encoding in the path"),
        ("\\" in decoded, "an encoded backslash in the path"),
        (decoded.count("/") != path.count("/"), "an encoded slash in the path"),
        (_CONTROL.search(decoded) is not None, "a control character in the path"),
    )
    return next((reason for found, reason in checks if found), None) or _dot_segment(decoded)


def _dot_segment(decoded_path: str) -> str | None:
    for segment in decoded_path.split("/"):
        name, parameters, _ = segment.partition(";")
        if name in {".", ".."}:
            # Tomcat and Spring drop path parameters before resolving dot segments: ``..;x`` is ``..``.
            return f"a dot segment ({name}{parameters}) in the path"
    return None


def _origin(parts: SplitResult) -> tuple[str, str, int]:
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an absolute http(s) URL: {parts.geturl()!r}")
    return scheme, host, parts.port or _DEFAULT_PORTS[scheme]
