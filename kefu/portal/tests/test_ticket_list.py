"""The ticket list: own tickets only, times in the customer's zone, constant queries; who gets in."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_only_the_customers_own_tickets(customer_client, ticket, other_team_ticket):
    page = customer_client.get("/portal/").content.decode()

    assert ticket.subject in page
    assert other_team_ticket.subject not in page


def test_times_are_shown_in_the_customers_zone(customer_client, customer, customer_user):
    TicketFactory(customer=customer, created_at=datetime(2025, 3, 1, 2, 30, tzinfo=UTC))

    default_zone = customer_client.get("/portal/").content.decode()
    customer_user.timezone = "Europe/Berlin"
    customer_user.save()
    berlin = customer_client.get("/portal/").content.decode()

    assert "2025-03-01 10:30" in default_zone  # Asia/Shanghai, UTC+8
    assert "2025-03-01 03:30" in berlin


def test_the_list_runs_the_same_number_of_queries_for_few_and_many_tickets(customer_client, customer):
    category = CategoryFactory()
    TicketFactory.create_batch(2, customer=customer, category=category)
    with CaptureQueriesContext(connection) as few:
        customer_client.get("/portal/")
    TicketFactory.create_batch(15, customer=customer, category=CategoryFactory())

    with CaptureQueriesContext(connection) as many:
        response = customer_client.get("/portal/")

    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_list_stays_within_a_fixed_query_budget(customer_client, customer, django_assert_max_num_queries):
    TicketFactory.create_batch(25, customer=customer, category=CategoryFactory())

    with django_assert_max_num_queries(8):
        assert customer_client.get("/portal/").status_code == 200


def test_anonymous_visitors_are_sent_to_the_portal_login():
    for path in ("/portal/", "/portal/tickets/new/", "/portal/tickets/1/", "/portal/attachments/1/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/portal/login/?next=")


def test_staff_are_sent_to_the_agent_workspace(agent):
    client = Client()
    client.force_login(agent)

    response = client.get("/portal/")

    assert response.status_code == 302 and response["Location"].startswith("/agent/")


def test_a_login_without_customer_profile_gets_a_notice(db):
    from kefu.tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(is_staff=False))

    response = client.get("/portal/")

    assert response.status_code == 403


def test_the_login_page_offers_both_ways_in():
    page = Client().get("/portal/login/").content.decode()

    assert 'action="/accounts/login/"' in page
    assert 'action="/portal/login/link/"' in page
    assert 'name="next" value="/portal/"' in page


def test_the_language_switch_keeps_the_choice_for_pages_and_mails(customer_client, customer, customer_user):
    response = customer_client.post("/portal/language/", {"language": "en", "next": "/portal/"})

    assert response.status_code == 302 and response["Location"] == "/portal/"
    customer.refresh_from_db()
    customer_user.refresh_from_db()
    assert customer.language == "en" and customer_user.language == "en"
    assert "My tickets" in customer_client.get("/portal/").content.decode()


def test_the_language_switch_refuses_foreign_redirects():
    response = Client().post("/portal/language/", {"language": "en", "next": "https://evil.example.com/"})

    assert response["Location"] == "/portal/"
