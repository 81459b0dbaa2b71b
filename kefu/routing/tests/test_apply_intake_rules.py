"""Intake rules act on every new ticket, whatever the channel, once, and say so in the timeline."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kefu.intake.services import InboundMessage, ingest
from kefu.routing import listeners, services
from kefu.routing.models import RoutingDecision
from kefu.tests.factories import TicketFactory
from kefu.tickets.events import TicketCreated
from kefu.tickets.models import Message, Ticket

from .conftest import make_rule

pytestmark = pytest.mark.django_db


def test_a_portal_ticket_with_a_complaint_word_gets_the_rules_category_team_priority_and_tag(
    customer_user, customer, complaint, complaints_team, urgent, django_capture_on_commit_callbacks
):
    rule = make_rule(name="投诉分流", words=["投诉"], set_category=complaint, set_team=complaints_team,
                     set_priority=urgent, set_severity="major", add_tags=["投诉"])
    client = Client()
    client.force_login(customer_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/tickets/new/", {"form_token": uuid.uuid4().hex, "subject": "我要投诉快递员", "text": "态度很差"})

    ticket = Ticket.objects.get(customer=customer)
    assert (ticket.category, ticket.team, ticket.priority, ticket.severity) == (complaint, complaints_team, urgent,
                                                                                "major")
    assert list(ticket.tags.values_list("name", flat=True)) == ["投诉"]
    event = ticket.messages.get(event_type="routing_rule")
    assert event.event_data == {"rule_id": rule.pk, "rule": "投诉分流"} and event.author is None
    changed = ticket.messages.get(event_type="category_changed")
    assert changed.author is None and changed.author_kind == "system"


def test_an_api_ticket_is_routed_by_channel_and_customer_tier(
    agent, complaints_team, urgent, django_capture_on_commit_callbacks
):
    make_rule(name="API VIP", channels=["api"], tiers=["vip"], set_team=complaints_team, set_priority=urgent)
    token, _created = Token.objects.get_or_create(user=agent)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    from kefu.tests.factories import CustomerFactory

    vip = CustomerFactory(name="VIP 客户", email="vip@example.com", tier="vip")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/tickets/", {"subject": "Invoice", "customer": vip.pk, "channel": "api"},
                            format="json")

    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.team, ticket.priority) == (complaints_team, urgent)


def test_an_intake_ticket_matches_words_in_english_regardless_of_case(order, django_capture_on_commit_callbacks):
    make_rule(name="Orders", words=["tracking number"], match_in="body", set_category=order)

    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(InboundMessage(channel="wechat", identity_kind="wechat", identity_value="o-123",
                                       subject="Hello", text="Where is my TRACKING NUMBER?"))

    result.ticket.refresh_from_db()
    assert result.ticket.category == order


def test_an_inactive_rule_or_one_whose_conditions_fail_changes_nothing(order, customer):
    make_rule(name="off", is_active=False, set_category=order)
    make_rule(name="chat only", channels=["chat"], set_category=order)
    ticket = TicketFactory(customer=customer, channel="web")

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.category is None and not ticket.messages.filter(kind="event").exists()


def test_the_time_window_is_read_in_the_organisations_zone(order, customer):
    make_rule(name="夜间", time_from="22:00", time_to="08:00", set_category=order)
    late_evening_beijing = datetime(2026, 3, 2, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 15:00 UTC
    ticket = TicketFactory(customer=customer, created_at=late_evening_beijing)

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.category == order


def test_a_retried_created_event_routes_the_ticket_only_once(order, customer):
    make_rule(name="all", set_category=order, add_tags=["自动"])
    ticket = TicketFactory(customer=customer)

    listeners.ticket_created(TicketCreated(ticket_id=ticket.pk))
    listeners.ticket_created(TicketCreated(ticket_id=ticket.pk))

    assert RoutingDecision.objects.filter(ticket=ticket).count() == 1
    assert Message.objects.filter(ticket=ticket, event_type="routing_rule").count() == 1
    assert Message.objects.filter(ticket=ticket, event_type="tags_changed").count() == 1


def test_a_rule_naming_a_deactivated_assignee_still_applies_its_other_actions(order, customer, agent):
    make_rule(name="to agent", set_category=order, set_assignee=agent)
    agent.is_active = False
    agent.save()
    ticket = TicketFactory(customer=customer)

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.category == order and ticket.assignee is None


def test_the_mailbox_an_email_ticket_came_in_by_is_matched_by_name_or_id(order, complaint, customer):
    from kefu.connectors.email.models import Mailbox, ProcessedMail

    sales = Mailbox.objects.create(name="Sales", host="imap.example.com", username="s", from_address="s@example.com")
    make_rule(name="sales box", mailbox="sales", set_category=order)
    make_rule(name="by id", mailbox=str(sales.pk), add_tags=["销售"], set_category=complaint)
    ticket = TicketFactory(customer=customer, channel="email")
    ProcessedMail.objects.create(mailbox=sales, mail_id="<1@example.com>", ticket=ticket)

    services.route_new_ticket(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.category == order  # the first rule stops the run
    assert services.facts_for(ticket).mailbox_id == str(sales.pk)
