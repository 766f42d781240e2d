"""The README's first command: the whole service locally, sample events published, outcomes as expected."""

import sys

from support.commands import run_command
from support.network import free_port


def test_run_local_handles_every_sample_as_expected_and_stops_cleanly(tmp_path, redis_url):
    result = run_command(
        [sys.executable, "-m", "tasks.cli", "run-local", "--exit-after-demo",
         f"--flower-port={free_port()}", f"--data-dir={tmp_path}"],
        timeout=240,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "9 of 9 samples ended as expected" in result.stdout
    assert "outcome: dead-lettered (StaffNotInTeam: Staff N02T01A not in Team N02T02)" in result.stdout
    assert "offender_manager: N02T02A in N02T02" in result.stdout
