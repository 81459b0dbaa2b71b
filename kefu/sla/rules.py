"""Pure SLA maths: working time on business calendars, deadlines with pauses, policy matching. No ORM."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

MAX_DAYS = 3 * 366  # a deadline further than this is a configuration error, not a date to wait for

Interval = tuple[time, time]


@dataclass(frozen=True)
class Calendar:
    """When the service center works: hours per weekday (0 = Monday), holidays and extra working days.

    With `use_china_holidays`, mainland China's statutory holidays are days off and its adjusted working
    days (调休) are working days, with the hours of the first weekday that has any. Custom `holidays` and
    `workdays` win over both.
    """

    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")
    hours: Mapping[int, Sequence[Interval]] = field(default_factory=dict)
    always_open: bool = False
    use_china_holidays: bool = False
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def intervals(self, day: date) -> Sequence[Interval]:
        """The working intervals of one local day (empty on a day off)."""
        own = self.hours.get(day.weekday(), ())
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return own or self._weekday_hours()
        if self.use_china_holidays:
            try:
                working = chinese_calendar.is_workday(day)
            except NotImplementedError:  # a year the package does not know yet: plain weekdays
                return own
            if not working:
                return ()
            return own or self._weekday_hours()
        return own

    def _weekday_hours(self) -> Sequence[Interval]:
        for weekday in range(5):
            if self.hours.get(weekday):
                return self.hours[weekday]
        return ()


ALWAYS = Calendar(always_open=True)
OFFICE_HOURS = ((time(9), time(18)),)
END_OF_DAY = time.max  # "24:00", the end of a range that runs to midnight


def parse_time(text: str) -> time:
    """`"09:30"` as a time; `"24:00"` (only sensible as the end of a range) is `END_OF_DAY`."""
    return END_OF_DAY if text.strip() == "24:00" else time.fromisoformat(text.strip())


def range_end(day: date, end: time, tz: ZoneInfo) -> datetime:
    """The moment a range of `day` ends: a range ending at 24:00 ends at the next day's midnight."""
    if end == END_OF_DAY:
        return datetime.combine(day + timedelta(days=1), time(0), tz)
    return datetime.combine(day, end, tz)


def parse_hours(raw: Mapping[str, Iterable[Sequence[str]]]) -> dict[int, list[Interval]]:
    """Read `{"0": [["09:00", "18:00"]], …}` (weekday → intervals) as stored in a calendar's JSON."""
    hours: dict[int, list[Interval]] = {}
    for weekday, intervals in raw.items():
        parsed = [(parse_time(start), parse_time(end)) for start, end in intervals]
        if any(start >= end for start, end in parsed):
            raise ValueError(f"an interval must end after it starts: {weekday}")
        hours[int(weekday)] = sorted(parsed)
    return hours


def working_spans(
    cal: Calendar, start: datetime, *, days: int = MAX_DAYS
) -> Iterable[tuple[datetime, datetime]]:
    """Working spans (aware, UTC-comparable) from `start` on, in order, over the next `days` days; a span
    running at `start` is cut to begin there."""
    local = start.astimezone(cal.tz)
    for offset in range(days):
        day = local.date() + timedelta(days=offset)
        for begin, end in cal.intervals(day):
            span_start = datetime.combine(day, begin, cal.tz)
            until = range_end(day, end, cal.tz)
            if until > start:
                yield max(span_start, start), until


def add_working_time(start: datetime, amount: timedelta, cal: Calendar) -> datetime:
    """The moment when `amount` of working time has passed since `start`."""
    if amount <= timedelta(0):
        return start
    if cal.always_open:
        return start + amount
    left = amount
    for span_start, span_end in working_spans(cal, start):
        length = span_end - span_start
        if left <= length:
            return span_start + left
        left -= length
    raise ValueError("no working time in the calendar within three years")


