"""Running one of the project's commands to its end, as a user would, without leaving its children behind."""

from __future__ import annotations

import signal
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

STOP_GRACE = 60.0  # seconds a command asked to stop (SIGTERM) gets to stop its own processes


def run_command(
    argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` to its end; past ``timeout``, stop it with SIGTERM and fail the test with its output.

    ``subprocess.run`` kills a command that overruns with SIGKILL, and the workers and servers the command started
    (each in a session of its own) would run on after it, unowned. SIGTERM lets the command stop them.
    """
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = process.communicate(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        command = " ".join(argv[1:4])
        raise AssertionError(
            f"{command} still running after {timeout} s; stopped. Its output:\n{stdout[-3000:]}{stderr[-3000:]}"
        ) from None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
