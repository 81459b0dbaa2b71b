"""Writing business calendars through kefu.sla.calendars: validation, custom days, audit, safe deletion,
and the open-now / next-opening answer the /manage/ page shows."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from kefu.audit.models import AuditEntry
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.sla import calendars, rules
from kefu.sla.calendars import DateEntry
from kefu.sla.models import BusinessCalendar, CalendarDate
from kefu.sla.tests.factories import BusinessCalendarFactory, SlaPolicyFactory
from kefu.tests.factories import TeamFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = {"0": [["13:30", "18:00"], ["09:00", "12:00"]], "4": [["09:00", "18:00"]]}


def _values(**overrides) -> dict:
    return {
        "name": "客服中心",
        "time_zone": "Asia/Shanghai",
        "use_china_holidays": True,
        "hours": OFFICE,
    } | overrides


@pytest.mark.django_db
def test_a_calendar_is_created_with_sorted_ranges_and_its_days_and_audited(supervisor):
    """Ranges are stored sorted, custom days as rows, and the creation is in the audit log."""
    calendar = calendars.save_calendar(
        actor=supervisor,
        values=_values(),
        dates=[
            DateEntry(date(2026, 12, 5), True, "调休上班"),
            DateEntry(date(2026, 12, 1), False, "  公司 年会 "),
        ],
    )

    assert calendar.hours == {"0": [["09:00", "12:00"], ["13:30", "18:00"]], "4": [["09:00", "18:00"]]}
    rows = [(d.date, d.is_working_day, d.note) for d in CalendarDate.objects.filter(calendar=calendar)]
    assert rows == [(date(2026, 12, 1), False, "公司 年会"), (date(2026, 12, 5), True, "调休上班")]
    entry = AuditEntry.objects.get(action="businesscalendar.create", object_id=str(calendar.pk))
    assert entry.actor == supervisor and entry.changes["dates"][1] == [
        "2026-12-01 off 公司 年会",
        "2026-12-05 work 调休上班",
    ]


@pytest.mark.django_db
def test_saving_again_replaces_the_custom_days_and_keeps_unchanged_rows(supervisor):
    """An unchanged day keeps its row, a dropped one is deleted, a new one is added; the diff is audited."""
    calendar = calendars.save_calendar(
        actor=supervisor,
        values=_values(),
        dates=[DateEntry(date(2026, 12, 1), False, "年会"), DateEntry(date(2026, 12, 5), True, "调休")],
    )
    kept = CalendarDate.objects.get(date=date(2026, 12, 1))

    calendars.save_calendar(
        actor=supervisor,
        values=_values(name="客服中心 2027"),
        dates=[DateEntry(date(2026, 12, 1), False, "年会"), DateEntry(date(2027, 1, 2), True, "")],
        calendar=calendar,
    )

    days = list(CalendarDate.objects.order_by("date"))
    assert [d.date for d in days] == [date(2026, 12, 1), date(2027, 1, 2)]
    assert days[0].pk == kept.pk
    update = AuditEntry.objects.get(action="businesscalendar.update")
    assert set(update.changes) == {"name", "dates"}


@pytest.mark.django_db
def test_every_change_sends_the_model_signals_a_calendar_cache_listens_to(supervisor):
    """Days and the calendar are saved and deleted row by row (no bulk update that would skip signals)."""
    calendar = calendars.save_calendar(
        actor=supervisor, values=_values(), dates=[DateEntry(date(2026, 12, 5), True, "调休")]
    )
    seen: list[tuple[str, str]] = []

    def saved(sender, instance, **kwargs):
        seen.append(("save", sender.__name__))

    def deleted(sender, instance, **kwargs):
        seen.append(("delete", sender.__name__))

    for model in (BusinessCalendar, CalendarDate):
        post_save.connect(saved, sender=model, weak=False)
        post_delete.connect(deleted, sender=model, weak=False)
    try:
        calendars.save_calendar(
            actor=supervisor, values={}, dates=[DateEntry(date(2026, 12, 6), False)], calendar=calendar
        )
        calendars.delete_calendar(actor=supervisor, calendar=calendar)
    finally:
        for model in (BusinessCalendar, CalendarDate):
            post_save.disconnect(saved, sender=model)
            post_delete.disconnect(deleted, sender=model)

    # the calendar's row is saved again after its days changed, so a cache keyed on either hears of it
    assert seen[:4] == [
        ("save", "BusinessCalendar"),
        ("delete", "CalendarDate"),
        ("save", "CalendarDate"),
        ("save", "BusinessCalendar"),
    ]
    assert ("delete", "BusinessCalendar") in seen and seen.count(("delete", "CalendarDate")) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hours": {"0": [["09:00", "12:00"], ["11:30", "18:00"]]}}, "hours_0"),
        ({"hours": {"2": [["18:00", "09:00"]]}}, "hours_2"),
        ({"hours": {"1": [["9 点", "18:00"]]}}, "hours_1"),
        ({"hours": {"7": [["09:00", "18:00"]]}}, "hours"),
        ({"hours": ["09:00"]}, "hours"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "../etc/passwd"}, "time_zone"),
        ({"name": "   "}, "name"),
    ],
)
def test_bad_hours_time_zones_and_names_are_refused_on_their_field(supervisor, values, field):
    """Overlapping ranges, a range ending before it starts, a non-time, an unknown weekday or time zone."""
    with pytest.raises(InvalidInput) as refused:
        calendars.save_calendar(actor=supervisor, values=_values(**values))

    assert refused.value.field == field
    assert not CalendarDate.objects.exists()


@pytest.mark.django_db
def test_the_same_date_twice_and_a_duplicate_name_are_refused(supervisor):
    """A date is listed at most once; calendar names are unique."""
    twice = [DateEntry(date(2026, 12, 5), True), DateEntry(date(2026, 12, 5), False)]
    with pytest.raises(InvalidInput) as refused:
        calendars.save_calendar(actor=supervisor, values=_values(), dates=twice)
    assert refused.value.field == "dates"

    BusinessCalendarFactory(name="客服中心")
    with pytest.raises(InvalidInput) as duplicate:
        calendars.save_calendar(actor=supervisor, values=_values())
    assert duplicate.value.field == "name"


@pytest.mark.django_db
def test_agents_may_not_write_calendars(agent, outsider):
    """Only holders of accounts.manage_configuration create or delete calendars."""
    calendar = BusinessCalendarFactory()
    for user in (agent, outsider):
        with pytest.raises(NotAllowed):
            calendars.save_calendar(actor=user, values=_values())
        with pytest.raises(NotAllowed):
            calendars.delete_calendar(actor=user, calendar=calendar)


@pytest.mark.django_db
def test_a_calendar_in_use_is_not_deleted_and_an_unused_one_is(supervisor, agent):
    """Teams, agents, SLA policies and chat sites count as users; an unused calendar goes with its days."""
    used, unused = BusinessCalendarFactory(), BusinessCalendarFactory()
    TeamFactory(shift_calendar=used)
    agent.shift_calendar = used
    agent.save()
    SlaPolicyFactory(calendar=used)
    CalendarDate.objects.create(calendar=unused, date=date(2026, 12, 5), is_working_day=True)

    with pytest.raises(InvalidInput) as refused, translation.override("en"):
        calendars.delete_calendar(actor=supervisor, calendar=used)
    calendars.delete_calendar(actor=supervisor, calendar=unused)

    assert "1 teams, 1 agents, 1 SLA policies and 0 chat sites" in str(refused.value.message)
    assert calendars.usage_of([used.pk])[used.pk] == calendars.Usage(teams=1, agents=1, policies=1)
    assert not CalendarDate.objects.exists()
    assert AuditEntry.objects.filter(action="businesscalendar.delete", object_id=str(unused.pk)).exists()


WEEKDAY_HOURS = {day: ((time(9), time(12)), (time(13, 30), time(18))) for day in range(5)}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Monday 10:00: open until the lunch break
        (
            datetime(2026, 11, 30, 10, tzinfo=SHANGHAI),
            calendars.Opening(True, until=datetime(2026, 11, 30, 12, tzinfo=SHANGHAI)),
        ),
        # Monday 12:30: closed for lunch, opens again at 13:30
        (
            datetime(2026, 11, 30, 12, 30, tzinfo=SHANGHAI),
            calendars.Opening(False, next_open=datetime(2026, 11, 30, 13, 30, tzinfo=SHANGHAI)),
        ),
        # Friday evening: the 调休 Saturday opens with Monday's hours
        (
            datetime(2026, 12, 4, 19, tzinfo=SHANGHAI),
            calendars.Opening(False, next_open=datetime(2026, 12, 5, 9, tzinfo=SHANGHAI)),
        ),
        # Monday night: Tuesday is a custom day off, so Wednesday
        (
            datetime(2026, 11, 30, 20, tzinfo=SHANGHAI),
            calendars.Opening(False, next_open=datetime(2026, 12, 2, 9, tzinfo=SHANGHAI)),
        ),
    ],
)
def test_opening_says_until_when_it_is_open_or_when_it_opens_next(moment, expected):
    """Open now until the end of the running range; closed now with the next opening, days off skipped."""
    cal = rules.Calendar(
        tz=SHANGHAI,
        hours=WEEKDAY_HOURS,
        holidays=frozenset({date(2026, 12, 1)}),
        workdays=frozenset({date(2026, 12, 5)}),
    )

    assert calendars.opening(cal, moment) == expected


def test_a_calendar_open_around_the_clock_or_never_says_so():
    """Always open: open with no end; no hours at all: closed with no next opening."""
    now = datetime(2026, 11, 30, 10, tzinfo=SHANGHAI)

    assert calendars.opening(rules.ALWAYS, now) == calendars.Opening(True)
    assert calendars.opening(rules.Calendar(tz=SHANGHAI), now) == calendars.Opening(False)
