"""Writing business calendars (their weekly hours, holidays and 调休 working days) and what reads them back.

Each write checks `accounts.manage_configuration`, validates into `InvalidInput` with a translated message,
saves in one transaction and records an audit row. Rows are saved one by one (never `QuerySet.update()`):
a cache of calendars listens to their `post_save` / `post_delete` signals.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import record
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.sla import rules
from kefu.sla.models import BusinessCalendar, CalendarDate, SlaPolicy

MANAGE_CONFIGURATION = "accounts.manage_configuration"
CALENDAR_FIELDS = ("name", "time_zone", "always_open", "use_china_holidays")
LOOK_AHEAD_DAYS = 400  # past a year of days off (a closed calendar) there is no next opening to show
WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


@dataclass(frozen=True)
class DateEntry:
    """A custom day of a calendar: a day off (holiday) or an extra working day (调休), with a note."""

    day: date
    is_working_day: bool
    note: str = ""


@dataclass(frozen=True)
class Usage:
    """Who uses a calendar: teams and agents for shift hours, SLA policies, chat sites for opening hours."""

    teams: int = 0
    agents: int = 0
    policies: int = 0
    chat_sites: int = 0

    @property
    def total(self) -> int:
        return self.teams + self.agents + self.policies + self.chat_sites


@dataclass(frozen=True)
class Opening:
    """Whether a calendar is open at a moment, until when, and when it opens next (None: not within a year)."""

    is_open: bool
    until: datetime | None = None
    next_open: datetime | None = None


# --- validation ----------------------------------------------------------------------------------


def _require(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.has_perm(MANAGE_CONFIGURATION)):
        raise NotAllowed()


def check_time_zone(name: str) -> str:
    """The IANA time zone name, stripped; an unknown one is an `InvalidInput` on `time_zone`."""
    name = (name or "").strip()
    try:
        if not name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            _("Unknown time zone: use a name such as Asia/Shanghai."), field="time_zone"
        ) from None
    return name


def _time(text: Any, weekday: int) -> time:
    try:
        value = rules.parse_time(str(text))
    except ValueError:
        raise InvalidInput(
            _("%(day)s: %(value)s is not a time like 09:00.") % {"day": weekday_name(weekday), "value": text},
            field=f"hours_{weekday}",
        ) from None
    if value != rules.END_OF_DAY and (value.second or value.microsecond):
        raise InvalidInput(
            _("%(day)s: give times in hours and minutes, like 09:00.") % {"day": weekday_name(weekday)},
            field=f"hours_{weekday}",
        )
    return value


def check_day_ranges(ranges: Iterable[Sequence[Any]], weekday: int) -> list[list[str]]:
    """One weekday's opening ranges, sorted as `[["09:00", "12:00"], …]`: each ends after it starts and
    none overlaps another (errors name the weekday and are on the field `hours_<weekday>`)."""
    parsed: list[tuple[time, time]] = []
    for pair in ranges:
        if isinstance(pair, str) or len(pair) != 2:
            raise InvalidInput(
                _("%(day)s: each range needs a start and an end.") % {"day": weekday_name(weekday)},
                field=f"hours_{weekday}",
            )
        start, end = _time(pair[0], weekday), _time(pair[1], weekday)
        if end <= start:
            raise InvalidInput(
                _("%(day)s: the range %(start)s–%(end)s ends before it starts.")
                % {"day": weekday_name(weekday), "start": _hhmm(start), "end": _hhmm(end)},
                field=f"hours_{weekday}",
            )
        parsed.append((start, end))
    parsed.sort()
    for (first_start, first_end), (second_start, second_end) in pairwise(parsed):
        if second_start < first_end:
            raise InvalidInput(
                _("%(day)s: the ranges %(first)s and %(second)s overlap.")
                % {
                    "day": weekday_name(weekday),
                    "first": f"{_hhmm(first_start)}–{_hhmm(first_end)}",
                    "second": f"{_hhmm(second_start)}–{_hhmm(second_end)}",
                },
                field=f"hours_{weekday}",
            )
    return [[_hhmm(start), _hhmm(end)] for start, end in parsed]


def check_hours(hours: Mapping[Any, Any]) -> dict[str, list[list[str]]]:
    """Weekly hours as stored (`{"0": [["09:00", "18:00"]], …}`, 0 = Monday); closed days are left out."""
    if not isinstance(hours, Mapping):
        raise InvalidInput(_("Working hours must map weekdays 0–6 to ranges."), field="hours")
    cleaned: dict[str, list[list[str]]] = {}
    for key, ranges in hours.items():
        try:
            weekday = int(key)
        except (TypeError, ValueError):
            weekday = -1
        if not 0 <= weekday <= 6 or not isinstance(ranges, list | tuple):
            raise InvalidInput(_("Working hours must map weekdays 0–6 to ranges."), field="hours")
        day = check_day_ranges(ranges, weekday)
        if day:
            cleaned[str(weekday)] = day
    return dict(sorted(cleaned.items()))


def check_dates(entries: Iterable[DateEntry]) -> list[DateEntry]:
    """Custom days sorted by date; each date at most once, notes trimmed to 100 characters."""
    seen: dict[date, DateEntry] = {}
    for entry in entries:
        if not isinstance(entry.day, date) or isinstance(entry.day, datetime):
            raise InvalidInput(_("A custom day needs a date like 2026-10-10."), field="dates")
        if entry.day in seen:
            raise InvalidInput(
                _("%(date)s is listed twice.") % {"date": entry.day.isoformat()}, field="dates"
            )
        seen[entry.day] = DateEntry(entry.day, bool(entry.is_working_day), " ".join(entry.note.split())[:100])
    return [seen[day] for day in sorted(seen)]


# --- writes --------------------------------------------------------------------------------------


def save_calendar(
    *,
    actor,
    values: Mapping[str, Any],
    dates: Iterable[DateEntry] | None = None,
    calendar: BusinessCalendar | None = None,
) -> BusinessCalendar:
    """Create (no `calendar`) or change a business calendar; `dates` (when given) replaces its custom days.

    `values` may hold `name`, `time_zone`, `always_open`, `use_china_holidays` and `hours`.
    """
    _require(actor)
    unknown = set(values) - {*CALENDAR_FIELDS, "hours"}
    if unknown:
        raise InvalidInput(_("Unknown field: %(name)s") % {"name": ", ".join(sorted(unknown))})
    cleaned = _clean_values(values)
    wanted = check_dates(dates) if dates is not None else None
    with transaction.atomic():
        creating = calendar is None
        if creating:
            calendar = BusinessCalendar()
        else:
            calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        before = {} if creating else _snapshot(calendar)
        for name, value in cleaned.items():
            setattr(calendar, name, value)
        try:
            with transaction.atomic():
                calendar.save()
        except IntegrityError:
            raise InvalidInput(_("A calendar with this name exists already."), field="name") from None
        if wanted is not None:
            _replace_dates(calendar, wanted)
            calendar.save()  # once more after its days changed: the calendar cache listens to this row
        after = _snapshot(calendar)
        changes = {
            name: [before.get(name), value] for name, value in after.items() if before.get(name) != value
        }
        if creating or changes:
            action = "businesscalendar.create" if creating else "businesscalendar.update"
            record(actor=actor, action=action, obj=calendar, changes=changes)
    return calendar


def _clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in values:
        cleaned["name"] = " ".join(str(values["name"] or "").split())
        if not cleaned["name"]:
            raise InvalidInput(_("Give the calendar a name."), field="name")
        if len(cleaned["name"]) > 100:
            raise InvalidInput(_("A name has at most 100 characters."), field="name")
    if "time_zone" in values:
        cleaned["time_zone"] = check_time_zone(values["time_zone"])
    for flag in ("always_open", "use_china_holidays"):
        if flag in values:
            cleaned[flag] = bool(values[flag])
    if "hours" in values:
        cleaned["hours"] = check_hours(values["hours"] or {})
    return cleaned


def _replace_dates(calendar: BusinessCalendar, wanted: list[DateEntry]) -> None:
    """Make the calendar's custom days exactly `wanted`, touching only rows that change (each saved or
    deleted on its own, so their signals fire)."""
    existing = {row.date: row for row in CalendarDate.objects.filter(calendar=calendar)}
    keep = {entry.day for entry in wanted}
    for day, row in existing.items():
        if day not in keep:
            row.delete()
    for entry in wanted:
        row = existing.get(entry.day) or CalendarDate(calendar=calendar, date=entry.day)
        if row.pk and (row.is_working_day, row.note) == (entry.is_working_day, entry.note):
            continue
        row.is_working_day, row.note = entry.is_working_day, entry.note
        row.save()


def _snapshot(calendar: BusinessCalendar) -> dict[str, Any]:
    """JSON-safe values for the audit diff, its custom days as `2026-10-10 off 国庆节` lines."""
    days = CalendarDate.objects.filter(calendar=calendar).order_by("date") if calendar.pk else []
    return {
        **{name: getattr(calendar, name) for name in CALENDAR_FIELDS},
        "hours": calendar.hours,
        "dates": [
            f"{d.date.isoformat()} {'work' if d.is_working_day else 'off'} {d.note}".strip() for d in days
        ],
    }


def delete_calendar(*, actor, calendar: BusinessCalendar) -> None:
    """Delete a calendar nothing uses; one in use (by a team, an agent, a policy or a chat site) is refused."""
    _require(actor)
    with transaction.atomic():
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        usage = usage_of([calendar.pk])[calendar.pk]
        if usage.total:
            raise InvalidInput(
                _(
                    "%(name)s is still used by %(teams)s teams, %(agents)s agents, %(policies)s SLA policies "
                    "and %(sites)s chat sites; choose another calendar there first."
                )
                % {
                    "name": calendar.name,
                    "teams": usage.teams,
                    "agents": usage.agents,
                    "policies": usage.policies,
                    "sites": usage.chat_sites,
                }
            )
        record(
            actor=actor,
            action="businesscalendar.delete",
            obj=calendar,
            changes={"name": [calendar.name, None]},
        )
        for row in CalendarDate.objects.filter(calendar=calendar):
            row.delete()
        calendar.delete()


# --- reads ---------------------------------------------------------------------------------------


def usage_of(calendar_ids: Iterable[int]) -> dict[int, Usage]:
    """Calendar id → who uses it, in four queries whatever the number of calendars."""
    from kefu.accounts.models import Team, User
    from kefu.chat.models import ChatSite

    ids = list(calendar_ids)
    counts: dict[str, dict[int, int]] = {}
    for key, model, column in (
        ("teams", Team, "shift_calendar"),
        ("agents", User, "shift_calendar"),
        ("policies", SlaPolicy, "calendar"),
        ("chat_sites", ChatSite, "calendar"),
    ):
        rows = (
            model.objects.filter(**{f"{column}__in": ids}).values(column).annotate(n=Count("pk")).order_by()
        )
        counts[key] = {row[column]: row["n"] for row in rows}
    return {pk: Usage(**{key: counts[key].get(pk, 0) for key in counts}) for pk in ids}


def opening(cal: rules.Calendar, now: datetime) -> Opening:
    """Open or closed at `now`; if open, until when (the end of the running span); if closed, the next opening."""
    if cal.always_open:
        return Opening(is_open=True)
    for span_start, span_end in rules.working_spans(cal, now, days=LOOK_AHEAD_DAYS):
        if span_start <= now:  # a span running now is cut to begin at `now`
            return Opening(is_open=True, until=span_end)
        return Opening(is_open=False, next_open=span_start)
    return Opening(is_open=False)


def weekday_name(weekday: int) -> str:
    return str(WEEKDAYS[weekday]) if 0 <= weekday < len(WEEKDAYS) else str(weekday)


def _hhmm(value: time) -> str:
    return "24:00" if value == rules.END_OF_DAY else value.strftime("%H:%M")
