"""Text from outside (an SQS body, an error about it) made safe to show: escaped where unprintable, and bounded.

A peek at a poison message must never fail on the message: a body may be anything SQS accepts, and a string
decoded from a JSON protocol may even hold lone surrogates, which cannot be encoded as UTF-8 for a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHOWN_CHARACTERS = 4000  # a whole domain event fits; a 256 KiB body does not need to

# Control characters other than tab, newline and carriage return (C0, DEL, C1), lone surrogates, and the
# non-characters U+FFFE/U+FFFF: what a page or a terminal cannot show as itself.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Printable:
    r"""Text ready to show, and what was done to it.

    Attributes:
        text: the shown text: unprintable characters as ``\xNN`` / ``\uNNNN`` escapes, cut at the limit.
        size: the original's length in UTF-8 bytes (lone surrogates counted as three bytes each).
        escaped: True when at least one character was replaced by its escape.
        truncated: True when the original was longer than the limit.
    """

    text: str
    size: int
    escaped: bool
    truncated: bool


def printable(text: str, limit: int = SHOWN_CHARACTERS) -> Printable:
    """``text`` escaped and cut to at most ``limit`` characters of the original."""
    size = len(text.encode("utf-8", "surrogatepass"))
    shown = text[:limit]
    escaped, count = _UNPRINTABLE.subn(_escape, shown)
    return Printable(escaped, size, escaped=count > 0, truncated=len(text) > limit)


def printable_text(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """Only the shown text of ``printable``, with ``…`` when it was cut."""
    shown = printable(text, limit)
    return shown.text + ("…" if shown.truncated else "")


# What a terminal would obey rather than show: control characters but tab and newline (so ESC sequences and a
# carriage return that overwrites the line), DEL, C1, lone surrogates, and the bidirectional overrides and isolates
# that reorder what follows them (a CRN that reads as another).
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    r"""``text`` with every character a terminal would act on instead of showing escaped (``\x1b``, ``\u202e``)."""
    return _TERMINAL_UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"  # noqa: PLR2004 - one byte or a UTF-16 unit
