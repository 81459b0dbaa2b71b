"""A queue page's look-ups by its rows' ids (tag names, customers' names) are prepared once per number of rows
and bound anew on each page: pages of any length still give each row its own tags and customer."""

import pytest
from django.urls import reverse

from kefu.tests.factories import CustomerFactory, TicketFactory

from .factories import TagFactory

pytestmark = pytest.mark.django_db
URL = reverse("workspace:home")


def _row(html: str, pk: int) -> str:
    start = html.index(f'data-queue-row="{pk}"')
    return html[start : html.index("</tr>", start)]


def test_pages_of_different_lengths_show_each_rows_own_tags_and_customer(login, agent, front_line):
    tickets = []
    for i in range(3):
        ticket = TicketFactory(team=front_line, customer=CustomerFactory(name=f"客户{i}"))
        ticket.tags.add(TagFactory(name=f"标签{i}"), TagFactory(name="共同"))
        tickets.append(ticket)
    client = login(agent)

    pages = {
        1: client.get(URL, {"view": "all", "tag": "标签1"}).content.decode(),
        3: client.get(URL, {"view": "all"}).content.decode(),
        "1 again": client.get(URL, {"view": "all", "tag": "标签2"}).content.decode(),
    }

    assert pages[1].count("data-queue-row=") == 1 and pages["1 again"].count("data-queue-row=") == 1
    assert pages[3].count("data-queue-row=") == 3
    for html, shown in ((pages[1], [1]), (pages[3], [0, 1, 2]), (pages["1 again"], [2])):
        for i in shown:
            row = _row(html, tickets[i].pk)
            assert f"客户{i}</td>" in row
            assert f'<span class="tag">标签{i}</span>' in row and '<span class="tag">共同</span>' in row
            assert all(f"标签{j}<" not in row for j in range(3) if j != i)