def is_open_at(cal: Calendar, moment: datetime) -> bool:
    """Whether `moment` falls in the calendar's working hours (a shift, a chat site's opening hours)."""
    if cal.always_open:
        return True
    local = moment.astimezone(cal.tz)
    now = local.time()
    return any(
        start <= now and (now < end or end == END_OF_DAY) for start, end in cal.intervals(local.date())
    )


def working_time_between(start: datetime, end: datetime, cal: Calendar) -> timedelta:
    """How much working time lies between two moments (zero if `end` is not after `start`)."""
    if end <= start:
        return timedelta(0)
    if cal.always_open:
        return end - start
    total = timedelta(0)
    for span_start, span_end in working_spans(cal, start):
        if span_start >= end:
            break
        total += min(span_end, end) - span_start
    return total


@dataclass(frozen=True)
class Clock:
    """One SLA target's times: when to warn and when it is breached (None: no target)."""

    warn_at: datetime | None
    due: datetime | None


def clock(
    *, start: datetime, target: timedelta | None, paused: timedelta, warning_percent: int, cal: Calendar
) -> Clock:
    """Warning and due times of a target started at `start`, pushed back by the working time spent paused."""
    if target is None:
        return Clock(None, None)
    warn_after = target * warning_percent / 100
    return Clock(
        warn_at=add_working_time(start, warn_after + paused, cal) if 0 < warning_percent < 100 else None,
        due=add_working_time(start, target + paused, cal),
    )


@dataclass(frozen=True)
class Facts:
    """What a policy's conditions look at."""

    category: str | None
    priority: str | None
    severity: str
    tier: str
    channel: str


@dataclass(frozen=True)
class Conditions:
    """A policy's conditions: each list empty means any value."""

    categories: Sequence[str] = ()
    priorities: Sequence[str] = ()
    severities: Sequence[str] = ()
    tiers: Sequence[str] = ()
    channels: Sequence[str] = ()

    def match(self, facts: Facts) -> bool:
        pairs = (
            (self.categories, facts.category),
            (self.priorities, facts.priority),
            (self.severities, facts.severity),
            (self.tiers, facts.tier),
            (self.channels, facts.channel),
        )
        return all(not allowed or value in allowed for allowed, value in pairs)


def next_deadline(moments: Iterable[datetime | None]) -> datetime | None:
    """The earliest of the pending moments (what the sweeper waits for)."""
    pending = [moment for moment in moments if moment is not None]
    return min(pending) if pending else None


@dataclass(frozen=True)
class ClockState:
    """What a ticket's SLA clock shows: which target, its due time and the state (ok, warning, breached, paused)."""

    target: str
    due: datetime
    state: str
    seconds: int  # left (ok/warning) or over (breached), never negative


def clock_state(
    *,
    first: tuple[datetime | None, datetime | None, bool],
    resolution: tuple[datetime | None, datetime | None, bool],
    paused: bool,
    now: datetime,
    paused_since: datetime | None = None,
) -> ClockState | None:
    """The clock to show: the first unmet target's (warn_at, due, met) — first response before resolution.

    A paused clock stands still where the pause began: its seconds are what was left then, negative when
    the target had already been missed (the due moment moves on only when the clock runs again).
    """
    for target, (warn_at, due, met) in (("first_response", first), ("resolution", resolution)):
        if met or due is None:
            continue
        if paused:
            return ClockState(target, due, "paused", int((due - (paused_since or now)).total_seconds()))
        if due <= now:
            return ClockState(target, due, "breached", int((now - due).total_seconds()))
        state = "warning" if warn_at is not None and warn_at <= now else "ok"
        return ClockState(target, due, state, int((due - now).total_seconds()))
    return None


def short_duration(seconds: int) -> tuple[int, int, int]:
    """Days, hours and minutes of a duration (seconds rounded up to the minute)."""
    minutes = -(-seconds // 60)
    return minutes // 1440, minutes % 1440 // 60, minutes % 60
