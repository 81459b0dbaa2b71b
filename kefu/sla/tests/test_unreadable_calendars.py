"""A stored calendar no job can read (an unknown time zone, malformed hours) is skipped, not fatal; the Django
admin refuses to store one."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kefu.core import config_cache
from kefu.routing.services.assignment import calendars_open
from kefu.sla import rules
from kefu.sla.models import BusinessCalendar
from kefu.sla.services import active_policies, calendar_clocks
from kefu.sla.tests.factories import BusinessCalendarFactory, SlaPolicyFactory

pytestmark = pytest.mark.django_db

MONDAY_NIGHT = datetime(2026, 11, 30, 22, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _no_local_copies():
    config_cache.clear_local()
    yield
    config_cache.clear_local()


def _unreadable(**values) -> BusinessCalendar:
    """A calendar written past every form (a raw UPDATE, an old release, a database console)."""
    calendar = BusinessCalendarFactory(name="broken")
    BusinessCalendar.objects.filter(pk=calendar.pk).update(**values)
    return calendar


@pytest.mark.parametrize(
    "values",
    [
        {"time_zone": "Asia/Shangai"},
        {"time_zone": ""},
        {"hours": {"0": [["9 o'clock", "18:00"]]}},
        {"hours": {"0": "09:00-18:00"}},
        {"hours": [["09:00", "18:00"]]},
    ],
)
def test_one_unreadable_calendar_leaves_the_others_working(values, caplog):
    """The shift check of a good calendar still answers; the bad one counts as around the clock, and is logged."""
    good = BusinessCalendarFactory(name="good", time_zone="Asia/Shanghai")  # Mon–Fri 09:00–18:00
    broken = _unreadable(**values)

    with caplog.at_level(logging.ERROR, logger="kefu.sla.services"):
        assert calendars_open([good.pk, broken.pk], MONDAY_NIGHT) == {good.pk: False, broken.pk: True}

    assert calendar_clocks()[broken.pk] == rules.ALWAYS
    assert "broken" in caplog.text


def test_a_policy_on_an_unreadable_calendar_counts_around_the_clock():
    """Its deadlines then come no later than meant, and every other policy is still picked."""
    broken = _unreadable(time_zone="Asia/Shangai")
    SlaPolicyFactory(name="on broken", calendar=broken, business_time=True)
    SlaPolicyFactory(name="plain")

    clocks = {policy.name: clock for policy, _conditions, clock in active_policies()}

    assert clocks == {"on broken": rules.ALWAYS, "plain": rules.ALWAYS}


def _admin_post(**overrides) -> dict:
    data = {
        "name": "客服中心",
        "time_zone": "Asia/Shanghai",
        "hours": '{"0": [["09:00", "18:00"]]}',
        "use_china_holidays": "on",
        "dates-TOTAL_FORMS": "0",
        "dates-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_zone": "Asia/Shangai"}, "time_zone"),
        ({"hours": '{"0": [["18:00", "09:00"]]}'}, "hours"),
        ({"hours": '{"0": [["09:00", "12:00"], ["11:00", "18:00"]]}'}, "hours"),
        ({"hours": '{"9": [["09:00", "18:00"]]}'}, "hours"),
        ({"hours": '{"0": [["09:00:30", "18:00"]]}'}, "hours"),
    ],
)
def test_the_admin_refuses_a_calendar_the_manage_pages_would_refuse(client, admin_user, overrides, field):
    """An unknown time zone, backwards, overlapping, off-week or second-precise hours are form errors."""
    client.force_login(admin_user)

    response = client.post("/admin/sla/businesscalendar/add/", _admin_post(**overrides))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not BusinessCalendar.objects.exists()


def test_the_admin_stores_hours_as_the_manage_pages_do(client, admin_user):
    """Trimmed time zone, sorted ranges, and 24:00 as the end of the day."""
    client.force_login(admin_user)

    response = client.post(
        "/admin/sla/businesscalendar/add/",
        _admin_post(time_zone=" Asia/Shanghai ", hours='{"5": [["18:00", "24:00"], ["09:00", "12:00"]]}'),
    )

    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert calendar.time_zone == "Asia/Shanghai"
    assert calendar.hours == {"5": [["09:00", "12:00"], ["18:00", "24:00"]]}
