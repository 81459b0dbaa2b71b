"""Opening hours may run to the end of the day, written 24:00."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.core.errors import InvalidInput
from kefu.sla import calendars, rules

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _evenings() -> rules.Calendar:
    """Monday 18:00–24:00, Tuesday 00:00–02:00."""
    return rules.Calendar(
        tz=SHANGHAI, hours=rules.parse_hours({"0": [["18:00", "24:00"]], "1": [["00:00", "02:00"]]})
    )


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_a_range_to_24_00_counts_until_midnight():
    """Monday 18:00–24:00 then Tuesday 00:00–02:00: one evening shift of eight hours, no gap at midnight."""
    assert rules.working_time_between(at(2026, 11, 30, 17), at(2026, 12, 1, 3), _evenings()) == timedelta(
        hours=8
    )
    assert rules.add_working_time(at(2026, 11, 30, 23), timedelta(hours=2), _evenings()) == at(2026, 12, 1, 1)


def test_a_range_to_24_00_is_open_up_to_the_last_moment_of_the_day():
    assert rules.is_open_at(_evenings(), at(2026, 11, 30, 23, 59, 59, 999999))
    assert not rules.is_open_at(_evenings(), at(2026, 11, 30, 17, 59))


def test_24_00_is_checked_and_stored_as_the_end_of_a_range():
    """The calendar service keeps 24:00 as written; it cannot start a range."""
    assert calendars.check_hours({"5": [["18:00", "24:00"]]}) == {"5": [["18:00", "24:00"]]}
    with pytest.raises(InvalidInput) as refused:
        calendars.check_day_ranges([["24:00", "24:00"]], 5)
    assert refused.value.field == "hours_5"


def test_opening_of_a_range_to_24_00_ends_at_midnight():
    """Monday evening, open until Tuesday 00:00."""
    cal = rules.Calendar(tz=SHANGHAI, hours=rules.parse_hours({"0": [["18:00", "24:00"]]}))

    assert calendars.opening(cal, at(2026, 11, 30, 20)) == calendars.Opening(True, until=at(2026, 12, 1, 0))
