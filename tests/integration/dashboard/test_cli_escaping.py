"""What the CLI prints from events and errors cannot drive the terminal: control characters arrive escaped."""

import json

import pytest
from conftest import received

from allocations.state.ledger import Attempt
from allocations.state.recording import Failure

HOSTILE = ["\x1b[2J", "\r", "\u202e", "\x9b", "\x07"]  # clear screen, carriage return, RTL override, CSI, bell


@pytest.fixture
def hostile_dead_letter(store):
    event = received("cli-hostile\x1b[2J", crn="X1\u202e2\r")
    event.payload["detailUrl"] = "http://127.0.0.1:9/allocation/person/\x1b]0;owned\x07"
    store.dead_letter(
        Attempt(event, 3, "task-hostile"),
        Failure("NotFound", "Staff \x1b[31mN01A001\x1b[0m not found\rall fine", "Traceback\n  \x9b2J boom"),
    )
    return next(
        d.id for d in store.operator_view.list_dead_letters(None, limit=500).items if d.event_id == event.event_id
    )


def assert_terminal_safe(output: str) -> None:
    assert output
    for character in HOSTILE:
        assert character not in output, f"{character!r} printed raw"


def test_text_output_escapes_every_control_character_from_events_and_errors(cli, hostile_dead_letter):
    listed = cli("dead-letters", "list").output
    shown = cli("dead-letters", "show", str(hostile_dead_letter)).output
    outcomes = cli("outcomes", "X1\u202e2\r").output

    for output in (listed, shown, outcomes):
        assert_terminal_safe(output)
    assert "cli-hostile\\x1b[2J" in listed
    assert "X1\\u202e2\\x0d" in shown
    assert "Staff \\x1b[31mN01A001\\x1b[0m not found\\x0dall fine" in shown
    assert "\\x9b2J boom" in shown
    assert "Traceback\n" in shown  # newlines of a traceback stay lines


def test_json_output_holds_the_same_values_escaped_by_json_itself(cli, hostile_dead_letter):
    output = cli("dead-letters", "show", str(hostile_dead_letter), "--json").output

    assert_terminal_safe(output)
    shown = json.loads(output)
    assert shown["dead_letter"]["crn"] == "X1\u202e2\r"  # nothing lost: the JSON decodes to the stored value
