"""How /manage/calendars/ reads a weekday's hours text."""

import pytest
from django import forms

from kefu.administration.calendar_forms import CalendarForm, parse_ranges


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("09:00 - 12:00, 13:30 -18:00", [["09:00", "12:00"], ["13:30", "18:00"]]),
        ("09:00 至 18:00", [["09:00", "18:00"]]),
        ("18:00-24:00", [["18:00", "24:00"]]),
    ],
)
def test_spaces_around_the_dash_still_make_one_range(text, ranges):
    assert parse_ranges(text) == ranges


def test_a_lone_dash_is_still_refused():
    with pytest.raises(forms.ValidationError):
        parse_ranges("09:00 -")


def test_an_evening_to_24_00_is_a_valid_weekday():
    """ "18:00 - 24:00" is accepted and stored as the end of the day."""
    form = CalendarForm(data={"name": "夜班", "time_zone": "Asia/Shanghai", "hours_0": "18:00 - 24:00"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["hours"] == {"0": [["18:00", "24:00"]]}
