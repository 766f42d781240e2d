"""The tests' command runner stops a command that overruns with SIGTERM, so the command can stop what it started."""

import sys

import pytest
from support.commands import run_command

STOPS_ON_SIGTERM = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *_: (print('stopping its children', flush=True), sys.exit(3)))\n"
    "print('started', flush=True)\n"
    "time.sleep(30)\n"
)


def test_a_command_that_ends_in_time_gives_its_exit_status_and_output():
    result = run_command([sys.executable, "-c", "print('done'); raise SystemExit(2)"], timeout=30)

    assert (result.returncode, result.stdout) == (2, "done\n")


def test_a_command_that_overruns_is_asked_to_stop_and_the_test_fails_with_its_output():
    with pytest.raises(AssertionError, match="still running after 1 s") as failure:
        run_command([sys.executable, "-c", STOPS_ON_SIGTERM], timeout=1)

    assert "started\nstopping its children" in str(failure.value)
