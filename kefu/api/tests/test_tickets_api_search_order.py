"""`GET /api/v1/tickets/?q=` lists its matches in the list's own order and pages through them like the list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def walk(client, params: dict) -> list[int]:
    """Every id the cursor pages give, following `next` to the end."""
    seen, response = [], client.get(URL, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            return seen
        response = client.get(body["next"])


def test_search_results_keep_the_list_order_across_pages(api, customer, front_line):
    """Most recently updated first (ties by id), no row twice or skipped, two per page; with ?ordering too."""
    now = timezone.now()
    same_time = now - timedelta(hours=1)
    matching = [
        TicketFactory(customer=customer, team=front_line, subject="退款 申请", updated_at=at)
        for at in (now - timedelta(hours=3), same_time, now, same_time, now - timedelta(hours=2))
    ]
    TicketFactory(customer=customer, team=front_line, subject="发票", updated_at=now)
    expected = [t.pk for t in sorted(matching, key=lambda t: (t.updated_at, t.pk), reverse=True)]

    assert walk(api, {"q": "退款", "page_size": 2}) == expected
    assert (
        walk(api, {"page_size": 2})[1:] == expected
    )  # the same order as without q (the 发票 ticket is first)
    assert walk(api, {"q": "退款", "page_size": 2, "ordering": "created_at"}) == sorted(
        expected, key=lambda pk: (next(t.created_at for t in matching if t.pk == pk), pk)
    )
