"""Sorting the queue by priority reads the rank copied onto each ticket: no join, tickets without one last."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
URL = reverse("workspace:home")


def _numbers(response) -> list[int]:
    return [
        int(n) for n in re.findall(r'href="/agent/tickets/(\d+)/" data-row-link', response.content.decode())
    ]


def test_priority_sort_puts_tickets_without_priority_last_and_joins_no_priority_table(
    login, agent, front_line, customer, normal_priority, urgent_priority
):
    """Urgent before normal before none, newest first within each; the page's query never joins priorities."""
    now = timezone.now()
    none = TicketFactory(customer=customer, team=front_line, priority=None, updated_at=now)
    normal = TicketFactory(customer=customer, team=front_line, priority=normal_priority, updated_at=now)
    urgent_old = TicketFactory(
        customer=customer, team=front_line, priority=urgent_priority, updated_at=now - timedelta(days=2)
    )
    urgent_new = TicketFactory(
        customer=customer, team=front_line, priority=urgent_priority, updated_at=now - timedelta(days=1)
    )
    client = login(agent)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"view": "all", "sort": "priority"})

    assert _numbers(response) == [urgent_new.pk, urgent_old.pk, normal.pk, none.pk]
    page_queries = [q["sql"] for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    assert page_queries
    assert not any('"tickets_priority"' in sql for sql in page_queries)
