"""The SLA policies and calendars a worker keeps (kefu.core.config_cache) follow every change.

A write in this process also bumps (and so clears) this process's copies; the tests that prove a copy follows
the shared version write without signals and change the version in the cache directly, as another process
would, so they fail if the version were never read."""

import threading
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection

from kefu.core import config_cache
from kefu.sla.models import BusinessCalendar, CalendarDate, SlaPolicy
from kefu.sla.services import apply_policy, calendar_clocks, pick_policy
from kefu.sla.tests.factories import BusinessCalendarFactory, SlaPolicyFactory
from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_local_copies():
    config_cache.clear_local()
    yield
    config_cache.clear_local()


def _another_process_bumps() -> None:
    cache.incr(config_cache.VERSION_KEY)


def test_a_policy_saved_later_applies_to_the_next_ticket(customer, django_capture_on_commit_callbacks):
    """A worker that already read the policies picks the one saved since (by a form or the admin)."""
    with django_capture_on_commit_callbacks(execute=True):
        standard = SlaPolicyFactory(name="standard", position=20)
    first = TicketFactory(customer=customer, channel="web")
    assert pick_policy(first) == standard
    with django_capture_on_commit_callbacks(execute=True):
        web = SlaPolicyFactory(name="web", position=10, channels=["web"])
    second = TicketFactory(customer=customer, channel="web")
    assert apply_policy(ticket=second).policy == web


def test_a_switched_off_policy_is_no_longer_picked(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policy = SlaPolicyFactory(name="standard")
    ticket = TicketFactory(customer=customer)
    assert pick_policy(ticket) == policy
    with django_capture_on_commit_callbacks(execute=True):
        policy.is_active = False
        policy.save()
    assert pick_policy(ticket) is None


def test_a_calendar_date_added_later_is_in_the_workers_calendar(django_capture_on_commit_callbacks):
    """Holidays entered after a worker read the calendars count at once (CalendarDate saves bump too)."""
    with django_capture_on_commit_callbacks(execute=True):
        calendar = BusinessCalendarFactory()
    assert date(2026, 12, 1) not in calendar_clocks()[calendar.pk].holidays
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDate.objects.create(calendar=calendar, date=date(2026, 12, 1), is_working_day=False)
    assert date(2026, 12, 1) in calendar_clocks()[calendar.pk].holidays


def test_the_policies_copy_is_kept_until_the_shared_version_changes(
    customer, django_capture_on_commit_callbacks
):
    """A policy switched off elsewhere (no signal here) is still picked from the copy, until the version moves."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = SlaPolicyFactory(name="standard")
    ticket = TicketFactory(customer=customer)
    assert pick_policy(ticket) == policy
    SlaPolicy.objects.filter(pk=policy.pk).update(is_active=False)  # the other process's write
    assert pick_policy(ticket) == policy
    _another_process_bumps()
    assert pick_policy(ticket) is None


def test_the_calendars_copy_is_kept_until_the_shared_version_changes(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        calendar = BusinessCalendarFactory(hours={"0": [["09:00", "18:00"]]})
    assert set(calendar_clocks()[calendar.pk].hours) == {0}
    BusinessCalendar.objects.filter(pk=calendar.pk).update(hours={"5": [["09:00", "18:00"]]})
    assert set(calendar_clocks()[calendar.pk].hours) == {0}
    _another_process_bumps()
    assert set(calendar_clocks()[calendar.pk].hours) == {5}


@pytest.mark.django_db(transaction=True)
def test_a_holiday_committed_by_another_connection_is_seen_after_the_version_changes():
    """The other process's own connection commits a day off (bulk_create: no signal reaches this process)."""
    calendar = BusinessCalendarFactory()
    assert date(2026, 12, 1) not in calendar_clocks()[calendar.pk].holidays

    def other_process() -> None:
        try:
            CalendarDate.objects.bulk_create([CalendarDate(calendar=calendar, date=date(2026, 12, 1))])
        finally:
            connection.close()  # this thread's own connection

    writer = threading.Thread(target=other_process)
    writer.start()
    writer.join()
    assert CalendarDate.objects.filter(calendar=calendar).exists()  # committed and visible here …
    assert date(2026, 12, 1) not in calendar_clocks()[calendar.pk].holidays  # … the copy kept until told
    _another_process_bumps()
    assert date(2026, 12, 1) in calendar_clocks()[calendar.pk].holidays
