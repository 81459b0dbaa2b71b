"""Queue rows take category, priority, team and assignee from the filter menus' lists; ones the menus
leave out (an inactive category, a deactivated agent) are still shown, read in one query per kind."""

import pytest
from django.urls import reverse

from kefu.tests.factories import CategoryFactory, PriorityFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("workspace:home")


def _row(body: str, ticket) -> str:
    start = body.index(f'data-queue-row="{ticket.pk}"')
    return body[start : body.index("</tr>", start)]


def test_a_row_shows_its_menus_labels_and_those_the_menus_no_longer_offer(login, agent, front_line, customer):
    gone = UserFactory(display_name="Departed Agent", is_staff=True, is_active=False)
    retired = CategoryFactory(name="旧分类", name_en="Retired category", is_active=False)
    urgent = PriorityFactory(name="紧急", name_en="Urgent", color="#ff0000")
    old = TicketFactory(customer=customer, team=front_line, assignee=gone, category=retired, priority=urgent)
    mine = TicketFactory(customer=customer, team=front_line, assignee=agent, priority=urgent)

    body = login(agent).get(URL, {"view": "all"}, headers={"Accept-Language": "en"}).content.decode()

    old_row, my_row = _row(body, old), _row(body, mine)
    assert "Departed Agent" in old_row
    assert "Retired category" in old_row
    assert "--tone: #ff0000" in old_row and "Urgent" in old_row
    assert str(front_line) in old_row
    assert agent.name in my_row and "Urgent" in my_row


def test_rows_of_deactivated_agents_cost_one_query_more_whatever_their_number(
    login, agent, front_line, customer, django_assert_num_queries
):
    client = login(agent)
    TicketFactory(customer=customer, team=front_line, assignee=agent)
    client.get(URL, {"view": "all"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as base:
        client.get(URL, {"view": "all"})
    expected = len(base.captured_queries) + 1  # now: the next request clears the connection's log
    for i in range(3):
        gone = UserFactory(username=f"gone{i}", is_staff=True, is_active=False)
        TicketFactory(customer=customer, team=front_line, assignee=gone)
    client.get(URL, {"view": "all"})  # new users changed the staff menus: their copy is read again once

    with django_assert_num_queries(expected):
        body = client.get(URL, {"view": "all"}).content.decode()
    assert body.count('data-queue-row="') == 4
