"""How the ``allocations`` command prints: every line through ``say``, safe for the terminal it lands on.

What it prints comes from outside (an event's CRN or detail URL, an error message, a traceback, an SQS body): an
escape sequence there could clear the screen or rewrite what an operator reads, a carriage return overwrite a line,
a bidirectional override make one CRN read as another. ``say`` shows each such character as its escape instead.
JSON output needs nothing more: ``json.dumps`` escapes every control and non-ASCII character by default.
"""

from __future__ import annotations

import click

from allocations.printable import terminal_safe


def say(message: object = "", *, err: bool = False) -> None:
    """Print ``message`` as one line (or lines: newlines and tabs are kept), every other control character escaped."""
    click.echo(terminal_safe(str(message)), err=err)
