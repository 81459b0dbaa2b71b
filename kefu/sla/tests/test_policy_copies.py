"""The SLA policies and calendars a worker keeps (kefu.core.config_cache) follow every change."""

from datetime import date

import pytest

from kefu.core import config_cache
from kefu.sla.models import CalendarDate
from kefu.sla.services import apply_policy, calendar_clocks, pick_policy
from kefu.sla.tests.factories import BusinessCalendarFactory, SlaPolicyFactory
from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_local_copies():
    config_cache.clear_local()


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
