"""Tickets escalate by themselves: on an SLA warning when the policy says so (by default only major
complaints), on a breach of a complaint, on the second reopen, and whenever an intake rule asks."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.sla.models import Escalation, Level, SlaPolicy
from kefu.sla.services import (
    apply_policy,
    ensure_default_policies,
    escalate_automatically,
    escalate_ticket,
    sweep_sla,
)
from kefu.sla.tests.factories import SlaPolicyFactory
from kefu.tests.factories import CategoryFactory, TicketFactory
from kefu.tickets.services import TicketChanges, add_customer_message, update_ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def complaint(db):
    return CategoryFactory(code="complaint", name="投诉", name_en="Complaint")


def _ticket_with_clocks(customer, **fields):
    ticket = TicketFactory(customer=customer, created_at=T0, **fields)
    apply_policy(ticket=ticket, now=T0)
    return ticket


def test_a_major_complaint_escalates_to_level_two_on_the_warning(
    customer, complaint, django_capture_on_commit_callbacks
):
    SlaPolicyFactory(
        categories=["complaint"], severities=["major"], escalate_on_warning=True,
        first_response=timedelta(hours=1), resolution=None,
    )
    ticket = _ticket_with_clocks(customer, category=complaint, severity="major")

    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=T0 + timedelta(minutes=50))  # 80 % of the hour: a warning, not yet a breach

    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.to_level == Level.L2 and escalation.actor is None
    assert escalation.reason == "sla_warning:first_response"


def test_then_its_breach_takes_it_to_a_supervisor(customer, complaint, django_capture_on_commit_callbacks):
    SlaPolicyFactory(
        categories=["complaint"], severities=["major"], escalate_on_warning=True,
        first_response=timedelta(hours=1), resolution=None,
    )
    ticket = _ticket_with_clocks(customer, category=complaint, severity="major")

    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=T0 + timedelta(minutes=50))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=T0 + timedelta(minutes=61))

    levels = list(Escalation.objects.filter(ticket=ticket).order_by("id").values_list("to_level", flat=True))
    assert levels == [Level.L2, Level.SUPERVISOR]


def test_a_warning_on_an_ordinary_ticket_does_not_escalate(customer, django_capture_on_commit_callbacks):
    SlaPolicyFactory(first_response=timedelta(hours=1), resolution=None)
    _ticket_with_clocks(customer)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=T0 + timedelta(minutes=50))

    assert not Escalation.objects.exists()


def test_a_policy_may_escalate_any_breach(customer, django_capture_on_commit_callbacks):
    SlaPolicyFactory(first_response=timedelta(hours=1), resolution=None, escalate_on_breach=True)
    ticket = _ticket_with_clocks(customer)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla(now=T0 + timedelta(hours=2))

    assert Escalation.objects.get(ticket=ticket).reason == "sla:first_response"


def test_default_policies_escalate_major_complaints_on_warning_only():
    ensure_default_policies()

    switched_on = SlaPolicy.objects.filter(escalate_on_warning=True)
    assert [(p.categories, p.severities) for p in switched_on] == [(["complaint"], ["major"])]


def _solve_and_reopen(ticket, agent):
    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(status="solved"))
    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(status="open"))


def test_the_second_reopen_escalates_once(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _solve_and_reopen(ticket, agent)
    assert not Escalation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(status="solved"))
        add_customer_message(ticket=ticket, text="还是没有收到货！")  # the customer reopens it

    ticket.refresh_from_db()
    assert ticket.reopened_count == 2
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.reason == "reopened" and escalation.to_level == Level.L2

    with django_capture_on_commit_callbacks(execute=True):
        _solve_and_reopen(ticket, agent)  # a third reopen does not escalate again
    assert Escalation.objects.filter(ticket=ticket).count() == 1


def test_an_intake_rule_escalates_without_an_actor(ticket):
    escalation = escalate_ticket(ticket=ticket, actor=None, reason="规则：VIP 投诉")

    assert escalation.actor is None and escalation.to_level == Level.L2


def test_automatic_escalation_never_goes_down_or_past_the_top(ticket):
    escalate_ticket(ticket=ticket, actor=None, reason="x", to_level=Level.SUPERVISOR)

    assert escalate_automatically(ticket=ticket, reason="sla:resolution") is None
    assert escalate_automatically(ticket=ticket, reason="y", to_level=Level.L2) is None
    assert Escalation.objects.filter(ticket=ticket).count() == 1


def test_a_solved_ticket_is_not_escalated_automatically(ticket, agent):
    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(status="solved"))

    assert escalate_automatically(ticket=ticket, reason="reopened") is None
