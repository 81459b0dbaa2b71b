"""Business-calendar arithmetic: nights, weekends, Chinese holidays, 调休 working days, custom dates, pauses."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.sla.rules import (
    ALWAYS,
    Calendar,
    Conditions,
    Facts,
    add_working_time,
    clock,
    clock_state,
    is_open_at,
    next_deadline,
    parse_hours,
    short_duration,
    working_time_between,
)

SH = ZoneInfo("Asia/Shanghai")
OFFICE = Calendar(hours=parse_hours({str(d): [["09:00", "18:00"]] for d in range(5)}))
CHINA = Calendar(hours=OFFICE.hours, use_china_holidays=True)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(2026, 11, 23, 10), 2, at(2026, 11, 23, 12)),  # Monday morning: same day
        (at(2026, 11, 23, 17), 2, at(2026, 11, 24, 10)),  # crosses the night
        (at(2026, 11, 23, 20), 1, at(2026, 11, 24, 10)),  # starts after hours: counts from 9:00
        (at(2026, 11, 23, 6), 1, at(2026, 11, 23, 10)),  # starts before hours
        (at(2026, 11, 27, 17), 2, at(2026, 11, 30, 10)),  # Friday evening → Monday
        (at(2026, 11, 28, 12), 1, at(2026, 11, 30, 10)),  # Saturday counts nothing
        (at(2026, 11, 23, 9), 9 * 5, at(2026, 11, 27, 18)),  # exactly a working week
    ],
)
def test_add_working_time_skips_nights_and_weekends(start, hours, expected):
    """Working time only advances inside the weekday hours."""
    assert add_working_time(start, timedelta(hours=hours), OFFICE) == expected


def test_national_day_holiday_is_skipped_with_china_holidays():
    """A ticket on 30 September waits through the Golden Week (1–7 October 2026 are days off)."""
    # given a calendar using mainland China's statutory holidays
    # when two working hours are added at 17:00 on 30 September 2026
    due = add_working_time(at(2026, 9, 30, 17), timedelta(hours=2), CHINA)
    # then the clock resumes on the first working day after the holiday
    assert due == at(2026, 10, 8, 10)


def test_adjusted_working_saturday_counts_with_china_holidays():
    """调休: a Saturday that is an official working day uses the weekday hours."""
    # given a Saturday that mainland China makes a working day (14 February 2026, before Spring Festival)
    saturday = date(2026, 2, 14)
    assert saturday.weekday() == 5
    # when an hour is added on Friday at 17:30
    due = add_working_time(at(2026, 2, 13, 17, 30), timedelta(hours=1), CHINA)
    # then the second half-hour falls on the Saturday morning
    assert due == at(2026, 2, 14, 9, 30)
    # and a calendar without China's holidays skips that Saturday
    assert add_working_time(at(2026, 2, 13, 17, 30), timedelta(hours=1), OFFICE) == at(2026, 2, 16, 9, 30)


def test_custom_holiday_and_custom_working_day_win():
    """Custom dates override both the weekday hours and the statutory calendar."""
    cal = Calendar(
        hours=OFFICE.hours, holidays=frozenset({date(2026, 11, 24)}), workdays=frozenset({date(2026, 11, 28)})
    )
    # Monday 17:00 + 2 h: Tuesday is a company holiday, so Wednesday 10:00
    assert add_working_time(at(2026, 11, 23, 17), timedelta(hours=2), cal) == at(2026, 11, 25, 10)
    # Friday 17:00 + 2 h: the custom working Saturday counts
    assert add_working_time(at(2026, 11, 27, 17), timedelta(hours=2), cal) == at(2026, 11, 28, 10)


def test_always_open_calendar_counts_every_second():
    """A 24/7 calendar (chat) is plain elapsed time."""
    start = at(2026, 10, 1, 3)
    assert add_working_time(start, timedelta(seconds=30), ALWAYS) == start + timedelta(seconds=30)
    assert working_time_between(start, start + timedelta(days=2), ALWAYS) == timedelta(days=2)


def test_working_time_between_counts_only_working_hours():
    """From Friday 17:00 to Monday 10:00 there are two working hours."""
    assert working_time_between(at(2026, 11, 27, 17), at(2026, 11, 30, 10), OFFICE) == timedelta(hours=2)
    assert working_time_between(at(2026, 11, 30, 10), at(2026, 11, 27, 17), OFFICE) == timedelta(0)


def test_split_shift_hours_are_respected():
    """Lunch breaks: two intervals a day."""
    cal = Calendar(hours=parse_hours({"0": [["13:00", "18:00"], ["09:00", "12:00"]]}))
    assert add_working_time(at(2026, 11, 23, 11), timedelta(hours=2), cal) == at(2026, 11, 23, 14)


def test_parse_hours_rejects_backwards_interval():
    with pytest.raises(ValueError):
        parse_hours({"0": [["18:00", "09:00"]]})


def test_clock_pushes_deadlines_back_by_paused_time():
    """Time spent waiting on the customer moves both the warning and the due time."""
    start = at(2026, 11, 23, 9)
    plain = clock(start=start, target=timedelta(hours=4), paused=timedelta(0), warning_percent=80, cal=OFFICE)
    assert plain.warn_at == at(2026, 11, 23, 12, 12)
    assert plain.due == at(2026, 11, 23, 13)
    paused = clock(
        start=start, target=timedelta(hours=4), paused=timedelta(hours=6), warning_percent=80, cal=OFFICE
    )
    assert paused.due == at(2026, 11, 24, 10)


def test_clock_without_target_has_no_times():
    assert (
        clock(start=at(2026, 1, 5, 9), target=None, paused=timedelta(0), warning_percent=80, cal=OFFICE).due
        is None
    )


def test_conditions_match_when_every_list_is_empty_or_contains_the_value():
    facts = Facts(category="complaint", priority="high", severity="major", tier="vip", channel="chat")
    assert Conditions().match(facts)
    assert Conditions(categories=["complaint"], severities=["major"]).match(facts)
    assert not Conditions(categories=["complaint"], channels=["email"]).match(facts)


def test_next_deadline_is_the_earliest_pending_moment():
    assert next_deadline([None, at(2026, 1, 2), at(2026, 1, 1)]) == at(2026, 1, 1)
    assert next_deadline([None]) is None


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(SH))


@given(start=moments, minutes=st.integers(min_value=0, max_value=60 * 24 * 10))
def test_adding_then_measuring_working_time_round_trips(start, minutes):
    """Property: the working time between a start and its deadline equals the target."""
    amount = timedelta(minutes=minutes)
    due = add_working_time(start, amount, CHINA)
    assert due >= start
    assert working_time_between(start, due, CHINA) == amount


@given(start=moments, a=st.integers(0, 5000), b=st.integers(0, 5000))
def test_working_time_is_additive(start, a, b):
    """Property: adding a then b minutes lands where adding a + b does."""
    first = add_working_time(start, timedelta(minutes=a), OFFICE)
    assert add_working_time(first, timedelta(minutes=b), OFFICE) == add_working_time(
        start, timedelta(minutes=a + b), OFFICE
    )


def test_clock_state_shows_first_response_then_resolution():
    """The clock follows the first unmet target and turns to warning, breached or paused."""
    now = at(2026, 11, 23, 12)
    first = (at(2026, 11, 23, 11), at(2026, 11, 23, 13), False)
    resolution = (None, at(2026, 11, 25, 9), False)
    assert clock_state(first=first, resolution=resolution, paused=False, now=now).state == "warning"
    met = (first[0], first[1], True)
    shown = clock_state(first=met, resolution=resolution, paused=False, now=now)
    assert (shown.target, shown.state) == ("resolution", "ok")
    late = clock_state(first=first, resolution=resolution, paused=False, now=at(2026, 11, 23, 14))
    assert (late.state, late.seconds) == ("breached", 3600)
    assert clock_state(first=first, resolution=resolution, paused=True, now=now).state == "paused"
    assert clock_state(first=met, resolution=(None, None, False), paused=False, now=now) is None


def test_a_paused_clock_stands_where_the_pause_began():
    """Paused with 1 h left it shows 1 h left however long the pause; paused after the due moment, the miss."""
    first = (at(2026, 11, 23, 11), at(2026, 11, 23, 13), False)
    resolution = (None, at(2026, 11, 25, 9), False)
    waiting = clock_state(first=first, resolution=resolution, paused=True, now=at(2026, 11, 24, 9),
                          paused_since=at(2026, 11, 23, 12))
    assert (waiting.state, waiting.seconds) == ("paused", 3600)
    missed = clock_state(first=first, resolution=resolution, paused=True, now=at(2026, 11, 24, 9),
                         paused_since=at(2026, 11, 23, 15))
    assert (missed.state, missed.seconds) == ("paused", -7200)


@pytest.mark.parametrize(
    ("seconds", "parts"), [(0, (0, 0, 0)), (59, (0, 0, 1)), (3600, (0, 1, 0)), (90061, (1, 1, 2))]
)
def test_short_duration_rounds_up_to_the_minute(seconds, parts):
    assert short_duration(seconds) == parts


def test_is_open_at_follows_the_calendars_hours_in_its_time_zone():
    calendar = Calendar(tz=ZoneInfo("Asia/Shanghai"), hours={0: ((time(9), time(18)),)})
    monday_10_beijing = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    monday_20_beijing = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    tuesday = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

    assert is_open_at(calendar, monday_10_beijing)
    assert not is_open_at(calendar, monday_20_beijing)
    assert not is_open_at(calendar, tuesday)
    assert is_open_at(Calendar(always_open=True), monday_20_beijing)
