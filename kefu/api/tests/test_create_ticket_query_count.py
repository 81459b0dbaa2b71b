"""Opening a ticket through the API is cheap: a fixed, small number of SQL statements, and an answer
built from what was just written (not read back) that is exactly what the API shows for that ticket."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.models import Team
from kefu.tests.factories import CategoryFactory, PriorityFactory
from kefu.tickets.models import CustomField, Tag, Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"

# Token + user, permissions (one query), the customer by e-mail, the default priority and team (one
# query), then the ticket, its first message and the audit row — plus the savepoint the request's
# transaction becomes inside the test's own. Before: 16 (two permission queries, a second savepoint, a
# separate UPDATE of the message count, and the ticket and its tags read back for the answer), then 10
# (the two defaults read one query each).
MAX_STATEMENTS = 9


@pytest.fixture
def defaults(front_line):
    PriorityFactory()
    Team.objects.filter(pk=front_line.pk).update(is_default=True)


def test_opening_a_ticket_for_a_known_customer_runs_at_most_nine_statements(
    api, customer, defaults, django_assert_max_num_queries
):
    body = {"subject": "订单未发货", "text": "三天了还没发货。", "customer_email": "chen@example.com"}

    with django_assert_max_num_queries(MAX_STATEMENTS):
        response = api.post(URL, body, format="json")

    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).messages.count() == 1


def test_the_statements_are_only_the_necessary_reads_and_writes(api, customer, defaults):
    """No ticket is read back, no counter updated separately, no nested savepoint, one permission query,
    one query for both defaults."""
    with CaptureQueriesContext(connection) as queries:
        response = api.post(URL, {"subject": "订单未发货", "customer_email": "chen@example.com"}, format="json")

    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if s.startswith("UPDATE")]
    assert len([s for s in statements if s.startswith("SAVEPOINT")]) == 1
    assert len([s for s in statements if "auth_permission" in s]) == 1
    assert len([s for s in statements if '"is_default"' in s]) == 1
    assert not [s for s in statements if s.startswith("SELECT") and 'FROM "tickets_ticket"' in s]


@pytest.mark.parametrize("customer_by", ["email", "id", "new email"])
@pytest.mark.parametrize("with_tags", [False, True])
def test_the_answer_is_what_the_api_shows_for_the_new_ticket(
    api, customer, front_line, defaults, with_tags, customer_by
):
    CategoryFactory(code="order", name="订单", name_en="Order")
    CustomField.objects.create(key="order_no", name="订单号", name_en="Order number")
    body = {
        "subject": "  订单未发货  ",
        "html": "<p>三天了<script>x</script>还没发货。</p>",
        **{
            "email": {"customer_email": "chen@example.com"},
            "id": {"customer": customer.pk},
            "new email": {"customer_email": "new@example.com", "customer_name": "新客户"},
        }[customer_by],
        "category": "order",
        "team": front_line.pk,
        "severity": "major",
        "custom_fields": {"order_no": "DD1"},
    }
    if with_tags:
        Tag.objects.create(name="vip")
        body["tags"] = ["vip", "物流", "vip"]

    created = api.post(URL, body, format="json")

    assert created.status_code == 201
    shown = api.get(f"{URL}{created.json()['id']}/")
    assert created.json() == shown.json()
    assert created.json()["message_count"] == 1
    assert created.json()["tags"] == (sorted(["vip", "物流"]) if with_tags else [])


def test_an_assigned_new_ticket_is_answered_as_stored(api_for, supervisor, teammate, customer, defaults):
    created = api_for(supervisor).post(
        URL, {"subject": "转给李娜", "customer_email": "chen@example.com", "assignee": teammate.pk}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["assignee"]["id"] == teammate.pk
    assert created.json() == api_for(supervisor).get(f"{URL}{created.json()['id']}/").json()
