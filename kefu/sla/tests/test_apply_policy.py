"""A ticket's SLA clocks: policy choice, deadlines, pausing while pending, targets met."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.sla.models import TicketSla
from kefu.sla.services import apply_policy, ensure_default_policies
from kefu.sla.tests.factories import BusinessCalendarFactory, SlaPolicyFactory
from kefu.tests.factories import CategoryFactory, TicketFactory
from kefu.tickets.models import Status
from kefu.tickets.services import TicketChanges, add_reply, update_ticket

SH = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, tzinfo=SH)


@pytest.fixture
def complaint(db):
    return CategoryFactory(code="complaint", name="投诉", name_en="Complaint")


def test_first_matching_policy_by_position_applies(customer, complaint):
    """The complaint policy wins over the catch-all because it comes first."""
    # given a complaint policy before a catch-all one
    SlaPolicyFactory(name="any", position=10)
    specific = SlaPolicyFactory(
        name="complaints", position=0, categories=["complaint"], resolution=timedelta(hours=48)
    )
    ticket = TicketFactory(customer=customer, category=complaint, created_at=MONDAY_9)
    # when the policy is applied
    sla = apply_policy(ticket=ticket, now=MONDAY_9)
    # then the complaint targets count from the ticket's arrival
    assert sla.policy == specific
    assert sla.resolution_due == MONDAY_9 + timedelta(hours=48)
    assert sla.first_response_due == MONDAY_9 + timedelta(hours=4)
    assert sla.first_response_warn_at == MONDAY_9 + timedelta(hours=3, minutes=12)
    assert sla.next_deadline == sla.first_response_warn_at


def test_ticket_without_any_policy_gets_no_clocks(customer):
    ticket = TicketFactory(customer=customer)
    assert apply_policy(ticket=ticket) is None
    assert not TicketSla.objects.exists()


def test_business_time_policy_counts_working_hours(customer):
    """A four-business-hour target set at Friday 17:00 falls due on Monday at 12:00."""
    SlaPolicyFactory(business_time=True, calendar=BusinessCalendarFactory(), resolution=None)
    friday_17 = datetime(2026, 11, 27, 17, tzinfo=SH)
    ticket = TicketFactory(customer=customer, created_at=friday_17)
    sla = apply_policy(ticket=ticket, now=friday_17)
    assert sla.first_response_due == datetime(2026, 11, 30, 12, tzinfo=SH)


def test_pending_pauses_and_reopening_pushes_deadlines_back(customer):
    """While the ticket waits on the customer nothing is due; afterwards the deadlines move by the pause."""
    # given a ticket with a 24 h resolution target
    SlaPolicyFactory(first_response=None)
    ticket = TicketFactory(customer=customer, created_at=MONDAY_9)
    apply_policy(ticket=ticket, now=MONDAY_9)
    # when it is pending for three hours
    Ticket = type(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.PENDING)
    paused = apply_policy(ticket=ticket, now=MONDAY_9 + timedelta(hours=1))
    assert paused.next_deadline is None and paused.paused_since is not None
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.OPEN)
    resumed = apply_policy(ticket=ticket, now=MONDAY_9 + timedelta(hours=4))
    # then the resolution is due three hours later than before
    assert resumed.paused_seconds == 3 * 3600
    assert resumed.resolution_due == MONDAY_9 + timedelta(hours=27)
    assert resumed.next_deadline == resumed.resolution_warn_at


def test_category_change_repicks_the_policy(customer, agent, complaint, django_capture_on_commit_callbacks):
    """Recategorising a ticket as a complaint moves it onto the complaint policy (via the listener)."""
    SlaPolicyFactory(name="any", position=10)
    complaints = SlaPolicyFactory(name="complaints", position=0, categories=["complaint"])
    ticket = TicketFactory(customer=customer, team=agent.teams.first(), assignee=agent)
    apply_policy(ticket=ticket)
    with django_capture_on_commit_callbacks(execute=True):
        update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(category=complaint))
    assert TicketSla.objects.get(ticket=ticket).policy == complaints


def test_first_public_reply_meets_first_response(customer, agent, django_capture_on_commit_callbacks):
    """After the first public reply only the resolution clock is pending."""
    SlaPolicyFactory()
    ticket = TicketFactory(customer=customer, team=agent.teams.first(), assignee=agent)
    sla = apply_policy(ticket=ticket)
    assert sla.next_deadline == sla.first_response_warn_at
    with django_capture_on_commit_callbacks(execute=True):
        add_reply(ticket=ticket, actor=agent, text="您好，我们正在处理。", status=Status.OPEN)
    sla.refresh_from_db()
    assert sla.first_response_met
    assert sla.next_deadline == sla.resolution_warn_at


def test_solving_meets_resolution_and_clears_the_deadline(customer):
    SlaPolicyFactory()
    ticket = TicketFactory(customer=customer)
    apply_policy(ticket=ticket)
    type(ticket).objects.filter(pk=ticket.pk).update(status=Status.SOLVED)
    sla = apply_policy(ticket=ticket)
    assert sla.resolution_met
    assert sla.next_deadline is None


def test_default_policies_are_created_once(db):
    """The service center's defaults: chat answered in 30 s, complaints solved in 48 h, major ones escalated in 2 h."""
    first = ensure_default_policies()
    again = ensure_default_policies()
    assert [p.pk for p in first] == [p.pk for p in again]
    by_name = {p.name.split()[-1]: p for p in first}
    assert by_name["Chat"].first_response == timedelta(seconds=30)
    assert by_name["Complaint"].resolution == timedelta(hours=48)
    assert by_name["complaint"].escalate_after == timedelta(hours=2)


