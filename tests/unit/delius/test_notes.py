from datetime import UTC, datetime

from allocations.delius.steps.notes import (
    ResponsibleOfficerDetails,
    display_name,
    ro_change_notes,
    ro_details,
    transfer_notes,
)

WINTER = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
SUMMER = datetime(2025, 6, 30, 23, 30, 5, tzinfo=UTC)  # already 1 July in London


def test_display_name_skips_a_missing_middle_name():
    assert display_name("Ann", None, "Old") == "Ann Old"
    assert display_name("John", "Paul", "New") == "John Paul New"
    assert display_name("Ann", "  ", "Old") == "Ann Old"


def test_transfer_notes_render_the_london_date_and_end_with_a_blank_line():
    assert transfer_notes(SUMMER, "North East", "Old Team", "Ann Old") == (
        "Transfer Reason: Internal Transfer\n"
        "Transfer Date: 01/07/2025\n"
        "From Trust: North East\n"
        "From Team: Old Team\n"
        "From Officer: Ann Old\n"
        "-------------------------------/\n"
        "\n"
    )


def test_transfer_date_in_winter_is_the_utc_date():
    assert "Transfer Date: 31/01/2025\n" in transfer_notes(WINTER, "P", "T", "O")


def test_ro_details_have_no_space_before_the_team_and_an_end_date_only_when_ended():
    open_ro = ResponsibleOfficerDetails(
        prison=False, staff_name="Ann Old", team="Old Team", provider="North East", start=SUMMER, end=None
    )
    assert ro_details(open_ro) == (
        "Responsible Officer Type: Offender Manager\n"
        "Responsible Officer: Ann Old(Old Team,North East)\n"
        "Start Date: 01/07/2025 00:30:05"
    )
    ended = ResponsibleOfficerDetails(
        prison=True, staff_name="Pia Prison", team="OMU", provider="North East", start=WINTER, end=SUMMER
    )
    assert ro_details(ended).splitlines()[0] == "Responsible Officer Type: Prison Offender Manager"
    assert ro_details(ended).splitlines()[-1] == "End Date: 01/07/2025 00:30:05"


def test_ro_change_notes_put_new_before_previous_and_end_with_the_reason():
    new = ResponsibleOfficerDetails(prison=False, staff_name="N", team="T", provider="P", start=SUMMER, end=None)
    old = ResponsibleOfficerDetails(prison=False, staff_name="O", team="T", provider="P", start=WINTER, end=SUMMER)
    lines = ro_change_notes(new, old, "Officer Left").splitlines()
    assert lines[0] == "New Details:"
    assert lines[4] == "Previous Details:"
    assert lines[-1] == "Allocation Reason: Officer Left"
    assert len(lines) == 10
