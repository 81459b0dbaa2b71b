"""SLA clocks in the agent's queue and on the ticket page, read without a query per row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kefu.sla.services import apply_policy
from kefu.sla.tests.factories import SlaPolicyFactory
from kefu.tests.factories import CustomerFactory, TicketFactory

QUEUE = reverse("workspace:home")


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(user)
        return client

    return make


def _tickets_with_clocks(count: int, team, agent, *, age: timedelta = timedelta(0)) -> list:
    tickets = []
    for _ in range(count):
        ticket = TicketFactory(
            customer=CustomerFactory(),
            team=team,
            assignee=agent,
            status="open",
            created_at=timezone.now() - age,
        )
        apply_policy(ticket=ticket)
        tickets.append(ticket)
    return tickets


def test_queue_shows_time_left_and_breached_by(client_for, agent, front_line):
    """A fresh ticket shows the time left; an old one how long ago its target was missed."""
    SlaPolicyFactory(first_response=timedelta(hours=4), resolution=None)
    _tickets_with_clocks(1, front_line, agent)
    _tickets_with_clocks(1, front_line, agent, age=timedelta(hours=6))
    body = client_for(agent).get(QUEUE, {"view": "mine"}).content.decode()
    assert "3h 59m left" in body or "4h 0m left" in body
    assert "breached by 2h 0m" in body or "breached by 2h 1m" in body
    assert "sla-breached" in body


def test_queue_reads_clocks_without_a_query_per_row(client_for, agent, front_line, django_assert_num_queries):
    """Three or thirty tickets with clocks cost the same number of queries."""
    SlaPolicyFactory()
    client = client_for(agent)
    _tickets_with_clocks(3, front_line, agent)
    client.get(QUEUE, {"view": "mine"})
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE, {"view": "mine"})
    _tickets_with_clocks(27, front_line, agent)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE, {"view": "mine"})
    assert response.content.decode().count('class="sla-clock') == 30


def test_ticket_page_side_panel_shows_the_clock(client_for, agent, front_line):
    SlaPolicyFactory(first_response=timedelta(hours=4))
    (ticket,) = _tickets_with_clocks(1, front_line, agent)
    body = client_for(agent).get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert "First response · " in body and "left" in body


def test_ticket_without_policy_shows_a_dash(client_for, agent, front_line):
    ticket = TicketFactory(team=front_line, assignee=agent, status="open")
    body = client_for(agent).get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert "sla-clock" not in body