def test_calendar_rejects_bad_hours_and_time_zone(db):
    from django.core.exceptions import ValidationError

    from kefu.sla.models import BusinessCalendar

    with pytest.raises(ValidationError):
        BusinessCalendar(name="x", hours={"0": [["18:00", "09:00"]]}).clean()
    with pytest.raises(ValidationError):
        BusinessCalendar(name="x", time_zone="Mars/Olympus").clean()
    BusinessCalendar(name="x").clean()


def test_admin_lists_policies_and_calendars(admin_user, client):
    """Policies and calendars are editable in the Django admin."""
    SlaPolicyFactory(name="标准")
    client.force_login(admin_user)
    assert "标准" in client.get("/admin/sla/slapolicy/").content.decode()
    assert client.get("/admin/sla/businesscalendar/add/").status_code == 200


def test_reopened_ticket_owes_its_resolution_again(customer):
    """Solved clears the clocks; reopening brings the resolution deadline back (the time spent solved counts)."""
    SlaPolicyFactory(first_response=None)
    ticket = TicketFactory(customer=customer, created_at=MONDAY_9)
    apply_policy(ticket=ticket, now=MONDAY_9)
    type(ticket).objects.filter(pk=ticket.pk).update(status=Status.SOLVED)
    assert apply_policy(ticket=ticket, now=MONDAY_9 + timedelta(hours=1)).next_deadline is None
    type(ticket).objects.filter(pk=ticket.pk).update(status=Status.OPEN)
    reopened = apply_policy(ticket=ticket, now=MONDAY_9 + timedelta(hours=2))
    assert not reopened.resolution_met
    assert reopened.next_deadline == reopened.resolution_warn_at == MONDAY_9 + timedelta(hours=24 * 0.8)


def test_new_chat_ticket_gets_the_30_second_first_response_clock(
    customer, django_capture_on_commit_callbacks
):
    """End to end through the listener: a chat contact created by the tickets service is due in 30 s."""
    from kefu.tickets.services import create_ticket

    ensure_default_policies()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create_ticket(customer=customer, subject="在吗？", text="你好", channel="chat")
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.policy.channels == ["chat", "wechat"]
    assert sla.first_response_due == ticket.created_at + timedelta(seconds=30)
